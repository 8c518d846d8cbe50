"""One table reader for the imports: an xlsx or CSV file (bytes) read into its header row and the rows under it.

    read_table(data, filename, known, limits) -> Table(header, fields, rows)    # or FileUnreadable
    cell_text(cell), parse_datetime(cell)                                        # the cells' values

xlsx: the first worksheet, read streaming (read_only), refused when it would unpack to more than the limit (a zip
bomb). CSV: UTF-8 with or without BOM, else GB 18030; comma, tab or semicolon separated. The header row is the one
of the first rows that names the most known columns (a title line or two may sit above it); empty rows are passed
over; more rows than the limit refuse the file. The importers keep their column maps and row rules.
"""
import csv
import dataclasses
import datetime as dt
import io
import itertools
import re
import unicodedata
import zipfile
import zlib

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from ..errors import N_, DomainError

HEADER_SEARCH_ROWS = 10  # the header may sit under a title line or two
DELIMITERS = (",", "\t", ";")  # the first is taken when a line has none of them
OLD_EXCEL = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the 97-2003 (OLE) signature

# Why a file is refused -> its msgid; an importer may word a reason its own way (read_table's `messages`).
MESSAGES = {
    "empty": N_("The file is empty."),
    "too_large": N_("The file is larger than %(size)s MB."),
    "old_excel": N_("Old Excel files (97-2003) cannot be read: save the file in the current Excel format or as CSV."),
    "not_xlsx": N_("The file is not a readable Excel workbook."),
    "unpacked": N_("The workbook unpacks to more than %(size)s MB: split it or save it as CSV."),
    "encoding": N_("The encoding of the file is not recognised: it should be UTF-8 or the national GB encoding."),
    "not_csv": N_("The file is not a readable CSV file."),
    "too_many_rows": N_("The file has more than %(max)s rows: split it."),
}
XLSX_ERRORS = (zipfile.BadZipFile, zlib.error, InvalidFileException, KeyError, OSError, ValueError, TypeError,
               SyntaxError)  # SyntaxError: broken XML inside (ElementTree's and lxml's parse errors)


class FileUnreadable(DomainError):
    """The file as a whole cannot be imported (not a table, too large, unknown encoding, columns missing)."""


@dataclasses.dataclass(frozen=True)
class Limits:
    rows: int  # rows under the header (empty ones not counted)
    bytes: int = None  # the file itself; None: the caller limits what it reads
    unpacked: int = 200 * 1024 * 1024  # an xlsx's parts once unpacked (a 50,000-row sheet is about 50 MB)


@dataclasses.dataclass
class Table:
    header: list  # the header row, each cell as text
    fields: list  # for each header cell, the field it names (None: a column the importer does not know)
    rows: list  # [(line, [cells])]: the rows under the header that are not empty; line as a spreadsheet numbers it

    def positions(self):
        """{field: column}: the first column of each known field (a second column of the same meaning is ignored)."""
        found = {}
        for index, name in enumerate(self.fields):
            if name is not None:
                found.setdefault(name, index)
        return found

    def keyed(self, positions):
        """[(line, {key: cell})] of the rows, for positions {key: column}."""
        return [(line, {key: cells[i] if i < len(cells) else None for key, i in positions.items()})
                for line, cells in self.rows]


def normalize_header(text):
    """A header as compared: 村（社区） and 村(社区), ' 信访人 *', 工单编号：, a BOM: full-width folded, no spaces,
    no required-marks or colons, lower case."""
    text = unicodedata.normalize("NFKC", str(text if text is not None else "")).replace("\ufeff", "")
    return re.sub(r"[\s*＊:：]", "", text).lower()


