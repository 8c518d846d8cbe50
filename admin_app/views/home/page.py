"""The home page: where the office stands today, and 减存控增 for a chosen period (models/reports/statistics.py),
each number linked to the list of the records behind it; the same figures as the monthly report (月报)."""
import datetime as dt
import io

from flask import current_app, redirect, request, send_file, url_for
from flask_admin import AdminIndexView, expose
from flask_admin.contrib.peewee.filters import DateBetweenFilter
from flask_babel import gettext
from flask_login import current_user

from models import access
from models.reports import rates, statistics, year_on_year
from models.workflow import repeats
from models.casework import SESSIONS, DutyShift
from models.errors import N_, ValidationError
from models.people import REPRESENTATIVE_KINDS, Representative
from models.petition import STATUSES, Petition
from models import supervision
from models.supervision import Supervision

from . import charts, monthly_report, worklist
from . import rates as rates_view
from ... import i18n, permissions
from .monthly_report import BREAKDOWN_COLUMNS, DIMENSIONS, FIGURES, REP_COLUMNS
from ..base import LoginRequired

# The petition list's filter on each breakdown's column: (column, the filter's msgid).
DIMENSION_FILTERS = {
    "channel": (Petition.channel, N_("Channel")), "category": (Petition.category, N_("Category")),
    "town": (Petition.town, N_("Town")), "team": (Petition.team, N_("Team")),
    "classification": (Petition.classification, N_("Classification")),
}
# Figures that are as of today, whatever the period: shown with today's duty, with the petition list's filter.
DEADLINES = (("overdue", N_("Overdue"), "text-overdue"), ("due_soon", N_("Due soon"), "text-due-soon"))
PERIOD_CARDS = ("open_start", "new", "closed", "not_accepted", "open_end", "resolution_rate")
MORE_CARDS = ("leader_led", "own_resolved", "satisfaction")


class DashboardView(LoginRequired, AdminIndexView):
    """The home page and its monthly report download."""

    route_ops = {"monthly_report": "read"}  # the page's own figures, as a file

    @expose("/")
    def index(self):
        return self.render("admin/home.html", **home_context())

    @expose("/monthly-report")
    def monthly_report(self):
        today = dt.date.today()
        try:
            period = statistics.period_from(request.args, today)
        except ValidationError:
            return redirect(url_for(".index", **request.args))  # the page says what was wrong
        data = figures(period, today)
        compared = year_on_year.year_on_year(period, today, data["summary"], scope())[0] \
            if period.kind == "year" else None  # 年报: 上年同期 and 同比, as on the page
        content = monthly_report.workbook(period, data, today, compared)
        return send_file(io.BytesIO(content), mimetype=monthly_report.XLSX, as_attachment=True,
                         download_name=monthly_report.filename(period))


def scope():
    """The where-clause of the petitions this user may see (access.visible), None for all: the statistics
    then read the monthly tallies."""
    every = Petition.select(Petition.id)
    mine = access.visible(every, current_user.user, "petition")
    return None if mine is every else Petition.id.in_(mine)


def sees_representatives():
    return permissions.allowed(current_user.role, "representative", "read")


def figures(period, today):
    """Everything the page and the report show, for this user's petitions: a handful of aggregate queries."""
    where = scope()
    return {
        "summary": statistics.summary(period, where),
        "deadlines": statistics.deadline_counts(today, where),
        "satisfaction": statistics.satisfaction(period, where),
        "breakdowns": statistics.breakdowns(period, where),
        "trend": statistics.trend(period, where),
        "representatives": statistics.representatives_work(period, today, where) if sees_representatives() else None,
        "rates": {"office": rates.office(period, today, where),
                  "departments": rates.departments(period, today, where) if rates_view.sees_ranking() else None},
    }


