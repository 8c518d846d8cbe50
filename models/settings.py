"""系统设置: the office's settings, edited on a page and kept in the database, one row a setting.

Where a setting's value comes from, first found wins:

    the deployment (an environment variable, or a value the app was created with)  ─ fixed, read-only on the page
    the database (OfficeSetting, saved on the 系统设置 page, audited)
    the built-in default (SETTINGS below)

Values are read at request time: each request starts with forget(), and the first read loads every row in one
query (per thread), so a change on the page applies to the next request of every process without a restart.
"""
import datetime as dt
import json
import re
import threading
import unicodedata
from dataclasses import dataclass

from peewee import CharField, DateTimeField, TextField

from . import audit
from .dates import DateUnreadable, parse_date
from .db import BaseModel, database, now
from .errors import N_, StaleRecord, ValidationError
from .imports.hotline import DEFAULT_COLUMNS
from .organisation import Department
from .validation import normalize_phone


class OfficeSetting(BaseModel):
    """One setting of the office as saved on the 系统设置 page (the value as text, see SETTINGS)."""

    verbose_name = N_("Office setting")

    key = CharField(max_length=50, unique=True)
    value = TextField(default="")
    updated_at = DateTimeField(default=now)


# -- kinds of value: parse the text typed on the page (raise ValidationError), show a stored value as text ----------

def _text(value, limit=100):
    value = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", value or "")).strip()
    if len(value) > limit:
        raise ValidationError(N_("At most %(limit)s characters."), limit=limit)
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise ValidationError(N_("The text holds a control character."))
    return value


def _issuer(value):
    name = _text(value)
    if not name:
        return name
    department = Department.get_or_none(Department.name == name)
    if department is None:
        raise ValidationError(N_("%(value)s is not among the departments."), value=name)
    if not department.short_name:
        raise ValidationError(N_("%(value)s has no short name for its document numbers; give it one under "
                                 "Departments first."), value=name)
    return name


def _phone(value):
    value = _text(value, 30)
    return normalize_phone(value) if value else value


RANGE = re.compile(r"\s*(?:至|到|~|～)\s*")
SEPARATORS = re.compile(r"[\s,，、;；]+")


def parse_days(text):
    """Days typed as 2022-12-09, 2022/12/9 or 2022年12月9日, separated by commas, 、 or new lines; a run of days
    as 2026年10月1日至2026年10月8日. Raises ValidationError naming the first value that is not a day."""
    folded = RANGE.sub("至", unicodedata.normalize("NFKC", text or ""))
    days = set()
    for word in SEPARATORS.split(folded):
        if not word:
            continue
        ends = word.split("至")
        try:
            if len(ends) == 1:
                days.add(parse_date(word))
                continue
            if len(ends) != 2:
                raise DateUnreadable(word)
            first, last = parse_date(ends[0]), parse_date(ends[1])
        except DateUnreadable:
            raise ValidationError(N_("%(value)s is not a day (write it as 2026年10月1日 or 2026-10-01)."),
                                  value=word) from None
        if last < first or (last - first).days > 366:
            raise ValidationError(N_("%(value)s is not a run of days within a year."), value=word)
        days.update(first + dt.timedelta(days=n) for n in range((last - first).days + 1))
    return sorted(days)


def _cn(day):
    return "%d年%d月%d日" % (day.year, day.month, day.day)


def show_days(days):
    """Days as the page shows them: one line a year, runs of three days or more as 2026年10月1日至2026年10月7日."""
    runs = []
    for day in sorted(days):
        if runs and runs[-1][1] + dt.timedelta(days=1) == day:
            runs[-1][1] = day
        else:
            runs.append([day, day])
    lines = {}
    for first, last in runs:
        if (last - first).days >= 2:
            words = ["%s至%s" % (_cn(first), _cn(last))]
        else:
            words = [_cn(first + dt.timedelta(days=n)) for n in range((last - first).days + 1)]
        lines.setdefault(first.year, []).extend(words)
    return "\n".join("、".join(words) for _year, words in sorted(lines.items()))


def _days(text):
    return "\n".join(day.isoformat() for day in parse_days(text))


def _load_days(stored):
    return frozenset(dt.date.fromisoformat(word) for word in stored.split())


def parse_columns(text):
    """12345 column names, one line a field: the usual header, then the headers of the office's export
    (工单编号：单号、编号). Returns {field: [headers]}; raises ValidationError naming a line it cannot read."""
    usual = {headers[0]: name for name, headers in DEFAULT_COLUMNS.items()}
    found = {}
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        head, colon, rest = unicodedata.normalize("NFKC", line).partition(":")
        name = usual.get(head.strip()) or (head.strip() if head.strip() in DEFAULT_COLUMNS else None)
        headers = [word for word in SEPARATORS.split(rest) if word]
        if not colon or name is None or not headers:
            raise ValidationError(N_("%(value)s: write a column as 工单编号：单号、编号 (the usual header, then the "
                                     "headers of your export)."), value=line.strip()[:40])
        found[name] = headers
    return found


def _columns(text):
    found = parse_columns(text)
    return json.dumps(found, ensure_ascii=False, sort_keys=True) if found else ""


def show_columns(mapping):
    return "\n".join("%s：%s" % (DEFAULT_COLUMNS[name][0], "、".join(headers))
                     for name, headers in (mapping or {}).items() if name in DEFAULT_COLUMNS)


@dataclass(frozen=True)
class Setting:
    key: str
    label: str  # msgid
    help: str  # msgid
    kind: str  # text, organ, phone, days, columns: the field the page draws and how the value is read
    default: object = ""
    parse: object = _text  # the text typed -> the text stored (raises ValidationError)
    load: object = None  # the text stored -> the value callers get (None: the text itself)
    show: object = None  # the value -> the text the page shows (None: the text itself)


