"""减存控增 in figures: the figures reconcile, breakdowns agree with plain SQL, periods are read safely."""
import datetime as dt
import random

import pytest

from models.reports import statistics
from models import workflow
from models.casework import (
    Consultation, ConsultationRepresentative, DutyShift, FollowUp, VisitLog, VisitRepresentative,
)
from models.errors import ValidationError
from models.organisation import Category, Department
from models.people import Representative, Team
from models.petition import CHANNELS, CLASSIFICATIONS, Petition

DAY = dt.timedelta(days=1)
TODAY = dt.date(2026, 11, 27)
FIRST, LAST = dt.datetime(2024, 1, 1), dt.datetime(2026, 11, 20)


@pytest.fixture
def teams(db):
    """The three teams of 一室三团队 (a new installation has them)."""
    return list(Team.select().order_by(Team.id))


@pytest.fixture
def random_petitions(db, make_petitioner, make_town, teams):
    """400 petitions with random received, closed, not-accepted and void dates, inserted directly; a few with
    a missing or impossible closing time, and open ones carrying a stray closed_at (both must still add up)."""
    rng = random.Random(20261127)
    person = make_petitioner()
    towns = [make_town("镇%d" % i) for i in range(4)]
    categories = [Category.create(name="类别%d" % i) for i in range(5)]
    reps = [Representative.create(name="代表%d" % i, kind="npc_deputy") for i in range(3)]
    span = int((LAST - FIRST).total_seconds())
    rows = []
    for n in range(400):
        received = FIRST + dt.timedelta(seconds=rng.randrange(span))
        status = rng.choices(["closed", "not_accepted", "void", rng.choice(workflow.OPEN)], (40, 15, 10, 35))[0]
        closed_at = None
        if status in ("closed", "not_accepted") or rng.random() < 0.05:
            closed_at = received + dt.timedelta(days=rng.randrange(0, 200), seconds=rng.randrange(86400))
            roll = rng.random()
            if roll < 0.03:
                closed_at = None  # finished, time unknown: counts as finished when received
            elif roll < 0.06:
                closed_at = received - dt.timedelta(days=3)  # typed before the receipt: the same
        rows.append(dict(
            number="XF-T-%06d" % n, channel=rng.choice(CHANNELS)[0], received_at=received, petitioner=person.id,
            subject="测试事项", content="测试内容", status=status, closed_at=closed_at,
            category=rng.choice(categories + [None]), town=rng.choice(towns + [None]),
            team=rng.choice(teams + [None]), classification=rng.choice(CLASSIFICATIONS)[0],
            lead_representative=rng.choice(reps + [None, None]),
            leader_in_charge=rng.choice([None, "", "  ", "县长张某", "副县长李某"]),
            due_on=rng.choice([None, TODAY - 5 * DAY, TODAY - DAY, TODAY, TODAY + 3 * DAY, TODAY + 4 * DAY])))
    Petition.insert_many(rows).execute()
    return rows


def finished_at(row):
    """The reference rule, in Python: finished when closed or not accepted, never before received."""
    if row["status"] not in ("closed", "not_accepted"):
        return None
    closed = row["closed_at"]
    return row["received_at"] if closed is None or closed < row["received_at"] else closed


def reference(rows, period):
    counted = [r for r in rows if r["status"] != "void"]
    start, end = period.starts_at, period.ends_before

    def open_at(r, moment):
        done = finished_at(r)
        return r["received_at"] < moment and (done is None or done >= moment)

    def finished_in(r, status):
        done = finished_at(r)
        return r["status"] == status and done is not None and start <= done < end

    return {"open_start": sum(open_at(r, start) for r in counted),
            "new": sum(start <= r["received_at"] < end for r in counted),
            "closed": sum(finished_in(r, "closed") for r in counted),
            "not_accepted": sum(finished_in(r, "not_accepted") for r in counted),
            "open_end": sum(open_at(r, end) for r in counted),
            "leader_led": sum((open_at(r, start) or start <= r["received_at"] < end)
                              and bool((r["leader_in_charge"] or "").strip()) for r in counted)}


PERIODS = [
    pytest.param(statistics.month(2026, 11), id="this-month"),
    pytest.param(statistics.month(2025, 2), id="february"),
    pytest.param(statistics.quarter(2025, 4), id="quarter"),
    pytest.param(statistics.year(2024), id="first-year"),
    pytest.param(statistics.year(2025), id="year"),
    pytest.param(statistics.Period(dt.date(2024, 7, 15), dt.date(2026, 2, 3)), id="long-range"),
    pytest.param(statistics.Period(dt.date(2025, 6, 9), dt.date(2025, 6, 9)), id="one-day"),
    pytest.param(statistics.Period(dt.date(2023, 1, 1), dt.date(2023, 12, 31)), id="before-any-petition"),
]


