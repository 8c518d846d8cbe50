"""Import of 12345 hotline tickets, free of any web framework: the screen, the command and the API all use it.

    rows of a file (dicts keyed by its header) ─ column mapping by header name ─▶ {field: value}
    ─ parse and check ─▶ upsert by ticket number, each row in its own transaction ─▶ a per-row report

Idempotent: a row the same as what is stored changes nothing ("unchanged"), a changed row updates the
ticket, a bad row is skipped with its reason and never stops the others nor leaves half a row.
Messages are English msgids (N_) with parameters; the screens translate them.
"""
import datetime as dt
import json
import logging
import os
import re
from dataclasses import dataclass, field

from peewee import IntegrityError, PostgresqlDatabase

from .. import audit
from ..db import database, now
from ..errors import N_, DomainError
from ..hotline import FIELD_LABELS, MAX_LENGTHS, HotlineTicket, id_number_key, phone_key
from . import table
from .table import FileUnreadable, cell_text, normalize_header, parse_datetime

log = logging.getLogger(__name__)

# field -> the headers it may have in a hotline export, first the usual one. Override per installation
# with a dict {field: header or [headers]} (the setting HOTLINE_COLUMNS).
DEFAULT_COLUMNS = {
    "number": ("工单编号", "工单号", "编号"),
    "called_at": ("来电时间", "受理时间"),
    "caller": ("来电人", "来电人姓名", "诉求人"),
    "phone": ("联系电话", "来电号码", "电话"),
    "caller_id_number": ("身份证号", "身份证号码", "证件号码"),
    "content": ("诉求内容", "来电内容"),
    "kind": ("诉求类型", "问题类型"),
    "area": ("所属区域", "区域"),
    "handling_unit": ("承办单位", "办理单位"),
    "deadline": ("办理时限", "办结时限"),
    "status": ("工单状态", "办理状态"),
    "satisfaction": ("满意度", "满意度评价"),
}
REQUIRED_FIELDS = ("number", "called_at", "content")
DATE_FIELDS = ("called_at", "deadline")
MAX_ROWS = 50000  # a larger file is refused (split it)
MAX_BYTES = 20 * 1024 * 1024  # the largest file the command reads (the screen has its own setting)
UNKNOWN_ENCODING = table.MESSAGES["encoding"]

RESULTS = (
    ("added", N_("Added")),
    ("updated", N_("Changed")),
    ("unchanged", N_("Unchanged")),
    ("skipped", N_("Passed over")),  # 跳过, with its reason
)


class RowSkipped(DomainError):
    """One row is not imported, for the reason given."""


class RowNote(DomainError):
    """Something said about a row that was imported all the same."""


@dataclass
class RowResult:
    line: int  # the row's line in the file as a spreadsheet numbers it (header = 1), or the index + 1 in a push
    number: str
    result: str  # added, updated, unchanged, skipped
    error: DomainError = None  # why it was skipped (a msgid with its parameters)
    changed: list = field(default_factory=list)  # the fields an update changed
    notes: list = field(default_factory=list)  # DomainErrors said about a row that was imported anyway
    ticket_id: int = None

    @property
    def reason(self):
        """The msgid of why the row was skipped, or None."""
        return self.error.message if self.error is not None else None


@dataclass
class ImportReport:
    rows: list = field(default_factory=list)
    columns: dict = field(default_factory=dict)  # field -> the header it was read from
    error: DomainError = None  # FileUnreadable: the file could not be imported at all
    seconds: float = 0.0

    def counts(self):
        counts = {code: 0 for code, _ in RESULTS}
        for row in self.rows:
            counts[row.result] += 1
        return counts

    @property
    def skipped(self):
        return [row for row in self.rows if row.result == "skipped"]


# -- the column mapping -----------------------------------------------------------------------------

def column_mapping(overrides=None):
    """{field: [headers]}: the defaults, each field's headers replaced by those the overrides give.
    Overrides are {field: header or [headers]} (a {header: field} pair is understood too)."""
    mapping = {name: list(headers) for name, headers in DEFAULT_COLUMNS.items()}
    for key, value in (overrides or {}).items():
        if key not in mapping and isinstance(value, str) and value in mapping:
            key, value = value, key  # {"单号": "number"}
        if key not in mapping:
            continue
        mapping[key] = [value] if isinstance(value, str) else list(value)
    return mapping


