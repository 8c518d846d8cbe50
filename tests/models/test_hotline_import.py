"""12345 hotline import: idempotent by ticket number, a per-row report, a bad row never stops the good ones."""
import datetime as dt
import time

import pytest

from models.imports import hotline as importer
from models.hotline import HotlineTicket

from tests.hotline_files import HEADERS, csv_bytes, rows_of, ticket_row, xlsx_bytes


def results(report):
    return [(row.line, row.result) for row in report.rows]


def test_good_rows_are_added_with_every_field(db):
    report = importer.import_file(csv_bytes(rows_of(3)), "tickets.csv")
    assert report.error is None
    assert report.counts() == {"added": 3, "updated": 0, "unchanged": 0, "skipped": 0}
    assert results(report) == [(2, "added"), (3, "added"), (4, "added")]  # lines as the spreadsheet numbers them
    ticket = HotlineTicket.get(HotlineTicket.number == "12345-2023-00001")
    assert ticket.called_at == dt.datetime(2023, 3, 1, 8, 1)
    assert (ticket.caller, ticket.phone, ticket.kind, ticket.area, ticket.handling_unit, ticket.status) == (
        "来电人1", "13900000001", "城乡建设", "梁庄镇张家村", "县住建局", "办理中")
    assert ticket.deadline == dt.datetime(2023, 3, 8) and ticket.satisfaction is None
    assert "路灯不亮" in ticket.content


def test_the_same_file_twice_changes_nothing(db):
    data = xlsx_bytes(rows_of(20))
    first = importer.import_file(data, "tickets.xlsx")
    assert first.counts()["added"] == 20
    before = [(t.id, t.version, t.updated_at) for t in HotlineTicket.select().order_by(HotlineTicket.id)]
    second = importer.import_file(data, "tickets.xlsx")
    assert second.counts() == {"added": 0, "updated": 0, "unchanged": 20, "skipped": 0}
    assert [(t.id, t.version, t.updated_at) for t in HotlineTicket.select().order_by(HotlineTicket.id)] == before


def test_a_changed_row_updates_its_ticket_and_says_which_fields(db):
    importer.import_file(csv_bytes(rows_of(3)), "a.csv")
    rows = rows_of(3)
    rows[1] = ticket_row(2, 工单状态="已办结", 满意度="满意")
    report = importer.import_file(csv_bytes(rows), "b.csv")
    assert results(report) == [(2, "unchanged"), (3, "updated"), (4, "unchanged")]
    assert report.rows[1].changed == ["satisfaction", "status"]
    ticket = HotlineTicket.get(HotlineTicket.number == "12345-2023-00002")
    assert (ticket.status, ticket.satisfaction, ticket.version) == ("已办结", "满意", 2)


def test_duplicate_rows_in_one_file(db):
    rows = [ticket_row(1), ticket_row(1), ticket_row(1, 工单状态="已办结")]
    report = importer.import_file(csv_bytes(rows), "dup.csv")
    assert results(report) == [(2, "added"), (3, "unchanged"), (4, "updated")]
    assert [n.message for n in report.rows[1].notes] == ["Same ticket number as row %(line)s."]
    assert report.rows[1].notes[0].params == {"line": 2}
    assert HotlineTicket.select().count() == 1
    assert HotlineTicket.get().status == "已办结"  # the last row wins


@pytest.mark.parametrize("value", ["2023-02-30 09:00", "昨天下午", "2023-13-01", "12:30"])
def test_a_bad_date_skips_its_row_only(db, value):
    rows = [ticket_row(1), ticket_row(2, 来电时间=value), ticket_row(3)]
    report = importer.import_file(csv_bytes(rows), "dates.csv")
    assert results(report) == [(2, "added"), (3, "skipped"), (4, "added")]
    skipped = report.rows[1]
    assert skipped.reason == "%(column)s is not a date: %(value)s" and skipped.error.params["value"] == value
    assert skipped.number == "12345-2023-00002"
    assert not HotlineTicket.select().where(HotlineTicket.number == "12345-2023-00002").exists()


def test_a_bad_deadline_skips_the_row_rather_than_store_half_of_it(db):
    report = importer.import_file(csv_bytes([ticket_row(1, 办理时限="五个工作日")]), "d.csv")
    assert report.counts()["skipped"] == 1 and HotlineTicket.select().count() == 0