def read_table(data, filename="", known=None, limits=Limits(rows=5000), messages=None):
    """The Table of an xlsx or CSV file given as bytes. `known` maps the headers the importer knows to their
    fields ({header: field}); the header row is the one of the first rows naming the most of them (without any,
    the first row that is not empty). Raises FileUnreadable with the importer's `messages` (see MESSAGES)."""
    messages = dict(MESSAGES, **(messages or {}))

    def refuse(reason, **params):
        return FileUnreadable(messages[reason], **params)

    if not data:
        raise refuse("empty")
    if limits.bytes is not None and len(data) > limits.bytes:
        raise refuse("too_large", size=limits.bytes // (1024 * 1024))
    name = (filename or "").lower()
    if data[:8] == OLD_EXCEL or name.endswith(".xls"):
        raise refuse("old_excel")
    if data[:4] == b"PK\x03\x04" or name.endswith((".xlsx", ".xlsm")):
        lines = _xlsx_lines(data, limits, refuse)
    else:
        lines = _csv_lines(data, refuse)
    try:
        return _under_header(lines, {normalize_header(h): f for h, f in (known or {}).items()}, limits, refuse)
    finally:
        lines.close()  # the workbook is closed even when the rows are refused


def _xlsx_lines(data, limits, refuse):
    """(line, [cells]) of the first worksheet, streaming; the workbook is refused before it is unpacked when its
    parts would unpack to more than the limit (zipfile stops a part at the size it declares)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(part.file_size for part in archive.infolist())
    except XLSX_ERRORS:
        raise refuse("not_xlsx")
    if unpacked > limits.unpacked:
        raise refuse("unpacked", size=limits.unpacked // (1024 * 1024))
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except XLSX_ERRORS:
        raise refuse("not_xlsx")
    try:
        for line, values in enumerate(book.worksheets[0].iter_rows(values_only=True), 1):
            yield line, list(values)
    except XLSX_ERRORS:
        raise refuse("not_xlsx")
    finally:
        book.close()


def _decode(data, refuse):
    """The text of a CSV file: UTF-8 (a BOM is dropped), else GBK / GB 18030."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:  # a binary file that happens to decode
            return text
        break
    raise refuse("encoding")


def sniff_delimiter(text):
    """The separator of the first line that has one (a title line above the header may have none)."""
    for line in itertools.islice(text.splitlines(), HEADER_SEARCH_ROWS):
        if any(d in line for d in DELIMITERS):
            return max(DELIMITERS, key=line.count)
    return DELIMITERS[0]


def _csv_lines(data, refuse):
    text = _decode(data, refuse)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
        for line, values in enumerate(reader, 1):
            yield line, values
    except csv.Error:
        raise refuse("not_csv")


def _blank(cells):
    return not any(cell_text(cell) for cell in cells)


def _under_header(lines, known, limits, refuse):
    first = list(itertools.islice(lines, HEADER_SEARCH_ROWS))
    best, at = 0, None
    for index, (_, cells) in enumerate(first):
        hits = len({known[k] for k in map(normalize_header, cells) if k in known})
        if hits > best:
            best, at = hits, index
    if at is None:
        at = next((i for i, (_, cells) in enumerate(first) if not _blank(cells)), None)
    if at is None:
        raise refuse("empty")
    header = [cell_text(cell) for cell in first[at][1]]
    rows = []
    for line, cells in itertools.chain(first[at + 1:], lines):
        if _blank(cells):
            continue  # empty lines (Excel keeps formatted empty rows)
        if len(rows) >= limits.rows:
            raise refuse("too_many_rows", max=limits.rows)
        rows.append((line, cells))
    return Table(header=header, fields=[known.get(normalize_header(h)) for h in header], rows=rows)


# -- values -----------------------------------------------------------------------------------------------

def cell_text(value):
    """A cell as text: numbers without a trailing .0 (ticket numbers, phones read as numbers by Excel), dates as
    2023-03-01 09:30:00, surrounding spaces trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    return unicodedata.normalize("NFC", str(value)).strip()


EXCEL_EPOCH = dt.datetime(1899, 12, 30)  # serial 1 is 1900-01-01 (Excel counts a 29 February 1900)
SERIAL_DATES = (20000, 80000)  # 1954-10-03 .. 2119-01-10: a smaller number (a year, a count) is not a date
DATE_PATTERN = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]+(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.\d+)?)?)?$")
COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:[ T]?(\d{2})(\d{2})(\d{2})?)?$")
SERIAL_TEXT = re.compile(r"^\d+(\.\d+)?$")


def excel_serial(value):
    """The moment of an Excel serial date, to the nearest second: Excel keeps 15 significant digits, so 09:30 is
    stored as 44990.3958333333, a few microseconds before 09:30 (cutting them off would read 09:29:59)."""
    return EXCEL_EPOCH + dt.timedelta(seconds=round(float(value) * 86400))


def parse_datetime(value):
    """A date and time from a cell: a datetime, an Excel serial number (also as text, from a CSV), or text such as
    2023-01-05 09:30, 2023/1/5 9:30:00, 2023.1.5, 2023年1月5日 9时30分 (or 9点30分), 20230105.
    None for an empty cell; ValueError otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0, tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    if isinstance(value, bool):
        raise ValueError(value)
    text = unicodedata.normalize("NFKC", cell_text(value))
    if isinstance(value, (int, float)) or SERIAL_TEXT.match(text):
        if SERIAL_DATES[0] < float(text) < SERIAL_DATES[1]:
            return excel_serial(text)
    if re.match(r"^\d{4}\.\d{1,2}\.\d{1,2}", text):  # 2023.1.5
        text = text.replace(".", "-", 2)
    text = (text.replace("年", "-").replace("月", "-").replace("日", " ").replace("时", ":").replace("点", ":")
            .replace("分", ":").replace("秒", "").replace("/", "-"))
    text = re.sub(r"\s+", " ", text).strip().rstrip(":").strip()
    match = DATE_PATTERN.match(text) or COMPACT_DATE.match(text)
    if not match:
        raise ValueError(value)
    return dt.datetime(*[int(part) if part else 0 for part in match.groups()])
