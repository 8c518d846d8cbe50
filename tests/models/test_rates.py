"""三率 (models/reports/rates.py) against counts made from the rows in plain Python, on seeded random data:
petitions in every state with their limits, referrals (some objected to, some replied late), 复诊 and the
petitioners' own evaluations (some of an earlier 答复), same-matter links and repeats."""
import datetime as dt
import random

import pytest

from models.casework import FollowUp, Referral
from models.evaluation import Evaluation
from models.organisation import Category, Department
from models.petition import Petition
from models.reports import rates, statistics
from models.workflow import repeats

TODAY = dt.date(2026, 11, 27)
FIRST, LAST = dt.datetime(2025, 1, 1), dt.datetime(2026, 11, 26)
DAY = dt.timedelta(days=1)
RATINGS = ("satisfied", "basically", "dissatisfied")


def _moment(rng, after, days):
    return after + dt.timedelta(days=rng.randrange(0, days), seconds=rng.randrange(86400))


def _not_leap_day(moment):
    """12 months before 29 February differs between databases and Python: the data avoids it."""
    return moment + DAY if (moment.month, moment.day) == (2, 29) else moment


@pytest.fixture
def world(db, make_petitioner, make_town):
    """300 random petitions and what hangs on them, inserted directly; returns the rows as Python dicts."""
    rng = random.Random(20261206)
    people = [make_petitioner() for _ in range(12)]
    categories = [Category.create(name="类别%d" % i) for i in range(3)] + [None]
    departments = [Department.create(name="部门%d" % i) for i in range(4)]
    span = int((LAST - FIRST).total_seconds())
    rows = []
    for n in range(300):
        received = _not_leap_day(FIRST + dt.timedelta(seconds=rng.randrange(span)))
        status = rng.choice(("registered", "not_accepted", "accepted", "referred", "handled", "answered",
                             "followed_up", "closed", "closed", "closed", "reviewed", "void"))
        row = dict(number="XF-R-%06d" % n, channel="visit", received_at=received, petitioner=rng.choice(people).id,
                   subject="事项", content="内容", status=status, category=rng.choice(categories),
                   notice_due=rng.choice([None] + [(received + 15 * DAY).date()] * 9),
                   accepted_at=None, closed_at=None, answered_at=None, handling_due=None, extension_days=0,
                   review_requested_at=None, recheck_requested_at=None)
        if status == "not_accepted":
            row["closed_at"] = rng.choice([None, _moment(rng, received, 25)])
        elif status != "registered" and not (status == "void" and rng.random() < 0.5):
            row["accepted_at"] = _moment(rng, received, 25)
            row["extension_days"] = rng.choice([0, 0, 0, 20])
            row["handling_due"] = rng.choice([None] + [(row["accepted_at"] + (60 + row["extension_days"]) * DAY)
                                                       .date()] * 9)
            if status in ("answered", "followed_up", "closed", "reviewed") or rng.random() < 0.1:
                row["answered_at"] = _moment(rng, row["accepted_at"], 90)
            if status == "closed":
                row["closed_at"] = _moment(rng, row["answered_at"] or row["accepted_at"], 30)
            if status in ("closed", "reviewed") and rng.random() < 0.3:
                row["review_requested_at"] = _moment(rng, received, 100)
                if rng.random() < 0.3:
                    row["recheck_requested_at"] = row["review_requested_at"] + DAY
        rows.append(row)
    Petition.insert_many(rows).execute()
    for row, petition in zip(rows, Petition.select().order_by(Petition.id)):
        row["id"], row["category"] = petition.id, row["category"].id if row["category"] else None
    repeats.recompute_all()
    stored = dict(Petition.select(Petition.id, Petition.is_repeat).tuples())
    for row in rows:
        row["is_repeat"] = bool(stored[row["id"]])

    referrals, follow_ups, evaluations, links = [], [], [], set()
    for row in rows:
        if row["accepted_at"] is not None:
            for _ in range(rng.choice([0, 1, 1, 1, 2, 3])):
                sent = _moment(rng, row["accepted_at"], 10) if rng.random() < 0.9 else row["accepted_at"]
                state = rng.choice(("sent", "replied", "replied", "objected"))
                referrals.append(dict(
                    petition=row["id"], department=rng.choice(departments).id, sent_at=sent, state=state,
                    due_on=(sent + rng.choice([10, 30, 60]) * DAY).date(),
                    replied_at=_moment(rng, sent, 70) if state == "replied" else None))
        if row["answered_at"] is not None:
            for _ in range(rng.choice([0, 0, 1, 1, 2])):
                follow_ups.append(dict(petition=row["id"], followed_on=rng.choice(
                    [row["answered_at"].date(), (row["answered_at"] + 3 * DAY).date()]),
                    method="phone", evaluation=rng.choice(RATINGS)))
            for answered in rng.sample([row["answered_at"], row["answered_at"] - 5 * DAY], rng.choice([0, 0, 1, 2])):
                evaluations.append(dict(petition=row["id"], answered_at=answered, rating=rng.choice(RATINGS)))
    by_person = {}
    for row in rows:
        by_person.setdefault(row["petitioner"], []).append(row["id"])
    for ids in by_person.values():
        if len(ids) > 1 and rng.random() < 0.6:
            first, second = sorted(rng.sample(ids, 2))
            links.add((first, second))
    Referral.insert_many(referrals).execute()
    FollowUp.insert_many(follow_ups).execute()
    Evaluation.insert_many(evaluations).execute()
    repeats.SameMatter.insert_many([dict(first=a, second=b) for a, b in links]).execute()
    repeats.recompute_all()  # the links make repeats too
    rates.recompute_all()  # rows inserted directly: what the hooks would have kept
    stored = dict(Petition.select(Petition.id, Petition.is_repeat).tuples())
    for row in rows:
        row["is_repeat"] = bool(stored[row["id"]])
    referrals = list(Referral.select().dicts())
    follow_ups = list(FollowUp.select().dicts())
    evaluations = list(Evaluation.select().dicts())
    return {"rows": rows, "referrals": referrals, "follow_ups": follow_ups, "evaluations": evaluations,
            "links": links, "departments": departments}


