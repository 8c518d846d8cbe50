"""The one writer of the spreadsheets and CSV files the system hands out (exports, the monthly report, the import
template): no text it writes is ever run as a formula.

    book = Book(); sheet = book.sheet("信访事项"); sheet.append(["=HYPERLINK(...)", 3]); data = book.save()
    csv_bytes(headers, rows)

The rule is OWASP's for CSV injection: a text starting with = + - @, a tab or a carriage return is one a spreadsheet
would evaluate (or expand). In a CSV file it gets a leading apostrophe ('=1+2), which Excel and LibreOffice show and
never run. In an xlsx file every text is written as a text cell (data type "s", never "f"), and a formula-like one is
also marked quotePrefix, Excel's own mark for "typed with a leading apostrophe": the value stays =1+2, shown as text,
and stays text when someone edits the cell. Numbers, dates and booleans are written as they are, a date with
the format 2022年12月9日. Characters an xlsx
cannot hold (control characters) are dropped and a text is cut at 32,767 characters (Excel's limit) instead of
failing the download.

Nothing else in the project imports openpyxl's Workbook or csv.writer to write a file
(tests/models/test_spreadsheet.py checks the sources).
"""
import csv
import datetime as dt
import decimal
import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # OWASP: what Excel and LibreOffice would evaluate or expand
XLSX_CELL_MAX = 32767  # characters Excel holds in one cell
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PLAIN = (int, float, decimal.Decimal, dt.datetime, dt.date, dt.time, bool)
# A date is a real Excel date (sorts, filters, subtracts), shown as the office writes it: 2022年12月9日
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
DATETIME_FORMAT = 'yyyy"年"m"月"d"日" hh:mm'


def formula_like(value):
    """Whether a spreadsheet would take this text as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def csv_text(value):
    """A CSV cell: a formula-like text gets a leading apostrophe; None is empty."""
    if value is None:
        return ""
    if formula_like(value):
        return "'" + value
    return value


def csv_bytes(headers, rows):
    """A CSV file: UTF-8 with a byte order mark, so that Excel opens Chinese correctly; CRLF line ends."""
    out = io.StringIO()
    writer = csv.writer(out)
    if headers is not None:
        writer.writerow([csv_text(h) for h in headers])
    for row in rows:
        writer.writerow([csv_text(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_text(value):
    """The text an xlsx cell can hold: control characters dropped, cut at Excel's limit."""
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))[:XLSX_CELL_MAX]


def _write(cell, value):
    """Put a value into an openpyxl cell (a worksheet's or a WriteOnlyCell): a text is a text cell, never a
    formula."""
    if value is None or isinstance(value, PLAIN):
        cell.value = value
        if isinstance(value, dt.date):  # a datetime too
            cell.number_format = DATETIME_FORMAT if isinstance(value, dt.datetime) else DATE_FORMAT
        return cell
    text = xlsx_text(value)
    cell.value = text
    cell.data_type = "s"  # openpyxl would make "=1+2" a formula ("f")
    if formula_like(text):
        cell.quotePrefix = True
    return cell


class Sheet:
    """A worksheet whose cells are written through _write. Everything else (column widths, frozen panes,
    data validations, fonts of cells already written) is the openpyxl worksheet's."""

    def __init__(self, sheet, write_only):
        self._sheet = sheet
        self._write_only = write_only

    def __getattr__(self, name):
        return getattr(self._sheet, name)

    def __getitem__(self, key):
        return self._sheet[key]

    def append(self, values, font=None, fill=None):
        """Add a row; font and fill (openpyxl styles) for every cell of it."""
        if self._write_only:
            cells = []
            for value in values:
                cell = _write(WriteOnlyCell(self._sheet), value)
                if font is not None:
                    cell.font = font
                if fill is not None:
                    cell.fill = fill
                cells.append(cell)
            self._sheet.append(cells)
            return cells
        self._sheet.append([None] * len(values))  # the row's line, as openpyxl counts appended rows
        row = self._sheet._current_row
        cells = []
        for column, value in enumerate(values, 1):
            cell = _write(self._sheet.cell(row=row, column=column), value)
            if font is not None:
                cell.font = font
            if fill is not None:
                cell.fill = fill
            cells.append(cell)
        return cells

    def cell(self, row, column, value=None):
        """The cell at (row, column), with value written into it when one is given."""
        cell = self._sheet.cell(row=row, column=column)
        if value is not None:
            _write(cell, value)
        return cell


class Book:
    """A workbook: Book() for one to style freely, Book(write_only=True) for a long export written row by row."""

    def __init__(self, write_only=False):
        self._book = Workbook(write_only=write_only)
        self._write_only = write_only
        self._first = None if write_only else self._book.active

    def sheet(self, title):
        """A new worksheet (the first call names the workbook's first sheet)."""
        title = sanitize_title(title)
        if self._first is not None:
            sheet, self._first = self._first, None
            sheet.title = title
        else:
            sheet = self._book.create_sheet(title=title)
        return Sheet(sheet, self._write_only)

    def save(self):
        out = io.BytesIO()
        self._book.save(out)
        return out.getvalue()


def sanitize_title(title):
    """A sheet's name as Excel allows it: no []:*?/\\, at most 31 characters."""
    text = "".join(c for c in str(title) if c not in "[]:*?/\\")
    return ILLEGAL_CHARACTERS_RE.sub("", text)[:31] or "Sheet1"
