"""减存控增 in figures: the backlog (存量), the inflow (增量), what was finished, 化解率, breakdowns and the
representatives' work, for a period; every figure is one SQL aggregate (no Flask here).

The rules, for a period [start, end] (whole days, both included):
- a void petition never counts, in any figure;
- a petition is *finished* when it is closed (办结) or not accepted (不予受理); its finishing time is
  closed_at (the workflow writes it for both), or its received time when closed_at is missing or earlier;
- open at a moment T: received before T and not finished before T;
- open at the start (期初存量) = open at start; new (本期新增) = received within the period;
  finished in the period = closed + not accepted within it; open at the end (期末存量) = open at end + 1 day.
  Hence, exactly: open at the start + new − finished = open at the end;
- 化解率 = closed ÷ handled, handled = open at the start + new;
- 本局（工作室）自行办理: the petitions whose handling result the office (or its studio) recorded itself within
  the period (models/workflow/own_result.py), by the day it was handled.

`scope` is an optional where-clause on Petition (what a user may see); None counts every petition, and then
the whole months of a period are read from the monthly tallies (tallies.py, kept by triggers) and only
the days at its edges from the petitions themselves.
"""
import calendar
import datetime as dt
from collections import Counter
from dataclasses import dataclass

from peewee import SQL, Case, fn

from .. import dates, deadlines, workflow
from . import tallies
from ..casework import (
    Consultation, ConsultationRepresentative, DutyShift, FollowUp, OwnResult, VisitLog, VisitRepresentative,
)
from ..errors import N_, ValidationError
from ..organisation import Category, Department
from ..people import Representative, Team
from ..petition import CHANNELS, CLASSIFICATIONS, STATUSES, Petition

FINISHED = ("closed", "not_accepted")
ROWS = fn.COUNT(SQL("*"))  # not COUNT(id): PostgreSQL's indexes do not hold the id, and could not answer alone
TREND_MONTHS = 12
EARLIEST_YEAR = 1990  # periods before this are a typing error, not the office's history
KINDS = ("month", "quarter", "year", "range")


# -- the period ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    """Whole days from start to end, both included; kind is month, quarter, year or range."""

    start: dt.date
    end: dt.date
    kind: str = "range"

    @property
    def starts_at(self):
        return dt.datetime.combine(self.start, dt.time())

    @property
    def ends_before(self):
        """The first moment after the period."""
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time())

    @property
    def quarter(self):
        return (self.start.month - 1) // 3 + 1


def month(year, month_):
    return Period(dt.date(year, month_, 1), dt.date(year, month_, calendar.monthrange(year, month_)[1]), "month")


def quarter(year, q):
    first = 3 * (q - 1) + 1
    return Period(dt.date(year, first, 1), month(year, first + 2).end, "quarter")


def year(year_):
    return Period(dt.date(year_, 1, 1), dt.date(year_, 12, 31), "year")


def default_period(today):
    """This month."""
    return month(today.year, today.month)