SETTINGS = (
    Setting("LETTER_ISSUER", N_("Issuing organ"),
            N_("The organ in whose name the office's own letters go out, and whose short name begins their "
               "document numbers (set the short name under Departments)."), "organ", "县信访局", _issuer),
    Setting("LETTER_REVIEW_ORGAN", N_("Review organ"),
            N_("Named in handling opinions as the organ to ask for a review, for a department whose record "
               "names none."), "organ", "县人民政府"),
    Setting("LETTER_RECHECK_ORGAN", N_("Re-examination organ"),
            N_("Named in review opinions as the organ to ask for a re-examination, for a department whose "
               "record names none."), "organ", "市人民政府"),
    Setting("LETTER_CONTACT", N_("Contact person"),
            N_("The office's contact person printed on assignment letters."), "text"),
    Setting("LETTER_CONTACT_PHONE", N_("Contact phone"),
            N_("The contact person's phone: an 11-digit mobile or a landline such as 0635-1234567."), "phone",
            "", _phone),
    Setting("HOLIDAYS", N_("Public holidays"),
            N_("The days off of the year as the State Council announces them, e.g. 2026年10月1日至2026年10月7日; "
               "days counted in working days and the duty roster skip them."), "days", frozenset(), _days,
            _load_days, show_days),
    Setting("MAKEUP_WORKDAYS", N_("Make-up working days"),
            N_("Weekend days worked in exchange for a holiday (调休上班), e.g. 2026年10月10日."), "days", frozenset(),
            _days, _load_days, show_days),
    Setting("HOTLINE_COLUMNS", N_("12345 column names"),
            N_("Where your 12345 export names a column otherwise, one line a column: the usual header, then "
               "yours, e.g. 工单编号：单号. Empty: the usual headers."), "columns", None, _columns, json.loads,
            show_columns),
)
BY_KEY = {setting.key: setting for setting in SETTINGS}

_fixed = {}  # the deployment's values (fix())
_cache = threading.local()


def fix(values):
    """The values the deployment sets (environment variables, or the app's configuration): they win over the
    page. Called by create_app; keys with None are not set."""
    _fixed.clear()
    _fixed.update({key: values[key] for key in BY_KEY if values.get(key) is not None})


def fixed(config=None):
    """{key: value} of the settings the deployment sets (config: a mapping read instead of fix()'s)."""
    source = _fixed if config is None else config
    return {key: source[key] for key in BY_KEY if source.get(key) is not None}


def forget(empty=False):
    """Read the database afresh at the next value() (each request starts so); empty: take it that nothing is
    saved, without reading (for code that runs with no database, such as the deadline rules' tests)."""
    _cache.rows = {} if empty else None


def _rows():
    rows = getattr(_cache, "rows", None)
    if rows is None:
        rows = {row.key: row for row in OfficeSetting.select()}
        _cache.rows = rows
    return rows


def stored(key):
    """The OfficeSetting row of a key, or None."""
    return _rows().get(key)


def value(key, config=None):
    """A setting's value: the deployment's (config, else fix()'s), else the page's, else the default."""
    setting = BY_KEY[key]
    source = _fixed if config is None else config
    if source.get(key) is not None:
        return source[key]
    row = stored(key)
    if row is None or row.value == "":
        return setting.default
    return setting.load(row.value) if setting.load else row.value


def shown(key, config=None):
    """The text the page shows in a setting's field: the deployment's value, else the page's ('' for none: the
    field is empty and the default shows through)."""
    setting = BY_KEY[key]
    source = _fixed if config is None else config
    if source.get(key) is not None:
        current = source[key]
    else:
        row = stored(key)
        if row is None or row.value == "":
            return ""
        current = setting.load(row.value) if setting.load else row.value
    if setting.show and not isinstance(current, str):
        return setting.show(current)
    return current


def save(typed, versions, by, config=None):
    """Save the settings typed on the page ({key: text}; versions: {key: the row's version read, 0: no row}).

    Every value is read first: ValidationErrors ({key: error}) are raised together in Invalid and nothing is
    written. Keys the deployment fixes are refused. Each change is one audit entry with before and after.
    Raises StaleRecord when someone saved a setting since the page was read. Returns the keys changed."""
    fixed_keys = set(fixed(config))
    errors, values = {}, {}
    for key, text in typed.items():
        if key not in BY_KEY or key in fixed_keys:
            continue
        try:
            values[key] = BY_KEY[key].parse(text)
        except ValidationError as err:
            errors[key] = err
    if errors:
        raise Invalid(errors)
    changed = []
    with database.atomic():
        forget()
        for key, new in values.items():
            row = stored(key)
            old = row.value if row is not None else ""
            if versions.get(key) is not None and versions[key] != (row.version if row is not None else 0):
                raise StaleRecord(N_("Someone else saved these settings meanwhile; your changes were not saved. "
                                     "Reload the page to see theirs."))
            if new == old:
                continue
            if row is None:
                row = OfficeSetting.create(key=key, value=new)
            else:
                row.value, row.updated_at = new, now()
                row.save()
            audit.record("update", OfficeSetting, row.id, by=by, summary=key, before={key: old},
                         after={key: new})
            changed.append(key)
    forget()
    return changed


class Invalid(ValidationError):
    """Values typed on the page that cannot be saved: errors is {key: ValidationError}."""

    def __init__(self, errors):
        super().__init__(N_("Some settings could not be saved; see the fields marked."))
        self.errors = errors


def shown_default(key):
    """The built-in default as the page shows it ('' when there is none)."""
    setting = BY_KEY[key]
    default = setting.default
    if setting.show and default:
        return setting.show(default)
    return default or ""
