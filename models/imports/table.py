"""One table reader for the imports: an xlsx or CSV file (bytes) read into its header row and the rows under it.

    read_table(data, filename, known, limits) -> Table(header, fields, rows)    # or FileUnreadable
    cell_text(cell), parse_datetime(cell)                                        # the cells' values

xlsx: the first worksheet, read by this module's own streaming reader (zipfile + expat), so that memory stays
bounded whatever the file: before anything is unpacked, the archive is refused when it has too many parts, when its
parts declare more than the limit unpacked, or when one part is compressed far more than any spreadsheet is (a zip
bomb); each part is then read through a stream that stops at the size it declared and at the limit (a declared size
may lie); the sheet's rows are handed out as they are parsed; a DOCTYPE (entities: XXE, billion laughs) refuses the
file; a value beyond the last column read, a cell longer than Excel holds, more text than the limit and more rows
than the limit refuse it too. A malformed workbook (truncated, broken XML) is refused as unreadable: read_table
raises FileUnreadable and nothing else. CSV: UTF-8 with or without BOM, else GB 18030; comma, tab or semicolon
separated; a line longer than the limit refuses it. The header row is the one of the first rows that names the most
known columns (a title line or two may sit above it); empty rows are passed over; only the columns the importer
knows are kept under it. The importers keep their column maps and row rules.
"""
import csv
import dataclasses
import datetime as dt
import io
import itertools
import logging
import re
import struct
import unicodedata
import zipfile
from xml.parsers import expat

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import from_excel

from .. import dates
from ..errors import N_, DomainError

log = logging.getLogger(__name__)

HEADER_SEARCH_ROWS = 10  # the header may sit under a title line or two
DELIMITERS = (",", "\t", ";")  # the first is taken when a line has none of them
OLD_EXCEL = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the 97-2003 (OLE) signature
CHUNK = 64 * 1024  # bytes unpacked at a time
RATIO_FREE = 1024 * 1024  # a part smaller than this unpacked is not held to the compression ratio

# Why a file is refused -> its msgid; an importer may word a reason its own way (read_table's `messages`).
MESSAGES = {
    "empty": N_("The file is empty."),
    "too_large": N_("The file is larger than %(size)s MB."),
    "old_excel": N_("Old Excel files (97-2003) cannot be read: save the file in the current Excel format or as CSV."),
    "not_xlsx": N_("The file is not a readable Excel workbook."),
    "unpacked": N_("The workbook unpacks to more than %(size)s MB: split it or save it as CSV."),
    "parts": N_("The workbook has more than %(max)s parts: save it again in Excel or as CSV."),
    "ratio": N_("A part of the workbook is compressed more than %(ratio)s times, as no spreadsheet is (a zip "
                "bomb): the file is refused."),
    "doctype": N_("The workbook contains a DOCTYPE declaration, which Excel never writes: the file is refused."),
    "columns": N_("Row %(line)s has a value beyond column %(max)s: delete the extra columns or split the file."),
    "cell_long": N_("Row %(line)s has a cell of more than %(max)s characters."),
    "text": N_("The file holds more than %(max)s million characters of text: split it."),
    "strings": N_("The workbook holds more than %(max)s different texts: split it."),
    "line_long": N_("Line %(line)s of the file is longer than %(max)s characters."),
    "encoding": N_("The encoding of the file is not recognised: it should be UTF-8 or the national GB encoding."),
    "not_csv": N_("The file is not a readable CSV file."),
    "too_many_rows": N_("The file has more than %(max)s rows: split it."),
}


class FileUnreadable(DomainError):
    """The file as a whole cannot be imported (not a table, too large, unknown encoding, columns missing)."""


@dataclasses.dataclass(frozen=True)
class Limits:
    rows: int  # rows under the header (empty ones not counted)
    bytes: int = None  # the file itself; None: the caller limits what it reads
    unpacked: int = 200 * 1024 * 1024  # an xlsx's parts once unpacked (a 50,000-row sheet is about 50 MB)
    parts: int = 1000  # the members of an xlsx (a workbook of a few sheets has about 20)
    ratio: int = 100  # unpacked / packed of one part (sheets of real data: 5 to 30)
    columns: int = 200  # a value beyond this column refuses the file (empty cells beyond it are passed over)
    cell: int = 32767  # characters in one cell (Excel's own limit)
    text: int = 30 * 1000 * 1000  # characters of text held (shared strings and cells), about 60-120 MB
    strings: int = 1000 * 1000  # shared strings (each costs about 60 bytes besides its text)
    line: int = 1000 * 1000  # characters in one line of a CSV file