@pytest.mark.parametrize("value, expected", [
    ("2023/3/5 9:30", dt.datetime(2023, 3, 5, 9, 30)),
    ("2023年3月5日 9时30分", dt.datetime(2023, 3, 5, 9, 30)),
    ("2023年3月5日", dt.datetime(2023, 3, 5)),
    ("2023.3.5 09:30:15", dt.datetime(2023, 3, 5, 9, 30, 15)),
    ("20230305", dt.datetime(2023, 3, 5)),
    ("2023-03-05T09:30:00", dt.datetime(2023, 3, 5, 9, 30)),
    (44990.5, dt.datetime(2023, 3, 5, 12, 0)),  # an Excel serial date
    (dt.date(2023, 3, 5), dt.datetime(2023, 3, 5)),
])
def test_dates_as_hotline_exports_write_them(value, expected):
    assert importer.parse_datetime(value) == expected


@pytest.mark.parametrize("maker, cell", [
    pytest.param(xlsx_bytes, 44990.3958333333, id="xlsx-serial-as-excel-stores-it"),  # was read as 09:29:59
    pytest.param(csv_bytes, "44990.3958333333", id="csv-serial-as-text"),  # was skipped as not a date
])
def test_an_excel_serial_date_reads_as_the_petition_import_reads_it(db, maker, cell):
    from models.imports import petitions

    report = importer.import_file(maker([ticket_row(1, 来电时间=cell)]), "serial")
    assert results(report) == [(2, "added")], [row.error for row in report.rows]
    assert HotlineTicket.get().called_at == dt.datetime(2023, 3, 5, 9, 30) == petitions.parse_time(cell)


def test_missing_values_are_skipped_with_their_reason(db):
    rows = [ticket_row(1, 工单编号=""), ticket_row(2, 来电时间=""), ticket_row(3, 诉求内容="  "), ticket_row(4),
            ticket_row(5, 来电人="长" * 51)]
    report = importer.import_file(csv_bytes(rows), "m.csv")
    assert [row.reason for row in report.rows] == [
        "The ticket number is missing.", "The call time is missing.", "The content is missing.", None,
        "%(column)s has more than %(max)s characters."]
    assert report.counts() == {"added": 1, "updated": 0, "unchanged": 0, "skipped": 4}


def test_missing_required_columns_refuse_the_file(db):
    headers = [h for h in HEADERS if h not in ("来电时间", "诉求内容")]
    report = importer.import_file(csv_bytes(rows_of(2), headers=headers), "cols.csv")
    assert report.error.message == "Required columns are missing: %(columns)s."
    assert report.error.params == {"columns": "来电时间、诉求内容"}
    assert report.rows == [] and HotlineTicket.select().count() == 0


def test_optional_columns_may_be_missing_and_are_then_left_alone(db):
    importer.import_file(csv_bytes(rows_of(1)), "full.csv")
    headers = ["工单编号", "来电时间", "诉求内容", "工单状态"]
    report = importer.import_file(csv_bytes([ticket_row(1, 工单状态="已办结")], headers=headers), "part.csv")
    assert results(report) == [(2, "updated")] and report.rows[0].changed == ["status"]
    ticket = HotlineTicket.get()
    assert ticket.area == "梁庄镇张家村" and ticket.status == "已办结"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk"])
def test_csv_in_utf8_with_or_without_bom_and_in_gbk(db, encoding):
    report = importer.import_file(csv_bytes(rows_of(2), encoding=encoding), "enc.csv")
    assert report.error is None and report.counts()["added"] == 2
    assert HotlineTicket.get(HotlineTicket.number == "12345-2023-00001").area == "梁庄镇张家村"


def test_xlsx_with_a_title_line_typed_cells_and_numeric_ticket_numbers(db):
    rows = [ticket_row(1, 工单编号="2023030100017"), ticket_row(2)]
    report = importer.import_file(xlsx_bytes(rows, title="12345热线工单导出（2023年3月）", typed=True), "t.xlsx")
    assert report.error is None and results(report) == [(3, "added"), (4, "added")]
    assert HotlineTicket.get(HotlineTicket.number == "2023030100017").called_at == dt.datetime(2023, 3, 1, 8, 1)