# -- the rules again, in plain Python ------------------------------------------------------------------------

def reference(world, period):
    rows, start, end = world["rows"], period.starts_at, period.ends_before
    cohort = [r for r in rows if r["status"] != "void" and start <= r["received_at"] < end]
    linked = world["links"] | {(b, a) for a, b in world["links"]}

    def rating(r):
        if r["answered_at"] is None:
            return None
        own = [e for e in world["evaluations"] if e["petition"] == r["id"] and e["answered_at"] == r["answered_at"]]
        if own:
            return own[0]["rating"]
        mine = [f for f in world["follow_ups"] if f["petition"] == r["id"]]
        return max(mine, key=lambda f: (f["followed_on"], f["id"]))["evaluation"] if mine else None

    def a_year_before(moment):
        return moment.replace(year=moment.year - 1)

    def has_later_repeat(r):
        for e in rows:
            if e["petitioner"] != r["petitioner"] or e["status"] == "void":
                continue
            if not (e["received_at"] > r["received_at"] or (e["received_at"] == r["received_at"] and e["id"] > r["id"])):
                continue
            same = r["category"] is not None and e["category"] == r["category"] \
                and a_year_before(e["received_at"]) <= r["received_at"]
            if same or (r["id"], e["id"]) in linked:
                return True
        return False

    def decided_at(r):
        return r["accepted_at"] or r["closed_at"]

    def ended_at(r):
        return r["answered_at"] or r["closed_at"]

    def flags(r):
        decided = r["accepted_at"] is not None or r["status"] == "not_accepted"
        accepted = r["accepted_at"] is not None
        return {
            "received": True,
            "acceptance_counted": decided or (r["notice_due"] is not None and r["notice_due"] < TODAY),
            "timely": decided and r["notice_due"] is not None and decided_at(r) is not None
            and decided_at(r).date() <= r["notice_due"],
            "handling_counted": accepted and (ended_at(r) is not None
                                              or (r["handling_due"] is not None and r["handling_due"] < TODAY)),
            "on_time": accepted and ended_at(r) is not None and r["handling_due"] is not None
            and ended_at(r).date() <= r["handling_due"],
            "answered": r["answered_at"] is not None,
            "evaluated": rating(r) is not None,
            "satisfied": rating(r) in ("satisfied", "basically"),
            "closed": r["status"] == "closed",
            "resolved_once": r["status"] == "closed" and r["review_requested_at"] is None
            and r["recheck_requested_at"] is None and not has_later_repeat(r),
            "repeat": r["is_repeat"],
        }

    office = {key: 0 for key in rates.OFFICE}
    by_department = {}
    for r in cohort:
        f = flags(r)
        for key, value in f.items():
            office[key] += bool(value)
        live = [x for x in world["referrals"] if x["petition"] == r["id"] and x["state"] != "objected"]
        if not live:
            continue
        handler = max(live, key=lambda x: (x["sent_at"], x["id"]))
        limit = handler["due_on"]
        if r["extension_days"] > 0 and r["handling_due"] is not None and r["handling_due"] > limit:
            limit = r["handling_due"]
        replied = handler["replied_at"]
        counted = replied is not None or limit < TODAY
        on = replied is not None and replied.date() <= limit
        d = by_department.setdefault(handler["department"], {key: 0 for key in rates.DEPARTMENT_COUNTS})
        d["referred"] += 1
        d["department_counted"] += counted
        d["department_on_time"] += counted and on
        d["department_overdue"] += counted and not on
        d["department_pending"] += not counted
        for key in ("answered", "evaluated", "satisfied", "closed", "resolved_once", "repeat"):
            d[key] += bool(f[key])
    return office, by_department


