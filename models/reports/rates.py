"""三率 and the studio's figures (issue 16 §2): 及时受理率, 按期办结率, 参评率, 满意率, 一次性化解率 and 重复信访, for the
信访机构 and for each 责任单位, over a period; the rules as conditions on Petition, so that the figures (one
aggregate query each) and the petition list's filter (admin_app: RateFilter) count the same rows. No Flask here.

The rules. The petitions counted in a period are those received within it, not void (本期登记件), as they stand
today (`today`):
- 及时受理 (timely): 受理 (accepted_at) or 不予受理 (closed_at of a petition not accepted) on or before its 告知 limit,
  notice_due: 15 days of receipt counted by models/deadlines.py (calendar days unless the office counts working
  days). Counted (应受理): those decided, and those still undecided whose limit has passed.
- 按期办结 (on time): accepted, and answered (答复, answered_at) or closed on or before its handling limit
  (handling_due: 60 days of acceptance plus an approved extension). Counted (应办结): accepted and answered or
  closed, or past the limit.
- 参评 (evaluated): answered, and evaluated: the evaluation that counts is the petitioner's own (Evaluation) of the
  latest 答复 when there is one, else that of the latest 复诊 (FollowUp, by date then entry). 参评率 = evaluated ÷
  answered; 满意率 = (满意 + 基本满意) ÷ evaluated.
- 一次性化解 (resolved at once): closed (办结), no 复查 or 复核 requested, and no 重件 of it: no later petition (not
  void) of the same petitioner of the same category received within the 重件 window after it (12 months,
  models/workflow/repeats.py), nor one linked to it as the same matter. 一次性化解率 = that ÷ closed.
- 重复信访: the petitions that are themselves 重件 (is_repeat).
- 责任单位 of a petition: the department of its latest referral (转送/交办) not objected to. A department's petitions
  are those the rules above count that it is the 责任单位 of; its 按期办结 reads its own referral: replied on or
  before the referral's due date (or the petition's extended handling limit, when that was extended and is later);
  counted: replied, or past that date; 超期 = counted − on time.

What a rule reads from other records (the evaluation that counts, a later 重件, the 责任单位's referral) is kept on
the petition (rating_counted, repeated_later, handler, handler_due, handler_replied_at: derived(), the rules'
SQL) and refreshed after each save of the petition, of its person's petitions, its referrals, follow-ups and
evaluations (the hooks below), so a year's figures read one range of one index (RATES_INDEX) at a million petitions.
"""
import datetime as dt

from peewee import SQL, Case, PostgresqlDatabase, fn

from ..casework import FollowUp, Referral
from ..db import database
from ..evaluation import Evaluation
from ..organisation import Department
from ..petition import AFTER_SAVE, RELATED_SAVED, Petition
from ..workflow import repeats
from .statistics import COUNTED, ratio, received_in

GOOD = ("satisfied", "basically")


def _day(moment):
    """The day of a timestamp, on both databases (SQLite's date(), PostgreSQL's date cast)."""
    return fn.DATE(moment)


def _postgres():
    return isinstance(getattr(database, "obj", database), PostgresqlDatabase)


# -- the office's conditions on a petition (today: the day the figures are counted on) ---------------------------

DECIDED = Petition.accepted_at.is_null(False) | (Petition.status == "not_accepted")
DECIDED_AT = fn.COALESCE(Petition.accepted_at, Petition.closed_at)
ENDED_AT = fn.COALESCE(Petition.answered_at, Petition.closed_at)
ACCEPTED = Petition.accepted_at.is_null(False)


def timely(today):
    return DECIDED & Petition.notice_due.is_null(False) & DECIDED_AT.is_null(False) & (
        _day(DECIDED_AT) <= Petition.notice_due)


def acceptance_counted(today):
    return DECIDED | (Petition.notice_due < today)


def on_time(today):
    return ACCEPTED & ENDED_AT.is_null(False) & Petition.handling_due.is_null(False) & (
        _day(ENDED_AT) <= Petition.handling_due)


def handling_counted(today):
    return ACCEPTED & (ENDED_AT.is_null(False) | (Petition.handling_due < today))


ANSWERED = Petition.answered_at.is_null(False)


def _own_evaluation():
    """The petitioner's evaluation of the latest 答复, a correlated subquery (its rating)."""
    return (Evaluation.select(Evaluation.rating)
            .where((Evaluation.petition == Petition.id) & (Evaluation.answered_at == Petition.answered_at)))


def _latest_follow_up():
    return (FollowUp.select(FollowUp.evaluation).where(FollowUp.petition == Petition.id)
            .order_by(FollowUp.followed_on.desc(), FollowUp.id.desc()).limit(1))