def configured_overrides(config, environ=None):
    """The installation's column overrides: the setting HOTLINE_COLUMNS (a dict), else the environment variable
    HOTLINE_COLUMNS as JSON, e.g. {"number": "单号", "called_at": ["来电日期", "受理时间"]}. None when neither is set;
    ValueError when the JSON is not an object."""
    value = (config or {}).get("HOTLINE_COLUMNS")
    if value is None:
        value = (os.environ if environ is None else environ).get("HOTLINE_COLUMNS") or None
    if isinstance(value, str):
        value = json.loads(value)
    if value is not None and not isinstance(value, dict):
        raise ValueError("HOTLINE_COLUMNS")
    return value


def resolve_columns(headers, mapping):
    """({field: header found}, [required fields missing]) for the header row of a file."""
    by_normal = {}
    for header in headers:
        if header is not None and normalize_header(header):
            by_normal.setdefault(normalize_header(header), header)
    found = {}
    for name, candidates in mapping.items():
        for candidate in candidates:
            header = by_normal.get(normalize_header(candidate))
            if header is not None:
                found[name] = header
                break
    missing = [name for name in REQUIRED_FIELDS if name not in found]
    return found, missing


def required_headers(mapping, fields):
    """The usual header of each field, for telling which columns are missing: 工单编号、来电时间."""
    return "、".join(mapping[name][0] if mapping.get(name) else name for name in fields)


# -- reading files ----------------------------------------------------------------------------------

def read_table(data, filename="", mapping=None, max_bytes=None):
    """(header row, [(line, {header: value})]) of an xlsx or CSV file given as bytes (see table.py), refused when
    longer than max_bytes. Raises FileUnreadable."""
    mapping = mapping or column_mapping()
    known = {header: name for name, headers in mapping.items() for header in headers}
    sheet = table.read_table(data, filename, known, table.Limits(rows=MAX_ROWS, bytes=max_bytes))
    headers = sheet.header
    return headers, sheet.keyed({header: i for i, header in enumerate(headers) if header})


# -- values -----------------------------------------------------------------------------------------

