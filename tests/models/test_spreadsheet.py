"""models/spreadsheet.py, the one writer of spreadsheets and CSV files: no text is ever a formula (OWASP's rule),
and no other module writes such a file."""
import csv
import datetime as dt
import io
import pathlib
import re

import openpyxl
import pytest

from models import spreadsheet

ROOT = pathlib.Path(__file__).resolve().parents[2]
FORMULA_LIKE = ['=HYPERLINK("http://x","y")', "+1", "-1", "@SUM(A1)", "\t=1+2", "\r=1+2", "=1+2"]


@pytest.mark.parametrize("write_only", [False, True])
def test_formula_like_texts_are_text_cells_and_other_values_keep_their_type(write_only):
    book = spreadsheet.Book(write_only=write_only)
    sheet = book.sheet("表[1]:*?/\\" + "长" * 40)
    sheet.append(FORMULA_LIKE)
    sheet.append([3, 2.5, -1, dt.datetime(2023, 3, 5, 9, 30), True, "路灯\x01不亮", "x" * 40000, None])
    read = openpyxl.load_workbook(io.BytesIO(book.save()))
    assert read.sheetnames == ["表1" + "长" * 29]
    first, second = list(read.active.iter_rows())[:2]
    assert [(c.value, c.data_type, c.quotePrefix) for c in first] == [(v, "s", True) for v in FORMULA_LIKE]
    assert [c.value for c in second[:6]] == [3, 2.5, -1, dt.datetime(2023, 3, 5, 9, 30), True, "路灯不亮"]
    assert [c.data_type for c in second[:3]] == ["n", "n", "n"] and len(second[6].value) == 32767
    assert second[5].quotePrefix is False


def test_a_csv_cell_that_would_be_a_formula_gets_an_apostrophe():
    data = spreadsheet.csv_bytes(["事由", "人数"], [[v, -1] for v in FORMULA_LIKE] + [["路灯不亮", None]])
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["事由", "人数"]
    assert [row[0] for row in rows[1:-1]] == ["'" + v for v in FORMULA_LIKE]
    assert rows[1][1] == "-1"  # a number is a number: never evaluated as a formula
    assert rows[-1] == ["路灯不亮", ""]


def test_no_other_module_writes_a_spreadsheet_or_a_csv_file():
    writers = re.compile(r"\bWorkbook\s*\(|csv\.writer\s*\(|csv\.DictWriter\s*\(|\bWriteOnlyCell\b|xlsxwriter|"
                         r"from openpyxl import[^\n]*\bWorkbook\b")
    found = []
    for folder in ("models", "admin_app"):
        for path in (ROOT / folder).rglob("*.py"):
            if path == ROOT / "models" / "spreadsheet.py":
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if writers.search(line):
                    found.append("%s:%d: %s" % (path.relative_to(ROOT), number, line.strip()))
    assert found == []