def evaluation_that_counts():
    """The rating that counts for a petition (None when it has none): its own evaluation of the latest 答复,
    else that of the latest 复诊."""
    return fn.COALESCE(_own_evaluation(), _latest_follow_up())


def evaluated(today=None):
    return ANSWERED & Petition.rating_counted.is_null(False)


def satisfied(today=None):
    return ANSWERED & Petition.rating_counted.in_(GOOD)


CLOSED = Petition.status == "closed"


def _later_repeat():
    """A later petition of the same petitioner that is a 重件 of this one (repeats.py's rule read backwards)."""
    later = Petition.alias("later")
    months = repeats.window_months()
    if _postgres():
        since = later.received_at - SQL("interval '%d months'" % months)
    else:
        since = fn.datetime(later.received_at, "-%d months" % months)
    same_matter = repeats.SameMatter
    linked = fn.EXISTS(same_matter.select(SQL("1")).where(
        ((same_matter.first == Petition.id) & (same_matter.second == later.id))
        | ((same_matter.second == Petition.id) & (same_matter.first == later.id))))
    return fn.EXISTS(later.select(SQL("1")).where(
        (later.petitioner == Petition.petitioner) & (later.status != "void")
        & ((later.received_at > Petition.received_at)
           | ((later.received_at == Petition.received_at) & (later.id > Petition.id)))
        & (((later.category == Petition.category) & (since <= Petition.received_at)) | linked)))


def resolved_once(today=None):
    return (CLOSED & Petition.review_requested_at.is_null() & Petition.recheck_requested_at.is_null()
            & (Petition.repeated_later == False))  # noqa: E712


def closed(today=None):
    return CLOSED


def repeat(today=None):
    return Petition.is_repeat == True  # noqa: E712 (a peewee expression)


def answered(today=None):
    return ANSWERED


# -- the 责任单位 ---------------------------------------------------------------------------------------------

def latest_referral(petition_id):
    """The id of the petition's latest referral not objected to (its 责任单位's), a correlated subquery."""
    other = Referral.alias("latest")
    return (other.select(other.id).where((other.petition == petition_id) & (other.state != "objected"))
            .order_by(other.sent_at.desc(), other.id.desc()).limit(1))


def _referral_limit(referral):
    """The department's limit: its referral's due date, or the petition's handling limit once that was extended
    beyond it."""
    return Case(None, (((Petition.extension_days > 0) & (Petition.handling_due > referral.due_on),
                        Petition.handling_due),), referral.due_on)


def department_on_time(today=None):
    return Petition.handler.is_null(False) & Petition.handler_replied_at.is_null(False) & (
        _day(Petition.handler_replied_at) <= Petition.handler_due)


def department_counted(today):
    return Petition.handler.is_null(False) & (
        Petition.handler_replied_at.is_null(False) | (Petition.handler_due < today))


def handled_by(department_id):
    """The petitions whose 责任单位 is this department."""
    return Petition.handler == department_id


# -- the stored columns: what the figures read from other records, refreshed after every change -----------------

def _of_handler(column):
    """A column of the petition's 责任单位 referral, a correlated subquery."""
    referral = Referral.alias("handler")
    return referral.select(column(referral)).where(referral.id == latest_referral(Petition.id))


def derived():
    """{column: expression} of the stored columns, each from the records it sums up."""
    return {Petition.rating_counted: evaluation_that_counts(), Petition.repeated_later: _later_repeat(),
            Petition.handler: _of_handler(lambda r: r.department),
            Petition.handler_due: _of_handler(_referral_limit),
            Petition.handler_replied_at: _of_handler(lambda r: r.replied_at)}


def refresh(where):
    """Recompute the stored columns of the petitions meeting a condition (inside the caller's transaction)."""
    Petition.update(derived()).where(where).execute()


def refresh_people(petitioner_ids):
    """Every petition of these people (a 重件 of one of them changes whether an earlier one repeats later)."""
    ids = sorted({i for i in petitioner_ids if i is not None})
    if ids:
        refresh(Petition.petitioner.in_(ids))


def recompute_all(db=None):
    """Every petition at once (the migration; after a bulk load)."""
    refresh(SQL("1 = 1"))


def _after_save(petition, new, changed, former):
    refresh_people([petition.petitioner_id, former])


def _related_saved(petition_id):
    refresh(Petition.id == petition_id)


for _hooks, _hook in ((AFTER_SAVE, _after_save), (RELATED_SAVED, _related_saved),
                      (repeats.AFTER_REFRESH, refresh_people)):
    if _hook not in _hooks:
        _hooks.append(_hook)

# The figures of a year read one range of this index, nothing else (SQLite and PostgreSQL alike).
RATES_INDEX = ("CREATE INDEX IF NOT EXISTS petition_rates ON petition (received_at, status, accepted_at, notice_due, "
               "handling_due, answered_at, closed_at, review_requested_at, recheck_requested_at, is_repeat, "
               "rating_counted, repeated_later, handler_id, handler_due, handler_replied_at)")