@pytest.mark.parametrize("period", PERIODS)
def test_open_at_the_start_plus_new_minus_finished_is_open_at_the_end(random_petitions, period):
    figures = statistics.summary(period)
    assert figures["open_start"] + figures["new"] - figures["finished"] == figures["open_end"]
    assert figures["finished"] == figures["closed"] + figures["not_accepted"]
    assert figures["handled"] == figures["open_start"] + figures["new"]


@pytest.mark.parametrize("period", PERIODS)
def test_the_figures_follow_the_written_definitions(random_petitions, period):
    figures = statistics.summary(period)
    assert {k: figures[k] for k in reference(random_petitions, period)} == reference(random_petitions, period)


def test_one_period_ends_where_the_next_begins(random_petitions):
    for m in range(1, 12):
        assert statistics.summary(statistics.month(2025, m))["open_end"] == \
            statistics.summary(statistics.month(2025, m + 1))["open_start"]


def test_the_resolution_rate_is_closed_over_handled(random_petitions):
    figures = statistics.summary(statistics.year(2025))
    assert figures["resolution_rate"] == pytest.approx(figures["closed"] / figures["handled"])
    assert statistics.summary(statistics.year(2023))["resolution_rate"] is None  # nothing handled


def test_void_petitions_never_count(db, make_petition):
    petition = make_petition(received_at=dt.datetime(2026, 3, 2, 9, 0))
    period = statistics.month(2026, 3)
    assert statistics.summary(period)["new"] == 1
    workflow.void(petition, None, "重复登记", at=dt.datetime(2026, 3, 3, 9, 0))
    assert statistics.summary(period) == statistics.summary(statistics.month(2025, 3))  # all zero


def test_the_workflow_with_backdated_steps_feeds_the_figures(db, make_petition):
    """Registered, accepted, referred ... closed through models.workflow with `at=`: counted where they happened."""
    march, april = statistics.month(2026, 3), statistics.month(2026, 4)
    refused = make_petition(received_at=dt.datetime(2026, 3, 2, 9, 0))
    workflow.register(refused, None)
    workflow.reject(refused, None, "不属于信访事项", "《信访工作条例》第三十条", at=dt.datetime(2026, 4, 1, 9, 0))
    kept = make_petition(received_at=dt.datetime(2026, 3, 30, 9, 0))
    workflow.register(kept, None)
    workflow.accept(kept, None, at=dt.datetime(2026, 3, 31, 9, 0))
    keys = ("open_start", "new", "closed", "not_accepted", "open_end")
    assert [statistics.summary(march)[k] for k in keys] == [0, 2, 0, 0, 2]
    assert [statistics.summary(april)[k] for k in keys] == [2, 0, 0, 1, 1]


def test_overdue_and_due_soon_count_open_petitions_by_their_deadline(random_petitions):
    rows = [r for r in random_petitions if r["status"] in workflow.OPEN and r["due_on"] is not None]
    assert statistics.deadline_counts(TODAY) == {
        "overdue": sum(r["due_on"] < TODAY for r in rows),
        "due_soon": sum(TODAY <= r["due_on"] <= TODAY + 3 * DAY for r in rows)}


def test_the_scope_limits_every_petition_figure(random_petitions):
    town = Department.get(Department.name == "镇1")
    scope = Petition.town == town.id
    mine = [r for r in random_petitions if r["town"] is not None and r["town"].id == town.id]
    period = statistics.year(2025)
    assert {k: v for k, v in statistics.summary(period, scope).items() if k in reference(mine, period)} \
        == reference(mine, period)
    assert sum(r["new"] for r in statistics.breakdown("channel", period, scope)) == reference(mine, period)["new"]


# -- breakdowns against plain SQL ------------------------------------------------------------------------

FINISHED_SQL = ("CASE WHEN status IN ('closed', 'not_accepted') THEN CASE WHEN closed_at IS NULL OR closed_at < "
                "received_at THEN received_at ELSE closed_at END END")


def by_sql(db, column, where, period):
    p = db.param
    sql = ("SELECT %s, COUNT(*) FROM petition WHERE status <> 'void' AND %s GROUP BY %s"
           % (column, where.replace("FINISHED", FINISHED_SQL).replace("?", p), column))
    return {key: count for key, count in db.execute_sql(sql, (period.starts_at, period.ends_before)).fetchall()}