def test_the_column_mapping_is_configurable_by_header_name(db):
    headers = ["单号", "来电日期", "诉求人", "电话号码", "具体诉求", "诉求类型"]
    rows = [{"单号": "A-1", "来电日期": "2023-03-01 10:00", "诉求人": "王某", "电话号码": "13912345678",
             "具体诉求": "噪音扰民", "诉求类型": "环境保护"}]
    data = csv_bytes(rows, headers=headers)
    assert importer.import_file(data, "x.csv").error.params == {"columns": "工单编号、来电时间、诉求内容"}
    overrides = {"number": "单号", "called_at": ["来电日期"], "content": "具体诉求", "电话号码": "phone",
                 "caller": "诉求人"}
    report = importer.import_file(data, "x.csv", overrides=overrides)
    assert report.counts()["added"] == 1, [r.error for r in report.rows]
    ticket = HotlineTicket.get(HotlineTicket.number == "A-1")
    assert (ticket.caller, ticket.phone, ticket.content, ticket.kind) == ("王某", "13912345678", "噪音扰民", "环境保护")


@pytest.mark.parametrize("data, name, message", [
    (b"", "empty.csv", "The file is empty."),
    (b"PK\x03\x04 not really a workbook", "bad.xlsx", "The file is not a readable Excel workbook."),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.xls",
     "Old Excel files (97-2003) cannot be read: save the file in the current Excel format or as CSV."),
    (bytes(range(256)) * 4, "binary.csv", importer.UNKNOWN_ENCODING),
])
def test_unreadable_files_are_refused_whole(db, data, name, message):
    report = importer.import_file(data, name)
    assert report.error is not None and report.error.message == message
    assert HotlineTicket.select().count() == 0


def test_a_row_the_database_refuses_is_rolled_back_alone(db, monkeypatch):
    """A failure while saving one row (here: a forced error on the 2nd insert) leaves the others saved."""
    real_create = HotlineTicket.create.__func__
    calls = []

    def failing_create(cls, **values):
        calls.append(values["number"])
        if len(calls) == 2:
            real_create(cls, **values)  # written, then the error: the row's transaction must undo it
            raise RuntimeError("disk full")
        return real_create(cls, **values)

    monkeypatch.setattr(HotlineTicket, "create", classmethod(failing_create))
    report = importer.import_file(csv_bytes(rows_of(3)), "x.csv")
    assert results(report) == [(2, "added"), (3, "skipped"), (4, "added")]
    assert report.rows[1].reason == "The row could not be saved."
    assert sorted(t.number for t in HotlineTicket.select()) == ["12345-2023-00001", "12345-2023-00003"]


def test_an_invalid_id_number_is_left_out_with_a_note(db):
    headers = HEADERS + ["身份证号"]
    rows = [ticket_row(1, 身份证号="123456")]
    report = importer.import_file(csv_bytes(rows, headers=headers), "id.csv")
    assert report.rows[0].result == "added"
    assert [n.message for n in report.rows[0].notes] == ["The ID number is not valid and was left out."]
    assert HotlineTicket.get().caller_id_number is None


def test_a_file_of_5000_rows(db, capsys):
    data = xlsx_bytes(rows_of(5000))
    started = time.perf_counter()
    report = importer.import_file(data, "big.xlsx")
    first = time.perf_counter() - started
    assert report.counts()["added"] == 5000 and HotlineTicket.select().count() == 5000
    started = time.perf_counter()
    again = importer.import_file(data, "big.xlsx")
    second = time.perf_counter() - started
    assert again.counts()["unchanged"] == 5000
    with capsys.disabled():
        print("\n5000-row xlsx on %s: first import %.1f s, again (unchanged) %.1f s"
              % (type(db).__name__, first, second))


def test_the_overrides_come_from_the_setting_or_the_environment():
    assert importer.configured_overrides({}, environ={}) is None
    assert importer.configured_overrides({"HOTLINE_COLUMNS": {"number": "单号"}}, environ={}) == {"number": "单号"}
    assert importer.configured_overrides({}, environ={"HOTLINE_COLUMNS": '{"number": ["单号"]}'}) == {
        "number": ["单号"]}
    for bad in ('{"number": ', '["单号"]'):
        with pytest.raises(ValueError):
            importer.configured_overrides({}, environ={"HOTLINE_COLUMNS": bad})
