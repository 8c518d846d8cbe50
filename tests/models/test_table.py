"""The one table reader of the imports: xlsx and CSV in their usual encodings and separators, the header found under
a title line, Excel serial dates read alike, and files refused whole (a zip bomb, too many rows)."""
import csv
import datetime as dt
import io
import struct
import zipfile

import pytest

from models.imports import table

from tests.hotline_files import workbook as xlsx

KNOWN = {"工单编号": "number", "来电时间": "called_at", "联系电话": "phone", "诉求内容": "content"}
HEADER = ["工单编号", "来电时间", "联系电话", "诉求内容"]
ROWS = [["A-1", "2023-03-01 09:30", "13900000001", "路灯不亮，夜间出行不便"],
        ["A-2", "2023-03-02 10:00", "13900000002", "噪音扰民；夜间施工"]]


def csv_file(rows, encoding="utf-8-sig", delimiter=","):
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode(encoding)


def read(data, name="f.csv", rows=100, **limits):
    return table.read_table(data, name, KNOWN, table.Limits(rows=rows, **limits))


@pytest.mark.parametrize("data, name", [
    pytest.param(xlsx([HEADER] + ROWS), "f.xlsx", id="xlsx"),
    pytest.param(xlsx([HEADER] + ROWS), "no-extension", id="xlsx-by-signature"),
    pytest.param(csv_file([HEADER] + ROWS, "utf-8-sig"), "f.csv", id="csv-utf8-bom"),
    pytest.param(csv_file([HEADER] + ROWS, "utf-8"), "f.csv", id="csv-utf8"),
    pytest.param(csv_file([HEADER] + ROWS, "gb18030"), "f.csv", id="csv-gb18030"),
    pytest.param(csv_file([HEADER] + ROWS, delimiter=";"), "f.csv", id="csv-semicolon"),
    pytest.param(csv_file([HEADER] + ROWS, delimiter="\t"), "f.txt", id="csv-tab"),
    pytest.param(csv_file([["12345热线工单导出（2023年3月）"], [], HEADER] + ROWS, delimiter="\t"), "f.csv",
                 id="csv-tab-under-a-title-line"),
    pytest.param(xlsx([["12345热线工单导出（2023年3月）"], HEADER] + ROWS), "f.xlsx", id="xlsx-under-a-title-line"),
    pytest.param(csv_file([["某某县信访登记表", "", "", ""], HEADER] + ROWS), "f.csv", id="csv-under-a-padded-title"),
])
def test_every_kind_of_file_reads_as_the_same_header_and_rows(data, name):
    found = read(data, name)
    assert found.header == HEADER and found.fields == ["number", "called_at", "phone", "content"]
    assert [[table.cell_text(cell) for cell in cells] for _, cells in found.rows] == ROWS
    title_lines = found.rows[0][0] - 2
    assert [line for line, _ in found.rows] == [2 + title_lines, 3 + title_lines]  # as a spreadsheet numbers them


def test_headers_are_compared_folded_and_unknown_ones_kept():
    header = [" 工单编号 *", "来电时间：", "备注", "诉求内容"]
    found = read(csv_file([header, ["A-1", "2023-03-01", "无", "内容"]]))
    assert found.fields == ["number", "called_at", None, "content"] and found.header[2] == "备注"
    assert found.keyed(found.positions()) == [(2, {"number": "A-1", "called_at": "2023-03-01", "content": "内容"})]
    assert table.normalize_header("村（社区）") == table.normalize_header("村(社区)")


def test_the_header_is_the_row_naming_the_most_known_columns():
    rows = [["工单编号", "说明"], HEADER, ROWS[0]]  # a note row naming one column above the real header
    found = read(csv_file(rows))
    assert found.header == HEADER and [line for line, _ in found.rows] == [3]


