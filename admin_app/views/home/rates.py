"""三率 on the home page and in the report: the office's figures with their definitions, each number linked to the
petition list filtered to exactly its petitions (the period's 登记 dates, not void, the measure's 三率口径 and, for a
department, its 责任单位), and the departments ranked (models/reports/rates.py)."""
from flask_babel import gettext
from flask_login import current_user

from models.errors import N_
from models.petition import Petition
from models.reports import rates

from ... import permissions
from ..petitions.rate_filters import MEASURE_LABELS

# The office's figures: (key, label, definition); a rate's numerator and denominator are rates.RATES'.
FIGURES = (
    ("timely_rate", N_("Timely acceptance rate"),
     N_("Accepted or refused acceptance within 15 days of receipt (the 告知 limit, counted as the office counts "
        "its limits: calendar days unless working days are set) ÷ the petitions decided, or undecided past that "
        "limit.")),
    ("on_time_rate", N_("On-time completion rate"),
     N_("Answered or closed within the handling limit (60 days of acceptance, plus an approved extension) ÷ the "
        "accepted petitions answered or closed, or past that limit.")),
    ("evaluation_rate", N_("Evaluation rate"),
     N_("Evaluated ÷ answered. The evaluation that counts is the petitioner's own evaluation of the latest "
        "answer, else that of the latest follow-up (复诊).")),
    ("satisfaction_rate", N_("Satisfaction rate"), N_("(Satisfied + basically satisfied) ÷ evaluated.")),
    ("resolved_once_rate", N_("Resolved-at-once rate"),
     N_("Closed without a review (复查) or re-examination (复核) requested and without a repeat petition of it "
        "(a later petition of the same petitioner of the same category within %(months)s months of it, or "
        "linked to it as the same matter) ÷ closed.")),
    ("repeat", N_("Repeat petitioning"),
     N_("The petitions that are themselves repeat petitions (重件).")),
)
COHORT_NOTE = N_("All these figures count the petitions received (登记) in the period, void ones never, as they "
                 "stand today. A department's figures count the petitions whose latest referral it was not "
                 "objected to (its 责任单位); its on-time rate reads its own referral: replied by the referral's "
                 "due date, or by the petition's extended handling limit when later.")
DEPARTMENT_COLUMNS = (
    ("referred", N_("Referred petitions")), ("department_on_time", N_("Replied on time")),
    ("department_overdue", N_("Overdue")), ("department_pending", N_("Within the limit")),
    ("on_time_rate", N_("On-time completion rate")), ("evaluation_rate", N_("Evaluation rate")),
    ("satisfaction_rate", N_("Satisfaction rate")), ("resolved_once_rate", N_("Resolved-at-once rate")),
    ("repeat", N_("Repeat petitioning")),
)


def definition(msgid):
    from models.workflow import repeats

    return gettext(msgid, months=repeats.window_months()) if "%(months)s" in msgid else gettext(msgid)


def percent(rate):
    return "—" if rate is None else "%.1f%%" % (100 * rate)


def sees_ranking():
    """The department ranking: for those who may read the departments (the office's staff and its head)."""
    return permissions.allowed(current_user.role, "department", "read")


def context(period, data, list_url, received):
    """What templates/admin/home_rates.html shows: data is rates.figures(); list_url and received (the 登记
    conditions of the period) are the page's own."""
    office = data["office"]

    def link(key, department=None):
        conditions = list(received)
        if key != "received":
            conditions.append((Petition.id, N_("Rate measure"), key))
        if department is not None:
            conditions.append((Petition.id, N_("Responsible department"), department))
        return list_url("petition", *conditions)

    def part(key, counts, department=None):
        return {"value": counts[key], "url": link(key, department), "label": gettext(MEASURE_LABELS[key])}

    figures = []
    for key, label, meaning in FIGURES:
        entry = {"key": key, "label": gettext(label), "definition": definition(meaning)}
        if key in rates.RATES:
            numerator, denominator = rates.RATES[key]
            entry.update(value=percent(office["rates"][key]), numerator=part(numerator, office["counts"]),
                         denominator=part(denominator, office["counts"]))
        else:
            entry.update(value=office["counts"][key], url=link(key))
        figures.append(entry)
    ranking = None
    if data["departments"] is not None:
        ranking = []
        for place, row in enumerate(data["departments"], start=1):
            cells = []
            for key, _ in DEPARTMENT_COLUMNS:
                if key in rates.DEPARTMENT_RATES:
                    cells.append((percent(row["rates"][key]), None))
                elif key == "referred":
                    cells.append((row["counts"][key], link("received", row["id"])))
                else:
                    cells.append((row["counts"][key], link(key, row["id"])))
            ranking.append({"place": place, "name": row["name"], "id": row["id"], "cells": cells})
    return {"figures": figures, "received": {"value": office["counts"]["received"], "url": link("received")},
            "note": gettext(COHORT_NOTE), "ranking": ranking,
            "columns": [gettext(label) for _, label in DEPARTMENT_COLUMNS]}


def report_rows(data):
    """The office's figures for the report: (label, value, numerator, denominator, definition); rates as
    fractions (None when there is nothing to divide by)."""
    office = data["office"]
    rows = []
    for key, label, meaning in FIGURES:
        if key in rates.RATES:
            numerator, denominator = rates.RATES[key]
            rows.append((gettext(label), office["rates"][key], office["counts"][numerator],
                         office["counts"][denominator], definition(meaning)))
        else:
            rows.append((gettext(label), office["counts"][key], None, None, definition(meaning)))
    return rows