@dataclasses.dataclass
class Table:
    header: list  # the header row, each cell as text
    fields: list  # for each header cell, the field it names (None: a column the importer does not know)
    rows: list  # [(line, [cells])]: the rows under the header that are not empty; line as a spreadsheet numbers it
    # (with `known` given, the cells of unknown columns are None)

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
    the first row that is not empty). Raises FileUnreadable with the importer's `messages` (see MESSAGES), and
    nothing else whatever the bytes."""
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
        lines = _csv_lines(data, limits, refuse)
    try:
        return _under_header(lines, {normalize_header(h): f for h, f in (known or {}).items()}, limits, refuse)
    finally:
        lines.close()  # the archive is closed even when the rows are refused


# -- xlsx ---------------------------------------------------------------------------------------------------

def _xlsx_lines(data, limits, refuse):
    """(line, [cells]) of the first worksheet, streaming (see the module's docstring). Any error of a malformed
    workbook becomes FileUnreadable("not_xlsx")."""
    archive = _archive(data, limits, refuse)
    try:
        yield from _Workbook(archive, limits, refuse).lines()
    except FileUnreadable:
        raise
    except MemoryError:
        raise
    except Exception as err:  # zipfile, zlib, expat, a missing part, a number that is not one ...
        log.info("unreadable workbook: %s", type(err).__name__)
        raise refuse("not_xlsx")
    finally:
        archive.close()


def _declared_parts(data):
    """The number of members the end of central directory record declares (None when it is not found)."""
    at = data.rfind(b"PK\x05\x06", max(0, len(data) - 65536 - 22))
    if at < 0 or len(data) < at + 22:
        return None
    return struct.unpack("<H", data[at + 10:at + 12])[0]


def _archive(data, limits, refuse):
    """The zip archive, refused before anything is unpacked: too many parts, more unpacked than the limit, or a
    part compressed beyond the ratio."""
    declared = _declared_parts(data)
    if declared is not None and declared != 0xFFFF and declared > limits.parts:
        raise refuse("parts", max=limits.parts)  # before zipfile reads a central directory of a million entries
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = archive.infolist()
    except Exception:
        raise refuse("not_xlsx")
    if len(parts) > limits.parts:
        archive.close()
        raise refuse("parts", max=limits.parts)
    if sum(part.file_size for part in parts) > limits.unpacked:
        archive.close()
        raise refuse("unpacked", size=limits.unpacked // (1024 * 1024))
    for part in parts:
        if part.file_size > RATIO_FREE and part.file_size > limits.ratio * max(part.compress_size, 1):
            archive.close()
            raise refuse("ratio", ratio=limits.ratio)
    return archive


LOCAL = {name: name for name in ("row", "c", "v", "t", "is", "f", "r", "si", "rPh", "sheetData")}


def _local(name):
    """An element's or attribute's name without its prefix (x:row, r:id -> row, id)."""
    return name.rpartition(":")[2]


def _column(ref):
    """The 1-based column of a cell reference (B12 -> 2), None when there is none."""
    number = 0
    for char in ref:
        if "A" <= char <= "Z":
            number = number * 26 + ord(char) - 64
        elif "a" <= char <= "z":
            number = number * 26 + ord(char) - 96
        else:
            break
        if number > 16384:
            raise ValueError(ref)
    return number or None


class _Workbook:
    """The parts of an xlsx read by expat through size-capped streams: the first sheet's rows, its shared strings
    and the date formats of its styles."""

    def __init__(self, archive, limits, refuse):
        self.archive, self.limits, self.refuse = archive, limits, refuse
        self.names = {part.filename: part for part in archive.infolist()}
        self.unpacked = 0  # bytes unpacked so far, whatever the parts declared
        self.text = 0  # characters of text held
        self.line = 0  # the row being read (for the messages)

    # -- reading parts --

    def stream(self, name):
        """The part's bytes in chunks, stopped at the size it declares and at the archive's limit."""
        part = self.names[name]
        read = 0
        with self.archive.open(part) as member:
            while True:
                chunk = member.read(CHUNK)
                if not chunk:
                    return
                read += len(chunk)
                self.unpacked += len(chunk)
                if read > part.file_size or self.unpacked > self.limits.unpacked:
                    raise self.refuse("unpacked", size=self.limits.unpacked // (1024 * 1024))
                yield chunk

    def parse(self, name, start, end=None, text=None):
        """Feed the part to expat with these handlers; a generator yielding after each chunk (so a caller can hand
        out what the chunk gave). No DOCTYPE, hence no entity of any kind."""
        parser = expat.ParserCreate()  # names as written (row, or x:row): _local drops a prefix
        parser.buffer_text = True  # text in pieces of at most 8 KB, fewer calls

        def doctype(*args):
            raise self.refuse("doctype")

        parser.StartDoctypeDeclHandler = doctype
        parser.EntityDeclHandler = doctype
        parser.StartElementHandler = lambda tag, attrs: start(LOCAL.get(tag) or _local(tag), attrs)
        if end is not None:
            parser.EndElementHandler = lambda tag: end(LOCAL.get(tag) or _local(tag))
        if text is not None:
            parser.CharacterDataHandler = text
        for chunk in self.stream(name):
            parser.Parse(chunk, False)
            yield
        parser.Parse(b"", True)

    def parse_all(self, name, start, end=None, text=None):
        for _ in self.parse(name, start, end, text):
            pass

    def relationships(self, name):
        """{id: (type, target)} of a .rels part ({} when there is none)."""
        found = {}
        if name in self.names:
            def start(tag, attrs):
                if tag == "Relationship":
                    found[attrs.get("Id")] = (attrs.get("Type", ""), attrs.get("Target", ""))
            self.parse_all(name, start)
        return found

    @staticmethod
    def resolve(base, target):
        """A relationship's target as a part name: xl/ + worksheets/sheet1.xml, or /xl/... as it is."""
        if target.startswith("/"):
            return target[1:]
        parts = []
        for piece in (base.rsplit("/", 1)[0] + "/" + target if "/" in base else target).split("/"):
            if piece == "..":
                parts = parts[:-1]
            elif piece and piece != ".":
                parts.append(piece)
        return "/".join(parts)

    def locate(self):
        """(sheet, shared strings, styles): the part names of the first worksheet and of what it needs."""
        book = next((self.resolve("", target) for kind, target in self.relationships("_rels/.rels").values()
                     if kind.endswith("/officeDocument")), "xl/workbook.xml")
        sheets = []

        def start(tag, attrs):
            if tag == "sheet":
                sheets.append(next((v for k, v in attrs.items() if _local(k) == "id"), None))
        self.parse_all(book, start)
        folder, _, leaf = book.rpartition("/")
        rels = self.relationships((folder + "/" if folder else "") + "_rels/" + leaf + ".rels")
        by_kind = {kind.rsplit("/", 1)[-1]: self.resolve(book, target) for kind, target in rels.values()}
        sheet = self.resolve(book, rels[sheets[0]][1]) if sheets and sheets[0] in rels else "xl/worksheets/sheet1.xml"
        return sheet, by_kind.get("sharedStrings"), by_kind.get("styles")

    def hold(self, count):
        """Count characters of text held; refuse beyond the limit."""
        self.text += count
        if self.text > self.limits.text:
            raise self.refuse("text", max=self.limits.text // 1000000)

    # -- the parts --

    def shared_strings(self, name):
        strings, pieces, size = [], [], [0]
        state = {"t": False, "phonetic": 0}

        def start(tag, attrs):
            if tag == "si":
                pieces.clear()
                size[0] = 0
            elif tag == "t":
                state["t"] = True
            elif tag == "rPh":
                state["phonetic"] += 1

        def end(tag):
            if tag == "si":
                if len(strings) >= self.limits.strings:  # a million tiny strings cost their overhead
                    raise self.refuse("strings", max=self.limits.strings)
                strings.append("".join(pieces))
            elif tag == "t":
                state["t"] = False
            elif tag == "rPh":
                state["phonetic"] -= 1

        def text(data):
            if state["t"] and not state["phonetic"]:
                size[0] += len(data)
                if size[0] > self.limits.cell:
                    raise self.refuse("cell_long", line=self.line or 1, max=self.limits.cell)
                self.hold(len(data))
                pieces.append(data)

        if name and name in self.names:
            self.parse_all(name, start, end, text)
        return strings

    def date_styles(self, name):
        """The indexes of the cell formats (cellXfs) that show a number as a date."""
        custom, formats, inside = {}, [], [False]

        def start(tag, attrs):
            if tag == "numFmt":
                custom[attrs.get("numFmtId")] = attrs.get("formatCode", "")
            elif tag == "cellXfs":
                inside[0] = True
            elif tag == "xf" and inside[0]:
                formats.append(attrs.get("numFmtId", "0"))

        def end(tag):
            if tag == "cellXfs":
                inside[0] = False

        if name and name in self.names:
            self.parse_all(name, start, end)
        dates = set()
        for index, number in enumerate(formats):
            code = custom.get(number)
            if code is None and number.isdigit():
                code = BUILTIN_FORMATS.get(int(number))
            if code and is_date_format(code):
                dates.add(str(index))
        return dates

    def lines(self):
        sheet, shared_name, styles = self.locate()
        shared = self.shared_strings(shared_name)
        dates = self.date_styles(styles)
        limits, refuse = self.limits, self.refuse
        ready = []  # rows parsed from the last chunk
        row = {}  # column -> value
        cell = {"column": 0, "type": None, "style": None, "text": None, "size": 0}
        state = {"in_value": False, "phonetic": 0, "last_line": 0}

        def start(tag, attrs):
            if tag == "row":
                row.clear()
                self.line = int(attrs["r"]) if attrs.get("r") else state["last_line"] + 1
                if not 0 < self.line <= 1048576:
                    raise ValueError(self.line)
                cell["column"] = 0
            elif tag == "c":
                ref = attrs.get("r")
                cell["column"] = _column(ref) if ref else cell["column"] + 1
                cell["type"], cell["style"], cell["text"], cell["size"] = attrs.get("t"), attrs.get("s"), None, 0
            elif tag in ("v", "t", "is"):
                if tag != "is":
                    state["in_value"] = not state["phonetic"]
                if cell["text"] is None:
                    cell["text"] = []
            elif tag == "rPh":
                state["phonetic"] += 1

        def text(data):
            if state["in_value"] and cell["text"] is not None:
                cell["size"] += len(data)
                if cell["size"] > limits.cell:
                    raise refuse("cell_long", line=self.line, max=limits.cell)
                cell["text"].append(data)

        def end(tag):
            if tag in ("v", "t"):
                state["in_value"] = False
            elif tag == "rPh":
                state["phonetic"] -= 1
            elif tag == "c":
                value = self.value(cell, shared, dates)
                if value is not None and value != "":
                    if cell["column"] > limits.columns:
                        raise refuse("columns", line=self.line, max=limits.columns)
                    row[cell["column"]] = value
            elif tag == "row":
                state["last_line"] = self.line
                if row:
                    cells = [None] * max(row)
                    for column, value in row.items():
                        cells[column - 1] = value
                    ready.append((self.line, cells))

        for _ in self.parse(sheet, start, end, text):
            yield from ready
            ready.clear()
        yield from ready

    def value(self, cell, shared, dates):
        """A cell's value as openpyxl gives it (values_only, data_only): text, int, float, bool, datetime."""
        if cell["text"] is None:
            return None
        text, kind = "".join(cell["text"]), cell["type"]
        if kind == "s":
            index = int(text)
            if index < 0:
                raise IndexError(index)
            return shared[index]
        if kind in ("inlineStr", "str", "e"):
            self.hold(len(text))
            return text
        if kind == "b":
            return text.strip() in ("1", "true")
        if kind == "d":
            return dt.datetime.fromisoformat(text.strip().rstrip("Z"))
        text = text.strip()
        if not text:
            return None
        number = float(text) if "." in text or "E" in text.upper() else int(text)
        if cell["style"] in dates:
            try:
                return from_excel(number)
            except (ValueError, OverflowError):  # no date Excel can show: the number, for the row's own check
                return number
        return number


# -- CSV ----------------------------------------------------------------------------------------------------

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


def _physical_lines(text, limits, refuse):
    """The lines of the text, a line longer than the limit refused before the CSV reader splits it."""
    for number, line in enumerate(io.StringIO(text, newline=""), 1):
        if len(line) > limits.line:
            raise refuse("line_long", line=number, max=limits.line)
        yield line


def _csv_lines(data, limits, refuse):
    text = _decode(data, refuse)
    try:
        reader = csv.reader(_physical_lines(text, limits, refuse), delimiter=sniff_delimiter(text))
        for line, values in enumerate(reader, 1):
            if len(values) > limits.columns and any(v.strip() for v in values[limits.columns:]):
                raise refuse("columns", line=line, max=limits.columns)
            if any(len(v) > limits.cell for v in values):
                raise refuse("cell_long", line=line, max=limits.cell)
            yield line, values[:limits.columns]
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
    keep = {i for i, h in enumerate(header) if normalize_header(h) in known} if known else None
    width = max(keep) + 1 if keep else 0
    rows = []
    for line, cells in itertools.chain(first[at + 1:], lines):
        if _blank(cells):
            continue  # empty lines (Excel keeps formatted empty rows)
        if len(rows) >= limits.rows:
            raise refuse("too_many_rows", max=limits.rows)
        if keep is not None:  # only the known columns are held (a file of many columns costs no memory)
            cells = [cells[i] if i in keep and i < len(cells) else None for i in range(width)]
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
    return dates.parse_datetime(text)  # the one reader of typed dates (a DateUnreadable is a ValueError)