def test_empty_rows_are_passed_over_and_not_counted():
    data = xlsx([HEADER, ROWS[0], [None] * 4, ["", " ", "", ""], ROWS[1]])
    found = read(data, "f.xlsx", rows=2)
    assert [line for line, _ in found.rows] == [2, 5]


@pytest.mark.parametrize("count, refused", [pytest.param(3, False, id="at-the-limit"),
                                            pytest.param(4, True, id="one-more")])
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_more_rows_than_the_limit_refuse_the_file(kind, count, refused):
    rows = [HEADER] + [["A-%d" % n, "2023-03-01", "", "内容"] for n in range(count)]
    data, name = (csv_file(rows), "f.csv") if kind == "csv" else (xlsx(rows), "f.xlsx")
    if not refused:
        assert len(read(data, name, rows=3).rows) == 3
        return
    with pytest.raises(table.FileUnreadable) as error:
        read(data, name, rows=3)
    assert error.value.message == table.MESSAGES["too_many_rows"] and error.value.params == {"max": 3}


def zip_bomb(unpacked):
    """A workbook with a part of `unpacked` zero bytes: a few kilobytes that unpack to megabytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx([HEADER] + ROWS))) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for part in source.infolist():
            bomb.writestr(part, source.read(part))
        bomb.writestr("xl/media/padding.bin", b"\0" * unpacked)
    return out.getvalue()


def test_a_zip_bomb_is_refused_before_it_is_unpacked(monkeypatch):
    data = zip_bomb(3 * 1024 * 1024)
    assert len(data) < 50 * 1024
    assert read(data, "f.xlsx", unpacked=4 * 1024 * 1024, ratio=10000).header == HEADER  # under the limits: read
    monkeypatch.setattr(table, "_Workbook", lambda *a, **k: pytest.fail("the workbook was opened"))
    with pytest.raises(table.FileUnreadable) as error:
        read(data, "f.xlsx", unpacked=2 * 1024 * 1024)
    assert error.value.message == table.MESSAGES["unpacked"] and error.value.params == {"size": 2}


def declaring(data, part, size):
    """The archive with `part` declaring `size` bytes unpacked in the central directory, as a crafted bomb does."""
    name, at = part.encode(), -1
    while True:
        at = data.index(b"PK\x01\x02", at + 1)
        if data[at + 46:at + 46 + len(name)] == name:
            return data[:at + 24] + struct.pack("<I", size) + data[at + 28:]


def test_the_usual_limit_refuses_a_workbook_declaring_gigabytes():
    data = declaring(xlsx([HEADER] + ROWS), "xl/worksheets/sheet1.xml", 4 * 1024 ** 3 - 1)
    with pytest.raises(table.FileUnreadable) as error:
        read(data, "f.xlsx")
    assert error.value.message == table.MESSAGES["unpacked"] and error.value.params == {"size": 200}


@pytest.mark.parametrize("data, name, reason", [
    pytest.param(b"", "f.csv", "empty", id="empty"),
    pytest.param(b"\n\n  \n", "f.csv", "empty", id="blank-lines"),
    pytest.param(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "f.bin", "old_excel", id="xls-by-signature"),
    pytest.param(b"anything", "old.XLS", "old_excel", id="xls-by-name"),
    pytest.param(b"PK\x03\x04 not really a workbook", "f.xlsx", "not_xlsx", id="broken-xlsx"),
    pytest.param(bytes(range(256)) * 4, "f.csv", "encoding", id="binary"),
    pytest.param("工单编号\0来电时间".encode("utf-8"), "f.csv", "encoding", id="nul-bytes"),
    pytest.param(b"x" * 2048, "f.csv", "too_large", id="too-large"),
])
def test_files_that_are_not_tables_are_refused_whole(data, name, reason):
    with pytest.raises(table.FileUnreadable) as error:
        read(data, name, bytes=1024)
    assert error.value.message == table.MESSAGES[reason]


def test_an_importer_words_a_reason_its_own_way():
    with pytest.raises(table.FileUnreadable) as error:
        table.read_table(b"", "f.csv", KNOWN, table.Limits(rows=1), messages={"empty": "Nothing in it."})
    assert error.value.message == "Nothing in it."


@pytest.mark.parametrize("value, expected", [
    pytest.param(dt.datetime(2023, 3, 5, 9, 30, 0, 400), dt.datetime(2023, 3, 5, 9, 30), id="datetime"),
    pytest.param(dt.date(2023, 3, 5), dt.datetime(2023, 3, 5), id="date"),
    pytest.param(44990, dt.datetime(2023, 3, 5), id="serial"),
    pytest.param(44990.5, dt.datetime(2023, 3, 5, 12, 0), id="serial-noon"),
    # Excel keeps 15 significant digits: 09:30 is stored a few microseconds early and must not read as 09:29:59
    pytest.param(44990.3958333333, dt.datetime(2023, 3, 5, 9, 30), id="serial-as-excel-stores-it"),
    pytest.param(44986.0006944444, dt.datetime(2023, 3, 1, 0, 1), id="serial-one-past-midnight"),
    pytest.param("44990.5", dt.datetime(2023, 3, 5, 12, 0), id="serial-as-csv-text"),
    pytest.param(20230305, dt.datetime(2023, 3, 5), id="compact-date-as-a-number"),
    pytest.param("2023-03-05 09:30", dt.datetime(2023, 3, 5, 9, 30), id="iso"),
    pytest.param("2023/3/5 9:30:15", dt.datetime(2023, 3, 5, 9, 30, 15), id="slashes"),
    pytest.param("2023.3.5", dt.datetime(2023, 3, 5), id="dots"),
    pytest.param("2023年3月5日 9时30分", dt.datetime(2023, 3, 5, 9, 30), id="chinese"),
    pytest.param("2023年3月5日 9点30分", dt.datetime(2023, 3, 5, 9, 30), id="chinese-dian"),
    pytest.param("２０２３－０３－０５", dt.datetime(2023, 3, 5), id="full-width"),
    pytest.param("20230305", dt.datetime(2023, 3, 5), id="compact"),
    pytest.param("  ", None, id="blank"),
    pytest.param(None, None, id="none"),
])
def test_dates_as_exports_and_registers_write_them(value, expected):
    assert table.parse_datetime(value) == expected


@pytest.mark.parametrize("value", [
    pytest.param(2021, id="a-year-is-not-1905"),
    pytest.param("2021", id="a-year-as-text"),
    pytest.param(3, id="a-count"),
    pytest.param(True, id="a-boolean"),
    pytest.param("2023-02-30", id="no-such-day"),
    pytest.param("12:30", id="a-time-alone"),
    pytest.param("去年春天", id="words"),
])
def test_what_is_not_a_date(value):
    with pytest.raises(ValueError):
        table.parse_datetime(value)


def test_dates_read_from_a_workbook_as_cells_or_serial_numbers():
    found = read(xlsx([HEADER, ["A-1", dt.datetime(2023, 3, 5, 9, 30), "", "内容"],
                       ["A-2", 44990.3958333333, "", "内容"]]), "f.xlsx")
    assert [table.parse_datetime(cells[1]) for _, cells in found.rows] == [dt.datetime(2023, 3, 5, 9, 30)] * 2


@pytest.mark.parametrize("value, text", [
    (None, ""), (13900000001.0, "13900000001"), (3, "3"), (2.5, "2.5"), (dt.datetime(2023, 3, 5, 9, 30),
                                                                     "2023-03-05 09:30:00"),
    (dt.date(2023, 3, 5), "2023-03-05"), ("  王秀英 ", "王秀英"),
])
def test_cells_as_text(value, text):
    assert table.cell_text(value) == text


# -- zip bombs and malformed workbooks (the security issue's points 13 and 14) ---------------------------------

from tests import xlsx_files  # noqa: E402

CHILD = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({ceiling}, {ceiling}))
from models.imports import hotline, petitions, table
data = open(sys.argv[1], "rb").read()
try:
    if sys.argv[2] == "petitions":
        petitions.read("bomb.xlsx", data)
        print("read")
    else:
        found = table.read_table(data, "bomb.xlsx", {{"工单编号": "number", "来电时间": "called_at"}},
                                 table.Limits(rows=hotline.MAX_ROWS))
        print("read", len(found.rows))
except table.FileUnreadable as err:
    print("refused", err.message)
except MemoryError:
    print("MemoryError")
print([int(line.split()[1]) // 1024 for line in open("/proc/self/status") if line.startswith("VmHWM")][0])
"""
MEMORY_CEILING = 600 * 1024 * 1024  # address space of the child: a bomb fails it instead of the machine
PEAK_LIMIT_MB = 300