def home_context(today=None):
    """Today (deadlines, who is on duty, petitions by status) and the chosen period's figures, charts and links."""
    today = today or dt.date.today()
    error = None
    try:
        period, period_error = statistics.period_from(request.args, today), None
    except ValidationError as err:
        period, error = statistics.default_period(today), err
        period_error = gettext("%(error)s The figures below are for this month.",
                               error=sentence(i18n.error_message(err)))
    data = figures(period, today)
    counts = statistics.by_status(scope())
    return {
        "today": today,
        "worklist": worklist.worklist(today),
        "total": sum(counts.values()),
        "by_status": [{"label": i18n.choice_label(STATUSES, code), "count": counts.get(code, 0),
                       "url": list_url("petition", (Petition.status, N_("Status"), code))} for code, _ in STATUSES],
        "deadlines": deadline_rows(data["deadlines"]),
        "on_duty": on_duty(today),
        "period": period,
        "period_title": monthly_report.period_title(period),
        "period_dates": monthly_report.period_dates(period),
        "period_error": period_error,
        "chooser": chooser(period, today, request.args, error),
        "annual": annual(period, today, data["summary"]),
        "report_url": url_for(".monthly_report", **period_args(period)),
        "report_label": gettext("Download the %(report)s (Excel)", report=monthly_report.report_name(period)),
        "cards": cards(period, data),
        "summary": data["summary"],
        "satisfaction": data["satisfaction"],
        "definitions": [(gettext(label), monthly_report.definition(meaning)) for _, label, meaning in FIGURES],
        "void_note": gettext(monthly_report.VOID_NOTE),
        "trend": trend(data["trend"]),
        "breakdowns": breakdowns(period, data["breakdowns"]),
        "rep_columns": [gettext(label) for _, label in REP_COLUMNS],
        "representatives": representatives(period, today, data["representatives"]),
        "repeats": repeat_counts(period),
        "repeat_window": repeats.window_months(),
        "supervision": supervision_figures(period, today),
        "rates": rates_view.context(period, data["rates"], list_url, received_in(period)),
    }


def supervision_figures(period, today):
    """督办件数 and 按期反馈率 of the 督办 started in the period that this user sees (templates/admin/
    home_supervision.html), each count linked to the 督办 list; None for who may not open it."""
    if not permissions.allowed(current_user.role, "supervision", "read"):
        return None
    query = access.visible(Supervision.select().where((Supervision.started_at >= period.starts_at)
                                                      & (Supervision.started_at < period.ends_before)),
                           current_user.user, "supervision")
    data = supervision.figures(query, today)
    return dict(data, rate=percent(data["on_time_rate"]), url=url_for("supervision.index_view"),
                overdue_url=list_url("supervision", (Supervision.due_on, N_("Overdue"), "1")))


def repeat_counts(period):
    """初件 and 重件 among the period's new petitions (models/workflow/repeats.py), each linked to its list."""
    first, repeat = repeats.count_received(period.starts_at, period.ends_before, scope())
    received = received_in(period)
    return [{"label": gettext(label), "count": count, "key": key,
             "url": list_url("petition", *received, (Petition.is_repeat, N_("First or repeat"), value))}
            for key, label, count, value in (("first", N_("First petition"), first, "0"),
                                             ("repeat", N_("Repeat petition"), repeat, "1"))]


# -- the figures, with their links -------------------------------------------------------------------------

def percent(rate):
    return "—" if rate is None else "%.1f%%" % (100 * rate)


def cards(period, data):
    """The period's figures: label, value as shown, link (or None), definition."""
    values = monthly_report.figure_values(data)
    received = received_in(period)
    finished = (Petition.closed_at, None, (period.start, period.end))
    links = {
        "new": list_url("petition", *received),
        "closed": list_url("petition", (Petition.status, N_("Status"), "closed"), finished),
        "not_accepted": list_url("petition", (Petition.status, N_("Status"), "not_accepted"), finished),
    }
    meaning = {key: monthly_report.definition(text) for key, _, text in FIGURES}
    label = {key: gettext(text) for key, text, _ in FIGURES}
    shown = {}
    for key in PERIOD_CARDS + MORE_CARDS:
        value = percent(values[key]) if key in monthly_report.RATES else values[key]
        shown[key] = {"key": key, "label": label[key], "value": value, "url": links.get(key), "title": meaning[key]}
    return {"period": [shown[k] for k in PERIOD_CARDS], "more": [shown[k] for k in MORE_CARDS]}


def deadline_rows(counts):
    """已超期 and 即将到期 as of today, each linked to the petition list's filter of the same name."""
    return [{"label": gettext(msgid), "css": css, "count": counts[key],
             "url": list_url("petition", (Petition.due_on, msgid, 1))} for key, msgid, css in DEADLINES]


def trend(months):
    """The 12 months: a chart (bars of new, a line of closed) and the table beside it."""
    rows = []
    for entry in months:
        month = entry["month"]
        rows.append({"label": monthly_report.month_label(month), "new": entry["new"], "closed": entry["closed"],
                     "new_url": list_url("petition", *received_in(month)),
                     "closed_url": list_url("petition", (Petition.status, N_("Status"), "closed"),
                                            (Petition.closed_at, None, (month.start, month.end)))})
    short = [monthly_report.month_label(e["month"]) if i == 0 or e["month"].start.month == 1
             else gettext("Month %(month)s", month=e["month"].start.month) for i, e in enumerate(months)]
    chart = charts.trend_chart(short, (gettext("New in the month"), charts.NEW, [r["new"] for r in rows]),
                               (gettext("Closed in the month"), charts.CLOSED, [r["closed"] for r in rows]),
                               gettext("New and closed in the last 12 months"))
    return {"chart": chart, "rows": rows}