PERIODS = [statistics.year(2025), statistics.year(2026), statistics.quarter(2026, 2), statistics.month(2025, 7),
           statistics.Period(dt.date(2025, 3, 14), dt.date(2026, 4, 2))]


@pytest.mark.parametrize("period", PERIODS, ids=lambda p: "%s-%s" % (p.start, p.end))
def test_figures_match_a_recount_from_the_rows(world, period):
    expected_office, expected_departments = reference(world, period)
    got = rates.figures(period, TODAY)
    assert got["office"]["counts"] == expected_office
    assert {row["id"]: row["counts"] for row in got["departments"]} == expected_departments
    # the data is varied enough for each figure to mean something
    if period.kind == "year":
        assert all(expected_office[key] for key in expected_office), expected_office
        assert expected_office["timely"] < expected_office["acceptance_counted"]
        assert expected_office["satisfied"] < expected_office["evaluated"] < expected_office["answered"]
        assert expected_office["resolved_once"] < expected_office["closed"]
    for key, (numerator, denominator) in rates.RATES.items():
        counts = got["office"]["counts"]
        assert got["office"]["rates"][key] == (counts[numerator] / counts[denominator] if counts[denominator] else None)


@pytest.mark.parametrize("period", PERIODS[:2], ids=lambda p: str(p.start.year))
def test_each_measure_as_a_filter_selects_the_counted_petitions(world, period):
    """The list's filter applies the same conditions: each count is the number of petitions it selects."""
    got = rates.figures(period, TODAY)
    cohort = Petition.select().where(rates._cohort(period, None))
    for key, n in got["office"]["counts"].items():
        assert cohort.where(rates.condition(key, TODAY)).count() == n, key
    for row in got["departments"]:
        mine = cohort.where(rates.handled_by(row["id"]))
        assert mine.count() == row["counts"]["referred"]
        for key in rates.DEPARTMENT:
            assert mine.where(rates.condition(key, TODAY)).count() == row["counts"][key], (row["name"], key)


def test_ranking_by_on_time_rate_then_satisfaction(world):
    rows = rates.departments(statistics.year(2026), TODAY)
    keys = [(r["rates"]["on_time_rate"] or -1, r["rates"]["satisfaction_rate"] or -1) for r in rows]
    assert len(rows) == 4 and keys == sorted(keys, reverse=True)
    assert all(r["name"].startswith("部门") for r in rows)


def test_scope_narrows_every_figure(world):
    period = statistics.year(2026)
    person = world["rows"][0]["petitioner"]
    scoped = rates.figures(period, TODAY, Petition.petitioner == person)
    mine = dict(world, rows=[r for r in world["rows"] if r["petitioner"] == person or r["status"] == "void"])
    # a scope on the petition narrows the cohort, never the rows a condition looks at (later repeats of others)
    expected = reference(world, period)[0]
    assert scoped["office"]["counts"]["received"] == sum(
        1 for r in mine["rows"] if r["petitioner"] == person and r["status"] != "void"
        and period.starts_at <= r["received_at"] < period.ends_before)
    assert scoped["office"]["counts"]["received"] < expected["received"]