@pytest.mark.parametrize("dimension, column", [
    ("channel", "channel"), ("category", "category_id"), ("town", "town_id"), ("team", "team_id"),
    ("classification", "classification")])
@pytest.mark.parametrize("period", [statistics.month(2025, 10), statistics.year(2025),
                                    statistics.Period(dt.date(2024, 3, 1), dt.date(2026, 11, 27))],
                         ids=["month", "year", "range"])
def test_breakdowns_equal_counts_made_in_sql(db, random_petitions, dimension, column, period):
    rows = statistics.breakdown(dimension, period)
    new = by_sql(db, column, "received_at >= ? AND received_at < ?", period)
    closed = by_sql(db, column, "status = 'closed' AND FINISHED >= ? AND FINISHED < ?", period)
    refused = by_sql(db, column, "status = 'not_accepted' AND FINISHED >= ? AND FINISHED < ?", period)
    assert {r["key"]: r["new"] for r in rows if r["new"]} == new
    assert {r["key"]: r["closed"] for r in rows if r["closed"]} == closed
    assert {r["key"]: r["not_accepted"] for r in rows if r["not_accepted"]} == refused
    assert sum(r["new"] for r in rows) == statistics.summary(period)["new"]


def test_breakdown_labels_are_names_or_msgids_and_not_set_comes_last(random_petitions):
    period = statistics.year(2025)
    towns = statistics.breakdown("town", period)
    assert towns[-1]["key"] is None and towns[-1]["label"] is None
    assert {r["label"] for r in towns[:-1]} <= {"镇0", "镇1", "镇2", "镇3"}
    channels = statistics.breakdown("channel", period)
    assert [r["key"] for r in channels] == [c for c, _ in CHANNELS if c in {r["key"] for r in channels}]
    assert channels[0]["label"] == dict(CHANNELS)[channels[0]["key"]]


def test_the_trend_has_twelve_months_ending_with_the_period_and_matches_the_summary(db, random_petitions):
    months = statistics.trend(statistics.quarter(2026, 1))
    assert [m["month"].start for m in months][0] == dt.date(2025, 4, 1)
    assert months[-1]["month"] == statistics.month(2026, 3)
    for entry in months:
        figures = statistics.summary(entry["month"])
        assert (entry["new"], entry["closed"]) == (figures["new"], figures["closed"])


# -- follow-ups and the representatives' work ----------------------------------------------------------------

def test_satisfaction_is_satisfied_and_basically_satisfied_over_follow_ups(db, make_petition):
    petition = make_petition()
    for day, evaluation in ((1, "satisfied"), (2, "basically"), (3, "dissatisfied"), (4, "satisfied"),
                            (40, "dissatisfied")):
        FollowUp.create(petition=petition, followed_on=dt.date(2026, 10, 1) + (day - 1) * DAY, method="phone",
                        evaluation=evaluation)
    figures = statistics.satisfaction(statistics.month(2026, 10))
    assert (figures["follow_ups"], figures["satisfied"], figures["basically"], figures["dissatisfied"]) == (4, 2, 1, 1)
    assert figures["rate"] == pytest.approx(0.75)
    assert statistics.satisfaction(statistics.month(2026, 1))["rate"] is None


def test_the_representatives_work_per_person(db, make_petition):
    wang = Representative.create(name="王春月", kind="npc_deputy")
    li = Representative.create(name="李明", kind="cppcc_member")
    Representative.create(name="赵离任", kind="party_delegate", active=False)  # nothing to show: not listed
    period = statistics.month(2026, 11)
    for day, session in ((3, "am"), (3, "pm"), (27, "am"), (28, "am")):  # the 28th is after "today"
        DutyShift.create(representative=wang, on_date=dt.date(2026, 11, day), session=session)
    DutyShift.create(representative=li, on_date=dt.date(2026, 10, 31), session="am")  # before the period
    for day, kind, present in ((5, "reception", (wang, li)), (6, "hearing", (wang,)), (7, "hearing", (li,)),
                               (40, "hearing", (wang,))):
        visit = VisitLog.create(visited_at=dt.datetime(2026, 11, 1, 9) + (day - 1) * DAY if day < 30
                                else dt.datetime(2026, 9, 1, 9), kind=kind, place="联合接访大厅", summary="接访")
        for rep in present:
            VisitRepresentative.create(visit=visit, representative=rep)
    meeting = Consultation.create(held_at=dt.datetime(2026, 11, 10, 15), place="会诊室", agenda="疑难案件")
    ConsultationRepresentative.create(consultation=meeting, representative=li)
    make_petition(lead_representative=wang, status="closed", received_at=dt.datetime(2026, 9, 1, 9),
                  closed_at=dt.datetime(2026, 11, 12, 9))
    make_petition(lead_representative=wang, status="not_accepted", received_at=dt.datetime(2026, 11, 1, 9),
                  closed_at=dt.datetime(2026, 11, 2, 9))  # not accepted is not resolved
    rows = {r["name"]: r for r in statistics.representatives_work(period, TODAY)}
    assert set(rows) == {"王春月", "李明"}
    assert {k: rows["王春月"][k] for k in ("duty_shifts", "visits", "hearings", "consultations", "resolved")} == \
        {"duty_shifts": 3, "visits": 2, "hearings": 1, "consultations": 0, "resolved": 1}
    assert {k: rows["李明"][k] for k in ("duty_shifts", "visits", "hearings", "consultations", "resolved")} == \
        {"duty_shifts": 0, "visits": 2, "hearings": 1, "consultations": 1, "resolved": 0}