def breakdowns(period, tables):
    """One chart and one table per dimension; each figure linked to the petitions of that row and period."""
    received = received_in(period)
    finished = (Petition.closed_at, None, (period.start, period.end))
    series = [(gettext(label), colour) for (_, label), colour in zip(BREAKDOWN_COLUMNS, (charts.NEW, charts.CLOSED))]
    result = []
    for name, heading in DIMENSIONS:
        column, msgid = DIMENSION_FILTERS[name]
        rows = []
        for row in tables[name]:
            this = (column, msgid, row["key"]) if row["key"] is not None else None
            links = {"new": [this, *received], "closed": [this, (Petition.status, N_("Status"), "closed"), finished],
                     "not_accepted": [this, (Petition.status, N_("Status"), "not_accepted"), finished]}
            rows.append({"label": monthly_report.row_label(name, row),
                         "cells": [(row[key], list_url("petition", *links[key]) if this else None)
                                   for key, _ in BREAKDOWN_COLUMNS]})
        totals = [sum(r[key] for r in tables[name]) for key, _ in BREAKDOWN_COLUMNS]
        total_links = [list_url("petition", *received),
                       list_url("petition", (Petition.status, N_("Status"), "closed"), finished),
                       list_url("petition", (Petition.status, N_("Status"), "not_accepted"), finished)]
        chart = charts.bar_chart([(r["label"], [value for value, _ in r["cells"][:2]]) for r in rows], series,
                                 gettext(heading)) if rows else None  # new and closed; the table adds the rest
        result.append({"name": name, "heading": gettext(heading), "chart": chart, "rows": rows,
                       "total": list(zip(totals, total_links))})
    return {"columns": [gettext(label) for _, label in BREAKDOWN_COLUMNS], "tables": result}


def representatives(period, today, rows):
    """Per representative with work in the period: their figures, the duty shifts linked to the roster filtered
    by them and the days; those without any are folded away, by name ("idle")."""
    if rows is None:
        return None
    last_day = statistics.held_until(period, today)
    result = []
    idle = [{"name": rep["name"], "kind": i18n.choice_label(REPRESENTATIVE_KINDS, rep["kind"])}
            for rep in rows if not statistics.has_work(rep)]
    for rep in filter(statistics.has_work, rows):
        duty_url = list_url("dutyshift", (DutyShift.representative, N_("Representative"), rep["id"]),
                            (DutyShift.on_date, None, (period.start, last_day))) if last_day >= period.start else None
        result.append({"name": rep["name"], "kind": i18n.choice_label(REPRESENTATIVE_KINDS, rep["kind"]),
                       "cells": [(rep[key], duty_url if key == "duty_shifts" else None) for key, _ in REP_COLUMNS]})
    return {"busy": result, "idle": idle, "total": len(rows)}


# -- the period chooser -------------------------------------------------------------------------------------

def period_args(period):
    """The query arguments that ask for this period again."""
    if period.kind == "month":
        return {"period": "month", "year": period.start.year, "month": period.start.month}
    if period.kind == "quarter":
        return {"period": "quarter", "year": period.start.year, "q": period.quarter}
    if period.kind == "year":
        return {"period": "year", "year": period.start.year}
    return {"start": period.start.isoformat(), "end": period.end.isoformat()}


# The chooser's fields and the kinds of period that use them (office.js shows only those of the chosen kind;
# without script all are shown, and the server reads those of the kind submitted).
FIELD_KINDS = (("year", ("month", "quarter", "year")), ("month", ("month",)), ("q", ("quarter",)),
               ("range", ("range",)))