def read_in_a_child(tmp_path, data, importer="hotline", timeout=30):
    """(outcome, peak resident MB) of reading the file in a child process under a memory ceiling."""
    import subprocess
    import sys

    path = tmp_path / "bomb.xlsx"
    path.write_bytes(data)
    root = __file__.rsplit("/tests/", 1)[0]
    try:
        done = subprocess.run([sys.executable, "-c", CHILD.format(ceiling=MEMORY_CEILING), str(path), importer],
                              cwd=root, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.fail("still reading after %s s" % timeout)
    lines = done.stdout.strip().splitlines()
    assert done.returncode == 0 and len(lines) == 2, done.stderr[-2000:]
    return lines[0], int(lines[1])


@pytest.mark.parametrize("importer", ["hotline", "petitions"])
@pytest.mark.parametrize("bomb, outcome", [
    # one shared string of 120 MB, packed in 0.1 MB: the old reader held it (about 400 MB) before any row
    pytest.param(lambda: xlsx_files.huge_shared_string(120 * 1024 * 1024), "refused " + table.MESSAGES["ratio"],
                 id="huge-shared-string"),
    # a sheet declaring A1:XFD1048576: the old reader padded each of its 20,000 rows to 16,384 cells (gigabytes)
    pytest.param(lambda: xlsx_files.wide_dimension(20000), "read", id="wide-dimension"),
    # 40 columns of varied numbers under the ratio a part may have: only the known columns are held
    pytest.param(lambda: xlsx_files.many_rows(5500, 40, varied=True), "read", id="many-cells-under-the-ratio"),
])
def test_a_zip_bomb_is_read_in_bounded_memory(tmp_path, importer, bomb, outcome):
    outcome_found, peak = read_in_a_child(tmp_path, bomb(), importer)
    assert peak < PEAK_LIMIT_MB, "peak %s MB" % peak
    if importer == "hotline" or outcome != "read":
        assert outcome_found.startswith(outcome)
    else:  # the petition importer stops at its 5,000 rows
        assert outcome_found == "refused " + table.MESSAGES["too_many_rows"]


def test_the_ratio_is_checked_per_part_and_small_parts_are_free():
    with pytest.raises(table.FileUnreadable) as error:
        read(xlsx_files.many_rows(4000, 40), "f.xlsx")  # 4.4 MB of the same cells in 25 KB
    assert error.value.message == table.MESSAGES["ratio"] and error.value.params == {"ratio": 100}
    assert read(xlsx_files.many_rows(4000, 40), "f.xlsx", ratio=1000, rows=4000).header == HEADER
    assert read(xlsx_files.good(), "f.xlsx").header == HEADER  # tiny parts compress far, and are read


def test_too_many_parts_are_refused_before_the_directory_is_read():
    data = xlsx_files.many_parts(1200)
    with pytest.raises(table.FileUnreadable) as error:
        read(data, "f.xlsx")
    assert error.value.message == table.MESSAGES["parts"] and error.value.params == {"max": 1000}
    assert read(data, "f.xlsx", parts=1300).header == HEADER


def test_a_part_that_unpacks_beyond_its_declared_size_is_refused():
    data = xlsx_files.lying_size(30 * 1024 * 1024)  # declares 1 KB, unpacks to 30 MB
    with pytest.raises(table.FileUnreadable) as error:
        read(data, "f.xlsx")
    assert error.value.message in (table.MESSAGES["unpacked"], table.MESSAGES["not_xlsx"])


def test_the_bytes_unpacked_are_counted_whatever_the_parts_declare(monkeypatch):
    data = xlsx_files.good([("A-%d" % n, "2023-03-01", "", "内容") for n in range(2000)])
    monkeypatch.setattr(table, "_archive", lambda data, limits, refuse: zipfile.ZipFile(io.BytesIO(data)))
    with pytest.raises(table.FileUnreadable) as error:  # the declared sizes not checked: the stream stops it
        read(data, "f.xlsx", rows=5000, unpacked=64 * 1024)
    assert error.value.message == table.MESSAGES["unpacked"]


@pytest.mark.parametrize("cells, reason, params", [
    pytest.param('<c r="GT2"><v>1</v></c>', "columns", {"line": 2, "max": 200}, id="a-value-in-column-202"),
    pytest.param('<c r="A2" t="inlineStr"><is><t>%s</t></is></c>' % ("长" * 32768), "cell_long",
                 {"line": 2, "max": 32767}, id="a-cell-longer-than-excel-holds"),
])
def test_cells_beyond_the_limits_refuse_the_file(cells, reason, params):
    sheet = xlsx_files.SHEET_START % "" + xlsx_files.inline_row(1, HEADER) + '<row r="2">%s</row>' % cells
    with pytest.raises(table.FileUnreadable) as error:
        read(xlsx_files.package(sheet + xlsx_files.SHEET_END), "f.xlsx")
    assert error.value.message == table.MESSAGES[reason] and error.value.params == params


def test_empty_cells_far_right_are_passed_over():
    sheet = (xlsx_files.SHEET_START % '<dimension ref="A1:XFD3"/>' + xlsx_files.inline_row(1, HEADER)
             + xlsx_files.inline_row(2, ROWS[0])[:-6] + '<c r="XFD2" s="1"/></row>' + xlsx_files.SHEET_END)
    found = read(xlsx_files.package(sheet), "f.xlsx")
    assert [[table.cell_text(c) for c in cells] for _, cells in found.rows] == [ROWS[0]]


def test_text_beyond_the_limit_refuses_the_file():
    rows = [("A-%d" % n, "2023-03-01", "", "内容" * 500) for n in range(30)]
    with pytest.raises(table.FileUnreadable) as error:
        read(xlsx_files.good(rows), "f.xlsx", text=20000)
    assert error.value.message == table.MESSAGES["text"]


@pytest.mark.parametrize("data, reason", [
    pytest.param(xlsx_files.doctype_sheet(), "doctype", id="billion-laughs-in-the-sheet"),
    pytest.param(xlsx_files.doctype_external(), "doctype", id="external-entity-in-the-shared-strings"),
    pytest.param(xlsx_files.doctype_workbook(), "doctype", id="doctype-in-workbook-xml"),
    pytest.param(xlsx_files.truncated(), "not_xlsx", id="truncated-archive"),
    pytest.param(xlsx_files.truncated_sheet_xml(), "not_xlsx", id="sheet-xml-cut-off"),
    pytest.param(xlsx_files.broken_workbook(), "not_xlsx", id="broken-workbook-xml"),
    pytest.param(xlsx_files.package("<worksheet><sheetData><row><c t='s'><v>7</v></c></row></sheetData>"
                                    "</worksheet>"), "not_xlsx", id="a-shared-string-that-is-not-there"),
    pytest.param(xlsx_files.package("<worksheet><sheetData><row><c><v>12abc</v></c></row></sheetData>"
                                    "</worksheet>"), "not_xlsx", id="a-number-that-is-not-one"),
])
def test_a_malformed_workbook_is_refused_with_its_reason_and_nothing_else(data, reason):
    with pytest.raises(table.FileUnreadable) as error:
        read(data, "f.xlsx")
    assert error.value.message == table.MESSAGES[reason]


def test_a_workbook_of_excel_reads_as_before():
    """Dates by their style, numbers, booleans, rich text without its phonetic guide, a prefixed namespace."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(HEADER + ["是否"])
    book.active.append(["A-1", dt.datetime(2023, 3, 5, 9, 30), 13900000001, "内容", True])
    book.active.append([17, dt.date(2023, 3, 6), 1.5, "=1+2", False])
    out = io.BytesIO()
    book.save(out)
    found = read(out.getvalue(), "f.xlsx")
    assert [cells[:4] for _, cells in found.rows] == [
        ["A-1", dt.datetime(2023, 3, 5, 9, 30), 13900000001, "内容"], [17, dt.datetime(2023, 3, 6), 1.5, None]]
    shared = ('<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><r><t>路灯</t></r>'
              '<r><t>不亮</t></r><rPh sb="0" eb="1"><t>ろ</t></rPh></si></sst>')
    sheet = ('<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>'
             + xlsx_files.inline_row(1, HEADER).replace("<", "<x:").replace("<x:/", "</x:")
             + '<x:row r="2"><x:c r="A2" t="s"><x:v>0</x:v></x:c></x:row></x:sheetData></x:worksheet>')
    found = read(xlsx_files.package(sheet, shared), "f.xlsx")
    assert found.header == HEADER and found.rows == [(2, ["路灯不亮", None, None, None])]


def test_more_shared_strings_than_the_limit_refuse_the_file():
    shared = ('<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              + "".join("<si><t>%d</t></si>" % n for n in range(50)) + "</sst>")
    sheet = xlsx_files.SHEET_START % "" + xlsx_files.inline_row(1, HEADER) + xlsx_files.SHEET_END
    assert read(xlsx_files.package(sheet, shared), "f.xlsx", strings=50).header == HEADER
    with pytest.raises(table.FileUnreadable) as error:
        read(xlsx_files.package(sheet, shared), "f.xlsx", strings=49)
    assert error.value.message == table.MESSAGES["strings"] and error.value.params == {"max": 49}


def test_only_the_known_columns_are_held_under_the_header():
    header = ["备注%d" % n for n in range(150)] + HEADER + ["说明"]
    found = read(csv_file([header, ["x"] * 150 + ROWS[0] + ["y"]]))
    assert found.header == header and found.keyed(found.positions()) == [(2, dict(zip(KNOWN.values(), ROWS[0])))]
    assert found.rows[0][1][:150] == [None] * 150 and len(found.rows[0][1]) == 154  # 说明 not held either


def test_a_csv_file_is_bounded_too():
    wide = HEADER + [""] * 300
    assert read(csv_file([wide, ROWS[0] + [""] * 300])).header[:4] == HEADER  # empty columns far right: read
    with pytest.raises(table.FileUnreadable) as error:
        read(csv_file([HEADER, ROWS[0] + [""] * 250 + ["x"]]))
    assert error.value.message == table.MESSAGES["columns"] and error.value.params == {"line": 2, "max": 200}
    with pytest.raises(table.FileUnreadable) as error:  # a line of a million commas is never split into fields
        read(csv_file([HEADER]) + b"," * 1000001)
    assert error.value.message == table.MESSAGES["line_long"] and error.value.params == {"line": 2, "max": 1000000}
    with pytest.raises(table.FileUnreadable) as error:
        read(csv_file([HEADER, ["A-1", "", "", "长" * 32768]]))
    assert error.value.message == table.MESSAGES["cell_long"] and error.value.params == {"line": 2, "max": 32767}
