"""Dates and times as a clerk types or pastes them, read in one place for every form, filter and import.

    parse_datetime("2022年12月9日上午9:30") -> datetime(2022, 12, 9, 9, 30)
    parse_date("2022.12.9")               -> date(2022, 12, 9)

Accepted: 2022-12-09 09:30, 2022-12-9 9:30, 2022/12/09 09:30, 2022.12.9, 20221209, 2022年12月9日,
2022年12月9日 9时30分, 2022年12月9日上午9:30, the picker's 2022-12-09T09:30, seconds, and full-width digits
and punctuation (folded by NFKC). A date without a time is 00:00 unless the caller gives another time. Anything
else, an impossible date (2022-02-30) or time (25:61) included, raises DateUnreadable: never a guess, never now.
"""
import re
import unicodedata
from datetime import date, datetime, time

from .errors import N_, ValidationError

UNREADABLE = N_("Unreadable date: %(value)s. Please write it as 2022-12-09 09:30.")
UNREADABLE_DATE = N_("Unreadable date: %(value)s. Please write it as 2022-12-09.")

_DATE = r"(?:(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*[日号]?|(?P<y8>\d{4})(?P<m8>\d{2})(?P<d8>\d{2}))"
_PERIOD = r"(?P<period>凌晨|早上|早晨|上午|中午|下午|傍晚|晚上)"
_TIME = (r"(?P<h>\d{1,2})\s*(?:[:时点]\s*(?:(?P<mi>\d{1,2})\s*(?:[:分]\s*(?:(?P<s>\d{1,2})\s*秒?)?)?)?)?"
         r"(?:\.\d+)?")
_READ = re.compile(r"^\s*%s(?:\s*[T\s,，]?\s*%s?\s*%s)?\s*$" % (_DATE, _PERIOD, _TIME))
_COMPACT_TIME = re.compile(r"^(\d{8})[ T]?(\d{2})(\d{2})(\d{2})?$")
_AFTERNOON = {"中午", "下午", "傍晚", "晚上"}


class DateUnreadable(ValidationError, ValueError):
    """The text is not a date (and time) that exists; the message (a msgid) names what was typed."""

    def __init__(self, value, message=UNREADABLE):
        super().__init__(message, value=value)


def _fold(text):
    return unicodedata.normalize("NFKC", text or "").replace("　", " ").strip()


def read(text):
    """(date, time or None) read from text, or DateUnreadable. Empty text is unreadable: callers that allow an
    empty field check for it first."""
    folded = _COMPACT_TIME.sub(r"\1 \2:\3:\4", _fold(text))  # 202212090930 (a register's export)
    found = _READ.match(folded) if folded else None
    if not found:
        raise DateUnreadable(text)
    parts = found.groupdict()
    try:
        day = date(int(parts["y"] or parts["y8"]), int(parts["m"] or parts["m8"]), int(parts["d"] or parts["d8"]))
    except ValueError:
        raise DateUnreadable(text) from None
    if parts["h"] is None:
        return day, None
    hour = int(parts["h"])
    if parts["period"] in _AFTERNOON and hour < 12:
        hour += 12
    try:
        moment = time(hour, int(parts["mi"] or 0), int(parts["s"] or 0))
    except ValueError:
        raise DateUnreadable(text) from None
    return day, moment


def parse_datetime(text, default_time=time(0, 0)):
    """The datetime the text means; a date alone is at default_time (00:00 unless the form says otherwise)."""
    day, moment = read(text)
    return datetime.combine(day, moment if moment is not None else default_time)


def parse_date(text):
    """The date the text means; a time after it is not allowed in a date field."""
    try:
        day, moment = read(text)
    except DateUnreadable:
        raise DateUnreadable(text, UNREADABLE_DATE) from None
    if moment is not None:
        raise DateUnreadable(text, UNREADABLE_DATE)
    return day