def test_an_evaluation_of_the_latest_answer_outweighs_the_follow_ups(db, make_petition):
    """The petitioner's own evaluation of the latest 答复 counts, not the staff's 复诊; one of an earlier 答复 does
    not, and the latest 复诊 then does."""
    answered = dt.datetime(2026, 3, 10, 10)
    petition = make_petition(received_at=dt.datetime(2026, 3, 1, 9), status="answered",
                             accepted_at=dt.datetime(2026, 3, 2, 9), answered_at=answered)
    FollowUp.create(petition=petition, followed_on=dt.date(2026, 3, 12), method="phone", evaluation="dissatisfied")
    period = statistics.year(2026)

    def counts():
        return rates.office(period, TODAY)["counts"]

    assert (counts()["evaluated"], counts()["satisfied"]) == (1, 0)
    Evaluation.create(petition=petition, answered_at=answered - DAY, rating="satisfied")  # an earlier 答复
    assert (counts()["evaluated"], counts()["satisfied"]) == (1, 0)
    Evaluation.create(petition=petition, answered_at=answered, rating="basically")
    assert (counts()["evaluated"], counts()["satisfied"]) == (1, 1)
    FollowUp.create(petition=petition, followed_on=dt.date(2026, 3, 20), method="home", evaluation="dissatisfied")
    assert counts()["satisfied"] == 1  # the petitioner's own still counts


# -- the stored columns follow every change -----------------------------------------------------------------

STORED = (Petition.id, Petition.rating_counted, Petition.repeated_later, Petition.handler, Petition.handler_due,
          Petition.handler_replied_at)


def stored():
    return sorted(Petition.select(*STORED).tuples())


def assert_fresh():
    """What the hooks kept equals a recount from the records."""
    kept = stored()
    rates.recompute_all()
    assert stored() == kept


def test_the_steps_keep_the_stored_columns(db, make_petitioner):
    from models import workflow

    person = make_petitioner()
    land = Category.create(name="土地")
    first_dept, second_dept = Department.create(name="自然资源局"), Department.create(name="住建局")
    received = dt.datetime(2026, 3, 2, 9)

    def new(day):
        return workflow.register(Petition(channel="visit", received_at=received + day * DAY, petitioner=person,
                                          subject="宅基地纠纷", content="内容", category=land), None)

    petition = new(0)
    workflow.accept(petition, None, at=received + DAY)
    referral = workflow.refer(petition, first_dept, None, at=received + 2 * DAY)
    assert Petition.get_by_id(petition.id).handler_id == first_dept.id
    workflow.object_to_referral(referral, None, "不属于本单位职责", at=received + 3 * DAY)
    assert Petition.get_by_id(petition.id).handler_id is None  # objected to: no 责任单位
    referral = workflow.refer(petition, second_dept, None, at=received + 4 * DAY)
    workflow.record_reply(referral, None, "support", "事实", "意见", "依据", at=received + 20 * DAY)
    row = Petition.get_by_id(petition.id)
    assert (row.handler_id, row.handler_replied_at, row.handler_due) == (
        second_dept.id, received + 20 * DAY, referral.due_on)
    assert_fresh()
    workflow.answer(petition, None, at=received + 25 * DAY)
    workflow.follow_up(petition, None, (received + 26 * DAY).date(), "phone", "dissatisfied",
                       at=received + 26 * DAY)
    assert Petition.get_by_id(petition.id).rating_counted == "dissatisfied"
    own = Evaluation.create(petition=petition, answered_at=received + 25 * DAY, rating="satisfied")
    assert Petition.get_by_id(petition.id).rating_counted == "satisfied"
    own.rating = "basically"
    own.save()
    assert Petition.get_by_id(petition.id).rating_counted == "basically"
    workflow.close(petition, None, at=received + 27 * DAY)
    assert_fresh()
    later = new(40)  # same person, same category, within 12 months: a 重件 of the first
    assert Petition.get_by_id(petition.id).repeated_later
    workflow.void(later, None, "登记错误")
    assert not Petition.get_by_id(petition.id).repeated_later
    other = Category.create(name="劳动")
    third = new(50)
    third.category = other
    third.save()
    assert not Petition.get_by_id(petition.id).repeated_later
    repeats.link(petition, third, None)  # linked as the same matter
    assert Petition.get_by_id(petition.id).repeated_later
    repeats.unlink(petition, third, None)
    assert not Petition.get_by_id(petition.id).repeated_later
    assert_fresh()