def period_from(args, today):
    """The period asked for by query arguments (a mapping of strings):

        (nothing)                          this month
        period=month&year=2026&month=11    a month (year and month default to today's)
        period=quarter&year=2026&q=4       a quarter
        period=year&year=2026              a year
        start=2026-01-01&end=2026-03-31    any range (period=range, or no period at all); each day typed in
                                           any form models/dates.py reads (2026/1/1, 2026年1月1日, 20260101...)

    Raises ValidationError for values it cannot read, an end before the start, or a year out of range.
    """
    args = {k: (args.get(k) or "").strip() for k in ("period", "year", "month", "q", "start", "end")}
    kind = args["period"] or ("range" if args["start"] or args["end"] else "")
    if not kind:
        return default_period(today)
    if kind not in KINDS:
        raise ValidationError(N_("Unknown kind of period."), field="period")
    if kind == "range":
        start, end = _date(args["start"], "start"), _date(args["end"], "end")
        if end < start:
            raise ValidationError(N_("The end of the period is before its start."), field="end")
        for day in (start, end):
            _year(str(day.year), today)
        return Period(start, end, "range")
    year_ = _year(args["year"], today) if args["year"] else today.year
    if kind == "month":
        return month(year_, _number(args["month"], 12, N_("The month is from 1 to 12."), "month")
                     if args["month"] else today.month)
    if kind == "quarter":
        return quarter(year_, _number(args["q"], 4, N_("The quarter is from 1 to 4."), "q")
                       if args["q"] else (today.month - 1) // 3 + 1)
    return year(year_)


def _number(text, high, message, field):
    if not text.isdigit() or not 1 <= int(text) <= high:
        raise ValidationError(message, field=field)
    return int(text)


def _year(text, today):
    if not text.isdigit() or not EARLIEST_YEAR <= int(text) <= today.year + 1:
        raise ValidationError(N_("The year is out of range."), field="year")
    return int(text)


def _date(text, field):
    """A day typed in any form models/dates.py reads (2022/12/9, 2022年12月9日, 20221209...)."""
    if not text:
        raise ValidationError(N_("Please give the first and the last day of the period."), field=field)
    try:
        return dates.parse_date(text)
    except dates.DateUnreadable as err:
        err.field = field
        raise


def trend_months(period):
    """The TREND_MONTHS months that end with the period's last month, as month periods."""
    y, m = period.end.year, period.end.month
    months = []
    for _ in range(TREND_MONTHS):
        months.append(month(y, m))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return months[::-1]


# -- expressions ----------------------------------------------------------------------------------------

# When a petition was finished (closed or not accepted), never before it was received; NULL while open.
FINISHED_AT = Case(None, ((Petition.status.in_(FINISHED),
                           Case(None, ((Petition.closed_at.is_null() | (Petition.closed_at < Petition.received_at),
                                        Petition.received_at),), Petition.closed_at)),), None)
COUNTED = Petition.status != "void"
OPEN_STATUSES = tuple(code for code, _ in STATUSES if code not in FINISHED + ("void",))
# A finished petition's finishing time is its closing time (NORMAL), or its receipt when the closing time is
# missing or earlier (ODD): each kind is read through its own index (schema.STATISTICS_INDEXES).
NORMAL = Petition.closed_at >= Petition.received_at
ODD = Petition.closed_at.is_null() | (Petition.closed_at < Petition.received_at)


def received_in(period):
    return received_between(period.starts_at, period.ends_before)


def received_between(start, end):
    """Received in [start, end); end None for no end."""
    where = Petition.received_at >= start
    return where if end is None else where & (Petition.received_at < end)


def finished_between(statuses, start, end):
    """The petitions of these finishing statuses finished in [start, end) (end None for no end), as two
    disjoint conditions, the first read by the closing time, the second by the receipt; counts and groups add
    up over both."""
    finished = Petition.status.in_(statuses)
    by_closing = Petition.closed_at >= start
    if end is not None:
        by_closing &= Petition.closed_at < end
    return [finished & by_closing & NORMAL, finished & received_between(start, end) & ODD]


def led_by_leader():
    return (Petition.leader_in_charge > "") & (fn.TRIM(Petition.leader_in_charge) != "")  # > "": by its index


def tally(condition):
    """SUM(CASE WHEN condition THEN value ELSE 0 END)."""
    return fn.COALESCE(fn.SUM(Case(None, ((condition, 1),), 0)), 0)


def petitions(scope=None, *fields):
    """The counted petitions (void ones never are), within the scope."""
    query = Petition.select(*fields).where(COUNTED)
    return query if scope is None else query.where(scope)


def count(where, scope=None):
    return petitions(scope, ROWS).where(where).scalar() or 0


def finished_parts(statuses, start, end, scope=None):
    """finished_between's conditions that hold for some petition: the second (a closing time missing or before
    the receipt, an old register's habit) is usually empty, and a count says so before any grouping."""
    first, second = finished_between(statuses, start, end)
    return [first] + ([second] if count(second, scope) else [])


# -- whole months from the tallies, the rest from the petitions ---------------------------------------------

MEASURES = tallies.MEASURES  # new (by receipt), closed and not_accepted (by finishing)
COLUMNS = {"channel": Petition.channel, "category": Petition.category, "town": Petition.town,
           "team": Petition.team, "classification": Petition.classification, "lead": Petition.lead_representative}


def _month_start(moment):
    return dt.datetime(moment.year, moment.month, 1)


def _next_month(moment):
    return dt.datetime(moment.year + moment.month // 12, moment.month % 12 + 1, 1)


def split(start, end):
    """[start, end) (end None for no end) as (first, last, edges): the whole months in it as month keys (first
    None when there is none; last None for no end), and the ranges left at its edges."""
    first = start if start == _month_start(start) else _next_month(start)
    head = [(start, first)] if start < first else []
    if end is None:
        return tallies.month_key(first), None, head
    after = _month_start(end)  # the whole months end here
    if first >= after:
        return None, None, [(start, end)]
    last = after - dt.timedelta(days=1)
    return tallies.month_key(first), tallies.month_key(last), head + ([(after, end)] if after < end else [])


def total(measure, start, end=None, scope=None):
    """How many petitions were received (measure new) or finished (closed, not_accepted) in [start, end)."""
    if scope is not None:
        return _count(measure, start, end, scope)
    first, last, edges = split(start, end)
    whole = sum(tallies.read([measure], first, last, ["channel"]).values()) if first else 0
    return whole + sum(_count(measure, s, e) for s, e in edges)


def _count(measure, start, end, scope=None):
    if measure == "new":
        return count(received_between(start, end), scope)
    return sum(count(part, scope) for part in finished_between((measure,), start, end))


def grouped(start, end, dimensions, measures=MEASURES, scope=None):
    """Counter {(measure, dimension, value): n}: the petitions received or finished in [start, end) by each
    dimension's value (None for not set)."""
    if scope is not None:
        return _grouped(start, end, dimensions, measures, scope)
    first, last, edges = split(start, end)
    sums = Counter(tallies.read(measures, first, last, dimensions) if first else {})
    for s, e in edges:
        sums.update(_grouped(s, e, dimensions, measures))
    return sums


def _grouped(start, end, dimensions, measures, scope=None):
    """grouped() from the petitions: grouped over every dimension's column at once, the new by their receipt,
    the finished by their status; each read from an index that holds the columns (schema.STATISTICS_INDEXES)."""
    columns = [COLUMNS[name] for name in dimensions]
    sums = Counter()

    def add(query, measure_of):
        for values in query.tuples():
            for name, value in zip(dimensions, values):
                sums[(measure_of(values), name, value)] += int(values[-1])

    if "new" in measures:
        add(petitions(scope, *columns, ROWS).where(received_between(start, end))
            .group_by(*columns), lambda values: "new")
    statuses = [measure for measure in measures if measure != "new"]
    if statuses:
        for part in finished_parts(statuses, start, end, scope):
            add(petitions(scope, *columns, Petition.status, ROWS).where(part)
                .group_by(*columns, Petition.status), lambda values: values[-2])
    return sums


def open_at(moment, scope=None):
    """Open at a moment: received before it and not finished before it. Counted from today backwards (open
    now, plus finished since, less received since), so a recent moment reads only the recent rows:
        open(T) = open now + finished at or after T − received at or after T
    (a petition received after T is finished after T too, if at all)."""
    open_now = count(Petition.status.in_(OPEN_STATUSES), scope)
    return (open_now + total("closed", moment, None, scope) + total("not_accepted", moment, None, scope)
            - total("new", moment, None, scope))


def _ints(row):
    return [int(value or 0) for value in row]


def ratio(part, whole):
    """part ÷ whole, or None when there is nothing to divide by."""
    return part / whole if whole else None


# -- the figures --------------------------------------------------------------------------------------------

def summary(period, scope=None):
    """The period's figures: open at the start, new, closed, not accepted, finished, open at the end (open at
    the start + new − finished, which is what open at the end means), handled, 化解率 (closed ÷ handled) and the
    cases led by county leaders among those handled. Each a count over an index range."""
    start, end = period.starts_at, period.ends_before
    open_start = open_at(start, scope)
    new = total("new", start, end, scope)
    closed = total("closed", start, end, scope)
    not_accepted = total("not_accepted", start, end, scope)
    handled = open_start + new
    # the few led by a county leader (read by their own index), each checked against the definition
    open_then = (Petition.received_at < start) & (Petition.status.not_in(FINISHED) | (FINISHED_AT >= start))
    led = petitions(scope, Petition.id).where(led_by_leader())
    leader_led = count(Petition.id.in_(led) & (open_then | received_in(period)), scope)
    return {"open_start": open_start, "new": new, "closed": closed, "not_accepted": not_accepted,
            "finished": closed + not_accepted, "open_end": open_start + new - closed - not_accepted,
            "handled": handled, "resolution_rate": ratio(closed, handled), "leader_led": leader_led,
            "own_resolved": own_resolved(period, scope)}


def own_resolved(period, scope=None):
    """本局（工作室）自行办理: petitions (not void) whose result the office or its studio recorded itself, handled
    within the period."""
    query = (OwnResult.select(fn.COUNT(OwnResult.id)).join(Petition)
             .where((OwnResult.handled_at >= period.starts_at) & (OwnResult.handled_at < period.ends_before) & COUNTED))
    if scope is not None:
        query = query.where(scope)
    return query.scalar() or 0


def by_status(scope=None):
    """{status: how many petitions have it now}, void ones included. Without a scope the finished, nearly all of
    a large archive, are read from the tallies (every month), the others from the status index."""
    if scope is not None:
        return dict(Petition.select(Petition.status, ROWS).where(scope)
                    .group_by(Petition.status).tuples())
    others = [code for code, _ in STATUSES if code not in FINISHED]
    counts = dict(Petition.select(Petition.status, ROWS).where(Petition.status.in_(others))
                  .group_by(Petition.status).tuples())
    for (measure, _, _), n in tallies.read(FINISHED, 0, None, ["channel"]).items():
        counts[measure] = counts.get(measure, 0) + n
    return counts


def deadline_counts(today, scope=None):
    """Open petitions past their present deadline (已超期), and those due within DUE_SOON_DAYS (即将到期)."""
    soon = today + dt.timedelta(days=deadlines.DUE_SOON_DAYS)
    row = petitions(scope, tally(Petition.due_on < today), tally(Petition.due_on.between(today, soon))).where(
        Petition.status.in_(workflow.OPEN) & Petition.due_on.is_null(False)).tuples().get()
    overdue, due_soon = _ints(row)
    return {"overdue": overdue, "due_soon": due_soon}


def satisfaction(period, scope=None):
    """Follow-ups (复诊) made in the period and how the petitioners evaluated the handling; the rate is
    (satisfied + basically satisfied) ÷ follow-ups."""
    query = (FollowUp.select(fn.COUNT(FollowUp.id), tally(FollowUp.evaluation == "satisfied"),
                             tally(FollowUp.evaluation == "basically"))
             .join(Petition).where(FollowUp.followed_on.between(period.start, period.end) & COUNTED))
    if scope is not None:
        query = query.where(scope)
    total, satisfied, basically = _ints(query.tuples().get())
    return {"follow_ups": total, "satisfied": satisfied, "basically": basically,
            "dissatisfied": total - satisfied - basically, "rate": ratio(satisfied + basically, total)}


# (name, column, choices or the model whose name labels it)
DIMENSIONS = (
    ("channel", Petition.channel, CHANNELS),
    ("category", Petition.category, Category),
    ("town", Petition.town, Department),
    ("team", Petition.team, Team),
    ("classification", Petition.classification, CLASSIFICATIONS),
)


def breakdowns(period, scope=None):
    """New, closed and not accepted in the period by each of DIMENSIONS: {dimension: rows}, a row being key
    (a code, an id, or None for 'not set'), label (a msgid for choices, else the name), new, closed,
    not_accepted. Only rows with a figure; choices in their order, records by most new, 'not set' last."""
    names = [name for name, _, _ in DIMENSIONS]
    counts = grouped(period.starts_at, period.ends_before, names, MEASURES, scope)
    sums = {name: {} for name in names}
    for (measure, name, key), n in counts.items():
        sums[name].setdefault(key, [0, 0, 0])[MEASURES.index(measure)] += n
    return {name: _rows(labels, sums[name]) for name, _, labels in DIMENSIONS}


def _rows(labels, sums):
    choices = isinstance(labels, tuple)
    if choices:
        names = dict(labels)
    else:
        ids = [key for key in sums if key is not None]
        names = dict(labels.select(labels.id, labels.name).where(labels.id.in_(ids)).tuples()) if ids else {}
    rows = [{"key": key, "label": names.get(key, key) if key is not None else None, "new": new, "closed": closed,
             "not_accepted": not_accepted}
            for key, (new, closed, not_accepted) in sums.items() if new or closed or not_accepted]
    if choices:
        order = {code: i for i, (code, _) in enumerate(labels)}
        rows.sort(key=lambda r: order.get(r["key"], len(order)))
    else:
        rows.sort(key=lambda r: (r["key"] is None, -r["new"], -r["closed"], r["key"] or 0))
    return rows


def breakdown(dimension, period, scope=None):
    """One dimension of breakdowns()."""
    return breakdowns(period, scope)[dimension]


def trend(period, scope=None):
    """New and closed in each of the TREND_MONTHS months ending with the period's month: from the tallies, or
    for a scope by grouped queries, each petition put in its month by one CASE."""
    months = trend_months(period)
    if scope is None:
        counts = tallies.by_month(("new", "closed"), tallies.month_key(months[0].start),
                                  tallies.month_key(months[-1].start))
        return [{"month": m, "new": counts.get((tallies.month_key(m.start), "new"), 0),
                 "closed": counts.get((tallies.month_key(m.start), "closed"), 0)} for m in months]
    window = Period(months[0].start, months[-1].end)

    def per_month(moment, where):
        bucket = Case(None, [(moment < m.ends_before, i) for i, m in enumerate(months)], None)
        return {i: int(n) for i, n in petitions(scope, bucket, ROWS).where(where)
                .group_by(bucket).tuples()}

    new = per_month(Petition.received_at, received_in(window))
    closed = {}
    for part, moment in zip(finished_parts(("closed",), window.starts_at, window.ends_before, scope),
                            (Petition.closed_at, Petition.received_at)):
        for i, n in per_month(moment, part).items():
            closed[i] = closed.get(i, 0) + n
    return [{"month": m, "new": new.get(i, 0), "closed": closed.get(i, 0)} for i, m in enumerate(months)]


def representatives_work(period, today, scope=None):
    """What each representative did in the period: duty shifts held (up to today), visit logs they were
    present at, of which hearings (听访), consultations (会诊), and petitions they led that were closed.
    Every active representative is listed, and an inactive one with something to show."""
    last_day = held_until(period, today)
    duty = dict(DutyShift.select(DutyShift.representative, fn.COUNT(DutyShift.id))
                .where(DutyShift.on_date.between(period.start, last_day))
                .group_by(DutyShift.representative).tuples())
    visits = {rep: (int(n), int(h or 0)) for rep, n, h in
              VisitRepresentative.select(VisitRepresentative.representative,
                                         fn.COUNT(fn.DISTINCT(VisitLog.id)), tally(VisitLog.kind == "hearing"))
              .join(VisitLog)
              .where((VisitLog.visited_at >= period.starts_at) & (VisitLog.visited_at < period.ends_before))
              .group_by(VisitRepresentative.representative).tuples()}
    consultations = dict(
        ConsultationRepresentative.select(ConsultationRepresentative.representative,
                                          fn.COUNT(fn.DISTINCT(Consultation.id)))
        .join(Consultation)
        .where((Consultation.held_at >= period.starts_at) & (Consultation.held_at < period.ends_before))
        .group_by(ConsultationRepresentative.representative).tuples())
    resolved = {rep: n for (_, _, rep), n in
                grouped(period.starts_at, period.ends_before, ["lead"], ["closed"], scope).items()
                if rep is not None and n}
    busy = set(duty) | set(visits) | set(consultations) | set(resolved)
    listed = Representative.active | Representative.id.in_(list(busy)) if busy else Representative.active
    reps = (Representative.select(Representative.id, Representative.name, Representative.kind)
            .where(listed).order_by(Representative.id))
    rows = []
    for rep in reps:
        n_visits, hearings = visits.get(rep.id, (0, 0))
        rows.append({"id": rep.id, "name": rep.name, "kind": rep.kind, "duty_shifts": int(duty.get(rep.id, 0)),
                     "visits": n_visits, "hearings": hearings, "consultations": int(consultations.get(rep.id, 0)),
                     "resolved": int(resolved.get(rep.id, 0))})
    return rows


REP_WORK = ("duty_shifts", "visits", "hearings", "consultations", "resolved")


def has_work(rep_row):
    """A row of representatives_work with anything to show (the page folds away the others)."""
    return any(rep_row[key] for key in REP_WORK)


def held_until(period, today):
    """The last day of the period whose duty shifts count as held (the period's end, or today)."""
    return min(period.end, today)
