"""坐诊排班: a month's duty roster made in one go, and the month as a calendar.

    make_roster(2026, 12, [rep_a, rep_b], weekdays=[0, 2], sessions=["am"], by=user)

puts each representative on duty every Monday and Wednesday morning of December 2026 that is a working day of
the deadline calendar (models/deadlines.py: weekends and configured holidays are skipped, make-up working days
kept). A shift that exists already (the same representative, day and half-day: DutyShift's unique rule) refuses
the whole roster, naming the days (RosterConflict); nothing is written then. Otherwise every shift is created
and audited in one transaction.
"""
import calendar
import datetime as dt

from peewee import IntegrityError

from .. import audit, deadlines
from ..casework import SESSIONS, DutyShift
from ..db import database
from ..errors import N_, ValidationError
from ..people import Representative

WEEKDAYS = tuple(range(7))  # Monday 0 .. Sunday 6, as date.weekday()
MAX_SHIFTS = 31 * 2 * 50  # a month, two half-days, fifty representatives: more is a mistake


class RosterConflict(ValidationError):
    """Some shifts of the roster exist already; `conflicts` lists them as (date, session, representative name)."""

    def __init__(self, conflicts):
        self.conflicts = conflicts
        dates = "、".join("%d年%d月%d日%s%s" % (day.year, day.month, day.day, "上午" if session == "am" else "下午", name)
                         for day, session, name in conflicts)
        super().__init__(N_("These shifts are on the roster already, so nothing was added: %(dates)s."),
                         field="representatives", dates=dates)


def month_days(year, month):
    """Every day of the month, in order."""
    _, last = calendar.monthrange(year, month)
    return [dt.date(year, month, day) for day in range(1, last + 1)]


def roster_days(year, month, weekdays):
    """The working days of the month that fall on one of the weekdays (0 Monday .. 6 Sunday)."""
    wanted = set(weekdays)
    return [day for day in month_days(year, month) if day.weekday() in wanted and deadlines.is_working_day(day)]


def plan(year, month, representatives, weekdays, sessions):
    """[(date, session, representative)] the roster would create, by date, morning first."""
    order = [code for code, _ in SESSIONS]
    sessions = sorted(set(sessions), key=order.index)
    return [(day, session, rep) for day in roster_days(year, month, weekdays)
            for session in sessions for rep in representatives]


def _check(year, month, representatives, weekdays, sessions):
    if not 1 <= int(month) <= 12 or not 2000 <= int(year) <= 2100:
        raise ValidationError(N_("Choose the month."), field="month")
    if not representatives:
        raise ValidationError(N_("Choose at least one representative."), field="representatives")
    inactive = [rep.name for rep in representatives if not rep.active]
    if inactive:
        raise ValidationError(N_("Not an active representative: %(names)s."), field="representatives",
                              names="、".join(inactive))
    if not weekdays or not set(weekdays) <= set(WEEKDAYS):
        raise ValidationError(N_("Choose at least one day of the week."), field="weekdays")
    if not sessions or not set(sessions) <= dict(SESSIONS).keys():
        raise ValidationError(N_("Choose the morning, the afternoon or both."), field="sessions")


def make_roster(year, month, representatives, weekdays, sessions, by, place="联合接访大厅"):
    """Create the month's shifts, all or nothing; the list of shifts made.

    Raises ValidationError for a missing choice or an empty result (no working day matches), RosterConflict when
    any of the shifts exists already."""
    _check(year, month, representatives, weekdays, sessions)
    place = (place or "").strip()
    if not place:
        raise ValidationError(N_("The place is required."), field="place")
    wanted = plan(int(year), int(month), representatives, weekdays, sessions)
    if not wanted:
        raise ValidationError(N_("No working day of that month falls on the chosen days of the week."),
                              field="weekdays")
    if len(wanted) > MAX_SHIFTS:
        raise ValidationError(N_("Too many shifts at once; make the roster in parts."), field="representatives")
    try:
        with database.atomic():
            conflicts = existing(wanted)
            if conflicts:
                raise RosterConflict(conflicts)
            shifts = []
            for day, session, rep in wanted:
                shift = DutyShift(representative=rep, on_date=day, session=session, place=place)
                shift.save(force_insert=True)
                audit.record("create", shift, shift.id, by=by, summary="roster %d-%02d" % (int(year), int(month)),
                             after=audit.snapshot(shift))
                shifts.append(shift)
            return shifts
    except IntegrityError:  # another roster took one of these half-days meanwhile (the unique index)
        raise RosterConflict(existing(wanted)) from None


def existing(wanted):
    """The (date, session, representative name) of the wanted shifts already on the roster, in date order."""
    if not wanted:
        return []
    days = sorted({day for day, _, _ in wanted})
    reps = {rep.id for _, _, rep in wanted}
    taken = {(s.on_date, s.session, s.representative_id): s for s in DutyShift.select().where(
        DutyShift.on_date.between(days[0], days[-1]) & DutyShift.representative.in_(list(reps)))}
    return [(day, session, rep.name) for day, session, rep in wanted if (day, session, rep.id) in taken]


# -- the month as a calendar --------------------------------------------------------------------------------

def month_grid(year, month, shifts):
    """The month as weeks (Monday first) of days: {"date", "working", "am": [shift], "pm": [shift]}, or None
    for the days of the neighbouring months that fill the first and last week. `shifts`: the month's shifts."""
    by_day = {}
    for shift in shifts:
        by_day.setdefault((shift.on_date, shift.session), []).append(shift)
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        weeks.append([None if day.month != month else {
            "date": day, "working": deadlines.is_working_day(day),
            "am": by_day.get((day, "am"), []), "pm": by_day.get((day, "pm"), []),
        } for day in week])
    return weeks


def month_shifts(year, month, query=None):
    """The shifts of a month with their representatives, by day, morning first, by name."""
    days = month_days(year, month)
    query = query if query is not None else DutyShift.select(DutyShift, Representative).join(Representative)
    return list(query.where(DutyShift.on_date.between(days[0], days[-1]))
                .order_by(DutyShift.on_date, DutyShift.session, Representative.name))


def neighbours(year, month):
    """((year, month) before, (year, month) after)."""
    before = (year - 1, 12) if month == 1 else (year, month - 1)
    after = (year + 1, 1) if month == 12 else (year, month + 1)
    return before, after


def may_record_from(shift, user):
    """May this user record a visit from a duty shift? The office from any; a representative from its own only
    (a visit started from a shift names its representative as present)."""
    if shift is None or user is None:
        return False
    return user.role != "representative" or shift.representative_id == user.representative_id
