"""The statutory time limits of the 信访工作条例 and the day-counting rule, in one place.

Counting starts the day after the event (day 1 is the next day), so a 15-day limit on a petition
received on 2022-12-09 ends on 2022-12-24. The text does not fix whether days are calendar days:
COUNTING says so, calendar days by default; the objection of article 23 counts working days
(Monday to Friday, less the office's holidays, plus its make-up working days: the settings HOLIDAYS and
MAKEUP_WORKDAYS of models/settings.py, edited on the 系统设置 page; configure() fixes them instead, for a test).
"""
import datetime as dt

from . import settings

# (days, kind of days, article): the whole table of limits.
LIMITS = {
    "referral": (15, "counted", 22),  # 转送/交办 within 15 days of receipt
    "notice": (15, "counted", 23),  # the petitioner told in writing within 15 days of receipt
    "objection": (5, "working", 23),  # a department not competent objects within 5 working days
    "handling": (60, "counted", 34),  # 办结 within 60 days of acceptance
    "extension": (30, "counted", 34),  # at most 30 more days, with the head's approval
    "review_request": (30, "counted", 35),  # 复查 asked within 30 days of the written reply
    "review": (30, "counted", 35),  # 复查意见 within 30 days
    "recheck_request": (30, "counted", 36),  # 复核 asked within 30 days of the review opinion
    "recheck": (30, "counted", 36),  # 复核意见 within 30 days
}
DUE_SOON_DAYS = 3  # 即将到期: 3 days left or fewer

# The counting rule: "calendar" or "working" for the limits marked "counted"; holidays and workdays None: the
# office's settings (read at each request), else the days configure() was given.
COUNTING = {"counted": "calendar", "holidays": None, "workdays": None}


def configure(counted=None, holidays=None, workdays=None):
    """Change the counting rule (e.g. from settings): calendar or working days, the year's holidays."""
    if counted is not None:
        if counted not in ("calendar", "working"):
            raise ValueError("counted days are 'calendar' or 'working'")
        COUNTING["counted"] = counted
    if holidays is not None:
        COUNTING["holidays"] = set(holidays)
    if workdays is not None:
        COUNTING["workdays"] = set(workdays)


def _day(value):
    return value.date() if isinstance(value, dt.datetime) else value


def calendar():
    """(holidays, make-up working days): configure()'s, else the office's settings."""
    holidays, workdays = COUNTING["holidays"], COUNTING["workdays"]
    return (settings.value("HOLIDAYS") if holidays is None else holidays,
            settings.value("MAKEUP_WORKDAYS") if workdays is None else workdays)


def is_working_day(day):
    holidays, workdays = calendar()
    if day in workdays:
        return True
    return day.weekday() < 5 and day not in holidays


def add_days(start, days, kind="calendar"):
    """The day on which a limit of `days` ends, counting from the day after `start`."""
    day = _day(start)
    if kind == "calendar":
        return day + dt.timedelta(days=days)
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def due(limit, start, extra_days=0):
    """The last day of a statutory limit (a key of LIMITS) that starts on `start`."""
    days, kind, _article = LIMITS[limit]
    if kind == "counted":
        kind = COUNTING["counted"]
    return add_days(start, days + extra_days, kind)


def referral_due(received):
    """转送/交办 within 15 days of receipt (第二十二条)."""
    return due("referral", received)


def notice_due(received):
    """告知 within 15 days of receipt (第二十三条)."""
    return due("notice", received)


def objection_due(referred):
    """A department objects within 5 working days of the referral (第二十三条)."""
    return due("objection", referred)


def handling_due(accepted, extension_days=0):
    """办结 within 60 days of acceptance, plus an approved extension of at most 30 (第三十四条)."""
    if extension_days > LIMITS["extension"][0]:
        raise ValueError("an extension is at most %d days" % LIMITS["extension"][0])
    return due("handling", accepted, extension_days)


def review_request_due(answered):
    """复查 may be asked within 30 days of the written reply (第三十五条)."""
    return due("review_request", answered)


def review_due(requested):
    return due("review", requested)


def recheck_request_due(reviewed):
    """复核 may be asked within 30 days of the review opinion (第三十六条)."""
    return due("recheck_request", reviewed)


def recheck_due(requested):
    return due("recheck", requested)


def days_left(due_on, today=None):
    """Days until a due date: 0 on the day itself, negative once overdue."""
    if due_on is None:
        return None
    return (due_on - (today or dt.date.today())).days


def urgency(due_on, today=None):
    """'overdue', 'due_soon' (3 days or fewer) or None."""
    left = days_left(due_on, today)
    if left is None:
        return None
    if left < 0:
        return "overdue"
    if left <= DUE_SOON_DAYS:
        return "due_soon"
    return None