def storable(text):
    """Whether both databases store the text as it is: no NUL (PostgreSQL refuses it, SQLite cuts the text at it)
    and no lone surrogate (from JSON's "\\ud800": no UTF-8 for it)."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def parse_values(raw):
    """The values of one ticket from {field: cell} (fields absent from raw are left out).

    Returns (values, notes); raises RowSkipped with the reason."""
    values, notes = {}, []
    for name in raw:
        cell = raw[name]
        if isinstance(cell, str) and not storable(cell):
            raise RowSkipped(N_("%(column)s holds a character that cannot be stored (a NUL or a broken one)."),
                             column=FIELD_LABELS[name], translate=("column",))
        if name in DATE_FIELDS:
            try:
                values[name] = parse_datetime(cell)
            except (ValueError, OverflowError):
                raise RowSkipped(N_("%(column)s is not a date: %(value)s"), column=FIELD_LABELS[name],
                                 value=cell_text(cell)[:40], translate=("column",))
            continue
        text = cell_text(cell)
        if name == "phone":
            valid = phone_key(text)
            if text and valid is None:  # kept, as the hotline wrote it; said so the office can check it
                notes.append(RowNote(N_("The phone %(value)s is not a phone number; it was kept as it is."),
                                     value=text[:40]))
            text = valid or re.sub(r"\s+", "", text)
        elif name == "caller_id_number" and text:
            valid = id_number_key(text)
            if valid is None:
                notes.append(RowNote(N_("The ID number is not valid and was left out.")))
            text = valid or ""
        limit = MAX_LENGTHS.get(name)
        if limit and len(text) > limit:
            raise RowSkipped(N_("%(column)s has more than %(max)s characters."), column=FIELD_LABELS[name],
                             max=limit, translate=("column",))
        values[name] = text or None
    if not values.get("number"):
        raise RowSkipped(N_("The ticket number is missing."))
    if "called_at" in raw and values.get("called_at") is None:
        raise RowSkipped(N_("The call time is missing."))
    if "content" in raw and not values.get("content"):
        raise RowSkipped(N_("The content is missing."))
    return values, notes


# -- writing ----------------------------------------------------------------------------------------

def _differences(ticket, values):
    return {name: value for name, value in values.items() if getattr(ticket, name) != value}


NOT_READ = object()


def _no_flush_wait():
    """PostgreSQL: this row's commit does not wait for the disk (synchronous_commit off, for this transaction
    only). A crash may lose the last rows written, never half of one: importing the file again adds them."""
    if isinstance(database.obj, PostgresqlDatabase) and database.transaction_depth() == 1:  # not inside a caller's
        database.execute_sql("SET LOCAL synchronous_commit TO OFF")


def upsert(values, existing=NOT_READ, by=None, summary=None):
    """Add or update one ticket by its number, in its own transaction with its audit entry (so the rows of an
    import cut short are on record as those of a finished one): ("added"|"updated"|"unchanged", changed fields,
    ticket). `existing` is the stored ticket (or None: there is none) when the caller read it; by: the user (None
    for the API or a command run without --by); summary: where the row came from (the file, the API client)."""
    number = values["number"]
    with database.atomic():
        _no_flush_wait()
        ticket = existing if existing is not NOT_READ else HotlineTicket.get_or_none(HotlineTicket.number == number)
        if ticket is None:
            if not values.get("called_at") or not values.get("content"):
                # a push may update some fields of a known ticket, never add half of one
                raise RowSkipped(N_("A new ticket needs its call time and its content."))
            try:
                with database.atomic():
                    ticket = HotlineTicket.create(**values)
                    audit.record("create", ticket, ticket.id, by=by, summary=summary or number,
                                 after=audit.snapshot(ticket))
                return "added", sorted(values), ticket
            except IntegrityError:  # added by another import in the meantime: update it instead
                ticket = HotlineTicket.get(HotlineTicket.number == number)
        changes = _differences(ticket, values)
        if not changes:
            return "unchanged", [], ticket
        before = audit.snapshot(ticket)
        for name, value in changes.items():
            setattr(ticket, name, value)
        ticket.updated_at = now()
        ticket.save()
        old, new = audit.changes(before, audit.snapshot(ticket))
        audit.record("update", ticket, ticket.id, by=by, summary=summary or number, before=old, after=new)
        return "updated", sorted(changes), ticket


def import_records(records, progress=None, by=None, summary=None):
    """Import [(line, {field: cell})]: the per-row report. A bad row is skipped with its reason; an error in
    saving one row rolls back that row only. Each row written is audited as it commits (upsert: by, summary)."""
    started = dt.datetime.now()
    report = ImportReport()
    parsed = []
    for line, raw in records:
        try:
            values, notes = parse_values(raw)
            parsed.append((line, values, notes, None))
        except RowSkipped as err:
            number = cell_text(raw.get("number"))
            number = number if storable(number) else ""
            parsed.append((line, {"number": number}, [], err))
    known = {}
    numbers = [values["number"] for _, values, _, err in parsed if err is None]
    for start in range(0, len(numbers), 500):
        chunk = numbers[start:start + 500]
        for ticket in HotlineTicket.select().where(HotlineTicket.number.in_(chunk)):
            known[ticket.number] = ticket
    first_line = {}
    for line, values, notes, err in parsed:
        number = values.get("number") or ""
        if err is not None:
            report.rows.append(RowResult(line, number, "skipped", err))
        else:
            row = RowResult(line, number, "skipped", notes=list(notes))
            if number in first_line:
                row.notes.append(RowNote(N_("Same ticket number as row %(line)s."), line=first_line[number]))
            else:
                first_line[number] = line
            try:
                row.result, row.changed, ticket = upsert(values, known.get(number), by, summary)  # None: none
                known[number], row.ticket_id = ticket, ticket.id
            except DomainError as error:  # RowSkipped, a ValidationError of the model, a StaleRecord
                row.error = error
                known.pop(number, None)
            except Exception as error:  # the database refused the row: that row only is rolled back
                log.warning("hotline row %s not saved: %s", line, type(error).__name__)
                row.error = RowSkipped(N_("The row could not be saved."))
                known.pop(number, None)
            report.rows.append(row)
        if progress is not None:
            progress(1)
    report.seconds = (dt.datetime.now() - started).total_seconds()
    return report


def import_rows(headers, rows, mapping=None, progress=None, by=None, summary=None):
    """Import rows keyed by header ([(line, {header: cell})]) through the column mapping."""
    mapping = mapping or column_mapping()
    columns, missing = resolve_columns(headers, mapping)
    if missing:
        return ImportReport(columns=columns, error=FileUnreadable(
            N_("Required columns are missing: %(columns)s."), columns=required_headers(mapping, missing)))
    records = [(line, {name: row.get(header) for name, header in columns.items()}) for line, row in rows]
    report = import_records(records, progress, by, summary)
    report.columns = columns
    return report


def import_file(data, filename="", overrides=None, progress=None, by=None, summary=None):
    """Read an xlsx or CSV file (bytes) and import it; an unreadable file gives a report with its error."""
    mapping = column_mapping(overrides)
    try:
        headers, rows = read_table(data, filename, mapping)
    except FileUnreadable as err:
        return ImportReport(error=err)
    return import_rows(headers, rows, mapping, progress, by, summary)