# -- reading the period ------------------------------------------------------------------------------------

@pytest.mark.parametrize("args, expected", [
    pytest.param({}, statistics.month(2026, 11), id="default-this-month"),
    pytest.param({"period": "month", "year": "2026", "month": "2"}, statistics.month(2026, 2), id="month"),
    pytest.param({"period": "month"}, statistics.month(2026, 11), id="month-defaults"),
    pytest.param({"period": "quarter", "q": "4"}, statistics.quarter(2026, 4), id="quarter"),
    pytest.param({"period": "quarter", "year": "2025", "q": "1"},
                 statistics.Period(dt.date(2025, 1, 1), dt.date(2025, 3, 31), "quarter"), id="quarter-dates"),
    pytest.param({"period": "year"}, statistics.year(2026), id="year"),
    pytest.param({"start": "2026-01-01", "end": "2026-03-31"},
                 statistics.Period(dt.date(2026, 1, 1), dt.date(2026, 3, 31)), id="range"),
    pytest.param({"period": "month", "year": "2024", "month": "2"},
                 statistics.Period(dt.date(2024, 2, 1), dt.date(2024, 2, 29), "month"), id="leap-february"),
])
def test_the_period_is_read_from_query_arguments(args, expected):
    assert statistics.period_from(args, TODAY) == expected


@pytest.mark.parametrize("args", [
    pytest.param({"period": "week"}, id="unknown-kind"),
    pytest.param({"period": "month", "month": "13"}, id="month-13"),
    pytest.param({"period": "month", "month": "abc"}, id="month-text"),
    pytest.param({"period": "quarter", "q": "5"}, id="quarter-5"),
    pytest.param({"period": "year", "year": "99999"}, id="year-too-far"),
    pytest.param({"period": "year", "year": "-1"}, id="year-negative"),
    pytest.param({"start": "2026-02-30", "end": "2026-03-31"}, id="no-such-day"),
    pytest.param({"start": "2026-03-31", "end": "2026-01-01"}, id="end-before-start"),
    pytest.param({"start": "2026-01-01"}, id="no-end"),
    pytest.param({"start": "0001-01-01", "end": "2026-01-01"}, id="year-one"),
])
def test_a_period_that_cannot_be_read_is_refused(args):
    with pytest.raises(ValidationError):
        statistics.period_from(args, TODAY)


@pytest.mark.parametrize("start, end", [
    ("2026-01-01", "2026-03-31"), ("2026/1/1", "2026/3/31"), ("2026年1月1日", "2026年3月31日"),
    ("20260101", "20260331"), ("２０２６－０１－０１", "２０２６年３月３１日"), (" 2026.1.1 ", "2026-3-31"),
])
def test_the_days_of_a_period_are_read_as_typed(start, end):
    expected = statistics.Period(dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert statistics.period_from({"period": "range", "start": start, "end": end}, TODAY) == expected


def test_an_unreadable_day_of_a_period_names_its_field_and_what_was_typed():
    with pytest.raises(ValidationError) as refused:
        statistics.period_from({"period": "range", "start": "2026-01-01", "end": "昨天"}, TODAY)
    assert refused.value.field == "end" and refused.value.params == {"value": "昨天"}
    with pytest.raises(ValidationError) as refused:
        statistics.period_from({"period": "range", "start": "", "end": "2026-01-01"}, TODAY)
    assert refused.value.field == "start"