def install(db):
    """The stored columns' index (schema version 27); the caller adds the columns and recomputes."""
    db.execute_sql(RATES_INDEX)


# -- the measures: (key, condition on a petition) --------------------------------------------------------------
# Each key is also a value of the petition list's filter (RateFilter), which applies the same condition.

OFFICE = {
    "received": lambda today: SQL("1 = 1"),
    "acceptance_counted": acceptance_counted, "timely": timely,
    "handling_counted": handling_counted, "on_time": on_time,
    "answered": answered, "evaluated": evaluated, "satisfied": satisfied,
    "closed": closed, "resolved_once": resolved_once, "repeat": repeat,
}
DEPARTMENT = {
    "department_counted": department_counted,
    "department_on_time": lambda today: department_counted(today) & department_on_time(today),
    "department_overdue": lambda today: department_counted(today) & ~department_on_time(today),
    "department_pending": lambda today: Petition.handler.is_null(False) & ~department_counted(today),
}
MEASURES = dict(OFFICE, **DEPARTMENT)
# The rates: key -> (numerator, denominator)
RATES = {
    "timely_rate": ("timely", "acceptance_counted"),
    "on_time_rate": ("on_time", "handling_counted"),
    "evaluation_rate": ("evaluated", "answered"),
    "satisfaction_rate": ("satisfied", "evaluated"),
    "resolved_once_rate": ("resolved_once", "closed"),
}
DEPARTMENT_RATES = dict(RATES, on_time_rate=("department_on_time", "department_counted"))
DEPARTMENT_RATES.pop("timely_rate")  # 受理 is the office's act, not the department's


def condition(key, today):
    """The condition of a measure (a key of MEASURES), for the list's filter."""
    return MEASURES[key](today)


def _ints(names, row):
    return {name: int(value or 0) for name, value in zip(names, row)}


def _tally(expression):
    return fn.COALESCE(fn.SUM(Case(None, ((expression, 1),), 0)), 0)


def _cohort(period, scope):
    where = COUNTED & received_in(period)
    return where if scope is None else where & scope


def office_query(period, today, scope=None):
    """One row: each measure of OFFICE counted over the period's petitions."""
    return Petition.select(*[_tally(OFFICE[name](today)) for name in OFFICE]).where(_cohort(period, scope))


def office(period, today, scope=None):
    """The office's counts {measure: n} and rates {rate: fraction or None} for the period."""
    counts = _ints(list(OFFICE), office_query(period, today, scope).tuples().get())
    return {"counts": counts, "rates": rates_of(counts, RATES)}


def rates_of(counts, rates):
    return {key: ratio(counts[num], counts[den]) for key, (num, den) in rates.items()}


DEPARTMENT_COUNTS = ("referred", "department_counted", "department_on_time", "department_overdue",
                     "department_pending", "answered", "evaluated", "satisfied", "closed", "resolved_once", "repeat")


def departments_query(period, today, scope=None):
    """A row per 责任单位: its id and each of DEPARTMENT_COUNTS."""
    expressions = {"referred": SQL("1 = 1"), **{name: MEASURES[name](today) for name in DEPARTMENT_COUNTS
                                                if name in MEASURES}}
    return (Petition.select(Petition.handler, *[_tally(expressions[name]) for name in DEPARTMENT_COUNTS])
            .where(_cohort(period, scope) & Petition.handler.is_null(False)).group_by(Petition.handler))


def departments(period, today, scope=None):
    """Per 责任单位 of the period's petitions: [{id, name, counts, rates}], ranked: on-time rate, then satisfaction,
    then referrals (highest first), departments without a figure left out."""
    rows = []
    for values in departments_query(period, today, scope).tuples():
        counts = _ints(DEPARTMENT_COUNTS, values[1:])
        rows.append({"id": values[0], "counts": counts, "rates": rates_of(counts, DEPARTMENT_RATES)})
    names = dict(Department.select(Department.id, Department.name)
                 .where(Department.id.in_([r["id"] for r in rows])).tuples()) if rows else {}
    for row in rows:
        row["name"] = names.get(row["id"], "")

    def rank(row):
        rates = row["rates"]
        return (-(rates["on_time_rate"] if rates["on_time_rate"] is not None else -1),
                -(rates["satisfaction_rate"] if rates["satisfaction_rate"] is not None else -1),
                -row["counts"]["referred"], row["name"])

    rows.sort(key=rank)
    return rows


def figures(period, today, scope=None):
    """Both: {"office": office(), "departments": departments()}."""
    return {"office": office(period, today, scope), "departments": departments(period, today, scope)}