def chooser(period, today, typed=None, error=None):
    """Quick links (this and last month, quarter, year) and the form's present values: those of the period shown,
    or, when the period asked for could not be read (error), what was typed, with the message on its field."""
    this_month = statistics.month(today.year, today.month)
    last_month = statistics.month(*((today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)))
    q = (today.month - 1) // 3 + 1
    this_quarter = statistics.quarter(today.year, q)
    last_quarter = statistics.quarter(*((today.year - 1, 4) if q == 1 else (today.year, q - 1)))
    quick = [(N_("This month"), this_month), (N_("Last month"), last_month), (N_("This quarter"), this_quarter),
             (N_("Last quarter"), last_quarter), (N_("This year"), statistics.year(today.year)),
             (N_("Last year"), statistics.year(today.year - 1))]
    values = {"kind": period.kind, "year": period.start.year, "month": period.start.month, "q": period.quarter,
              "start": period.start.isoformat(), "end": period.end.isoformat()}
    if error is not None and typed is not None:
        kind = (typed.get("period") or "").strip()
        kind = kind if kind in statistics.KINDS else ("range" if typed.get("start") or typed.get("end") else "")
        if kind:
            values["kind"] = kind
        if values["kind"] == "range":  # the days as typed, to be corrected
            values.update(start=typed.get("start", ""), end=typed.get("end", ""))
    return dict(values, **{
        "quick": [{"label": gettext(label), "url": url_for(".index", **period_args(p)), "active": p == period}
                  for label, p in quick],
        "kinds": [(kind, gettext(label)) for kind, label in (("month", N_("Month")), ("quarter", N_("Quarter")),
                                                             ("year", N_("Year")), ("range", N_("Dates")))],
        "months": [(m, gettext("Month %(month)s", month=m)) for m in range(1, 13)],
        "quarters": [(n, gettext("Quarter %(quarter)s", quarter=n)) for n in range(1, 5)],
        "shown": {name: values["kind"] in kinds for name, kinds in FIELD_KINDS},
        "field_kinds": {name: " ".join(kinds) for name, kinds in FIELD_KINDS},
        "error_field": getattr(error, "field", None) if error is not None else None,
        "error": i18n.error_message(error) if error is not None else None,
        "example": "2022-12-09",
    })


def sentence(text):
    """The text ending as a sentence (the date reader's message has no full stop of its own)."""
    return text if text.endswith(("。", "！", "？", ".")) else text + "。"


# -- 年报: the year beside the year before ---------------------------------------------------------------------

def annual(period, today, now):
    """For a year: the headline figures, 上年同期 and 同比 (+x% / -x%, — when last year had none; rates in
    percentage points), and the days compared with. None for any other kind of period."""
    if period.kind != "year":
        return None
    rows, previous = year_on_year.year_on_year(period, today, now, scope())
    label = {key: gettext(text) for key, text, _ in FIGURES}
    shown = []
    for key, value, before, change in rows:
        rate = key in year_on_year.RATES
        shown.append({"key": key, "label": label[key], "value": percent(value) if rate else value,
                      "before": percent(before) if rate else before,
                      "change": monthly_report.points(change) if rate else monthly_report.signed_percent(change)})
    return {"title": gettext("Annual report %(year)s", year=period.start.year), "rows": shown,
            "previous": monthly_report.period_dates(previous)}


# -- today --------------------------------------------------------------------------------------------------

def on_duty(today):
    """Today's representatives on duty, morning first, each with the link that starts a visit log when this user
    may record that visit (worklist.may_record_visit: never a button that leads to a refusal)."""
    shifts = (DutyShift.select(DutyShift, Representative).join(Representative)
              .where(DutyShift.on_date == today).order_by(DutyShift.session, Representative.name))
    return [{"session": i18n.choice_label(SESSIONS, shift.session), "name": shift.representative.name,
             "place": shift.place, "visit_url": url_for("dutyshift.visit_view", id=shift.id) if worklist.may_record_visit(shift) else None}
            for shift in shifts]


# -- links to the filtered lists -----------------------------------------------------------------------------

def received_in(period):
    """The conditions of 新增: received within the period, and not void (statistics never count those)."""
    return ((Petition.received_at, None, (period.start, period.end)), (Petition.status, N_("Voided"), "0"))


def list_url(endpoint, *conditions):
    """The list of a screen filtered by conditions (column, the filter's msgid, value), a value (first, last)
    meaning the dates from first to last on the column's date-range filter; None when this user may not open
    the list or it has no such filter (the figure is then shown without a link)."""
    if not permissions.allowed(current_user.role, endpoint, "read"):
        return None
    args = {}
    for position, (column, name, value) in enumerate(conditions):
        if isinstance(value, tuple):
            index, value = filter_index(column, endpoint=endpoint, kind=DateBetweenFilter), "%s to %s" % value
        else:
            index = filter_index(column, name, endpoint=endpoint)
        if index is None:
            return None
        args["flt%d_%d" % (position, index)] = value
    return url_for(endpoint + ".index_view", **args)


def filter_index(column, name=None, endpoint="petition", kind=None):
    """The position of a list's filter on a column (of that name, a msgid, and of that class, when given),
    for links to the filtered list; None when the list has no such filter."""
    view = current_app.extensions["office_views"][endpoint]
    for index, flt in enumerate(view._filters or ()):
        if getattr(flt, "column", None) is column and (name is None or str(flt.name) == gettext(name)) \
                and (kind is None or isinstance(flt, kind)):
            return index
    return None
