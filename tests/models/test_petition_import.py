"""Importing petitions registered elsewhere: reading xlsx and CSV with Chinese headers, each row all or nothing,
reasons for the rows skipped, and a second import of the same file adding nothing."""
import datetime as dt
import io

import openpyxl
import pytest

from models.imports import petitions as pi
from models.audit import AuditEntry
from models.organisation import Category
from models.people import Petitioner, User
from models.petition import NumberSeries, Petition, StepRecord

from tests.conftest import valid_id_number
from tests.hotline_files import workbook

HEADERS = ["编号", "收到时间", "信访形式", "信访人", "身份证号码", "联系电话", "住址", "所属镇街", "村（社区）",
           "问题类别", "事由", "信访内容", "人数"]
ID_1 = valid_id_number(sequence="101")
ID_2 = valid_id_number(sequence="102")


def xlsx(rows, title=None):
    return workbook(([[title]] if title else []) + rows)


def csv_bytes(rows, encoding="utf-8-sig"):
    import csv

    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


@pytest.fixture
def county(db, make_town):
    """河西镇 and 梁庄镇, two categories, a staff account that imports."""
    towns = {name: make_town(name=name) for name in ("河西镇", "梁庄镇")}
    categories = {name: Category.create(name=name) for name in ("土地宅基地", "劳动社保")}
    user = User(username="officer", display_name="接访员 郑某", role="staff")
    user.set_password("correct-horse-1")
    user.save()
    return towns, categories, user


def good_rows():
    return [
        HEADERS,
        ["HX-2021-0001", "2021-03-02 09:30", "来访", "王秀英", ID_1, "13800000001", "河西镇大杨村", "河西镇", "大杨村",
         "土地宅基地", "宅基地纠纷", "与邻居因宅基地及共用道路发生纠纷。", "1"],
        ["HX-2021-0002", dt.datetime(2021, 3, 5, 14, 0), "网上信访", "李建国", "", "13900000002", "", "梁庄镇", "",
         "劳动社保", "拖欠工资", "某公司拖欠工资三个月。", 3],
        ["", "2021年4月1日", "来信", "王秀英", ID_1, "", "", "河西镇", "", "", "道路维修", "村主路破损。", ""],
    ]


def run(data, user, filename="登记簿.xlsx"):
    return pi.import_rows(pi.read(filename, data), user, summary="导入测试")


def test_good_rows_are_registered_with_their_petitioners_towns_and_categories(county):
    towns, categories, user = county
    results = run(xlsx(good_rows()), user)
    assert [r.added for r in results] == [True, True, True], [r.error for r in results]
    assert [r.line for r in results] == [2, 3, 4]
    first = Petition.get(Petition.number == "HX-2021-0001")
    assert first.received_at == dt.datetime(2021, 3, 2, 9, 30) and first.channel == "visit"
    assert first.town == towns["河西镇"] and first.category == categories["土地宅基地"] and first.village == "大杨村"
    assert first.status == "registered" and first.registered_by == user and first.notice_due is not None
    assert StepRecord.select().where((StepRecord.petition == first) & (StepRecord.step == "register")).exists()
    second = Petition.get(Petition.number == "HX-2021-0002")
    assert second.channel == "online" and second.head_count == 3 and second.received_at.hour == 14
    third = Petition.get_by_id(results[2].petition_id)
    assert third.number.startswith("XF-2021-")  # no number in the file: the office's own
    assert third.petitioner == first.petitioner  # matched by the ID number
    assert Petitioner.select().count() == 2 and results[0].new_petitioner and not results[2].new_petitioner
    assert AuditEntry.select().where((AuditEntry.action == "create") & (AuditEntry.model == "petition")).count() == 3


def test_a_petitioner_on_record_is_matched_by_id_number_or_by_phone_and_name(county, make_petitioner):
    _, _, user = county
    by_id = make_petitioner(name="王秀英", id_number=ID_1, phone=None)
    by_phone = make_petitioner(name="李建国", id_number=None, phone="13900000002")
    namesake = make_petitioner(name="赵六", id_number=None, phone="13700000003")
    rows = [HEADERS,
            ["", "2021-03-02", "来访", "王秀英", ID_1, "", "", "", "", "", "事一", "内容一", ""],
            ["", "2021-03-02", "来访", "李建国", "", "13900000002", "", "", "", "", "事二", "内容二", ""],
            ["", "2021-03-02", "来访", "孙七", "", "13700000003", "", "", "", "", "事三", "内容三", ""]]
    results = run(xlsx(rows), user)
    assert all(r.added for r in results)
    petitioners = [Petition.get_by_id(r.petition_id).petitioner for r in results]
    assert petitioners[:2] == [by_id, by_phone]
    assert petitioners[2] != namesake and petitioners[2].name == "孙七"  # a shared phone is not the same person


def test_an_id_number_on_record_under_another_name_skips_the_row(county, make_petitioner):
    _, _, user = county
    make_petitioner(name="王秀英", id_number=ID_1)
    rows = [HEADERS, ["", "2021-03-02", "来访", "王秀华", ID_1.lower(), "", "", "", "", "", "事一", "内容一", ""],
            ["", "2021-03-02", "来访", "王 秀英", ID_1, "", "", "", "", "", "事二", "内容二", ""]]
    results = run(xlsx(rows), user)
    assert results[0].error.message == ("The ID number %(id_number)s is on record for %(name)s, not for this row's "
                                        "petitioner.")
    assert results[0].error.params["name"] == "王秀英" and ID_1 not in str(results[0].error.params)  # masked
    assert results[1].added  # the same name, padded as registers pad two-character names
    assert Petitioner.select().count() == 1 and Petition.select().count() == 1


@pytest.mark.parametrize("change, message", [
    ({7: "不存在镇"}, "Unknown town %(value)s: add it under Departments first, or correct the name."),
    ({9: "环境保护"}, "Unknown category %(value)s: add it under Categories first, or correct the name."),
    ({2: "飞鸽传书"}, "Unknown channel %(value)s."),
    ({1: "去年春天"}, "The received time %(value)s is not a date and time such as 2022-12-09 09:30."),
    ({1: "2099-01-01"}, "The received time cannot be in the future."),
    ({1: "2021"}, "The received time %(value)s is not a date and time such as 2022-12-09 09:30."),  # not 1905
    ({1: 2021}, "The received time %(value)s is not a date and time such as 2022-12-09 09:30."),
    ({4: "371526196503121230"}, "The check character of the ID number is wrong."),
    ({5: "12345"}, "A phone number is an 11-digit mobile number or a landline such as 0530-1234567."),
    ({10: ""}, "The subject is required."),
    ({10: "长" * 101}, "The subject has at most %(max)s characters."),
    ({11: ""}, "The content is required."),
    ({3: ""}, "The petitioner's name is required."),
    ({12: "三个"}, "The head count %(value)s is not a whole number."),
    ({0: "X" * 21}, "The number %(value)s is longer than %(max)s characters."),
])
def test_a_bad_row_is_skipped_with_its_reason_and_the_good_ones_go_in(county, change, message):
    _, _, user = county
    rows = good_rows()[:3]
    for column, value in change.items():
        rows[1][column] = value
    results = run(xlsx(rows), user)
    assert not results[0].added and results[0].error.message == message
    assert results[1].added
    assert Petition.select().count() == 1


def test_a_row_failing_late_leaves_nothing_half_written(county):
    """The petitioner is created before the petition fails its own check (集体访 of 1 person): both are undone."""
    _, _, user = county
    headers = HEADERS + ["是否集体访"]
    rows = [headers, ["HX-9", "2021-03-02", "来访", "新来的人", ID_2, "13600000009", "", "", "", "", "集体上访",
                      "内容", "1", "是"]]
    before = (Petitioner.select().count(), AuditEntry.select().count(), NumberSeries.select().count(),
              StepRecord.select().count())
    results = run(xlsx(rows), user)
    assert results[0].error.message == "A collective petition has at least 2 people."
    after = (Petitioner.select().count(), AuditEntry.select().count(), NumberSeries.select().count(),
             StepRecord.select().count())
    assert after == before and Petition.select().count() == 0


def test_a_second_import_of_the_same_file_adds_nothing(county):
    _, _, user = county
    data = xlsx(good_rows())
    assert all(r.added for r in run(data, user))
    counts = (Petition.select().count(), Petitioner.select().count(), StepRecord.select().count())
    again = run(data, user)
    assert not any(r.added for r in again)
    assert again[0].error.message == "Petition %(number)s is on record already."
    assert again[0].error.params["number"] == "HX-2021-0001"
    assert "same subject" in again[2].error.message  # the row without a number: same person, time and subject
    assert (Petition.select().count(), Petitioner.select().count(), StepRecord.select().count()) == counts


def test_an_imported_number_of_our_own_series_keeps_the_series_ahead(county, make_petition):
    _, _, user = county
    rows = [HEADERS, ["XF-2021-000123", "2021-05-06", "来访", "王秀英", "", "", "", "", "", "", "事由", "内容", ""]]
    assert run(xlsx(rows), user)[0].added
    later = make_petition(received_at=dt.datetime(2021, 6, 1, 9, 0))
    assert later.number == "XF-2021-000124"


def test_csv_in_utf8_with_bom_or_gb18030_title_rows_and_other_header_names(county):
    _, _, user = county
    rows = [["姓名", "来信来访时间", "信访方式", "标题", "主要内容", "乡镇（街道）", "备注"],
            ["王秀英", "2021/3/2 9:30", "来访", "宅基地纠纷", "内容", "河西镇", "无"]]
    sheet = pi.read("旧表.csv", csv_bytes([["某某县信访登记表"], []] + rows, "gb18030"))
    assert sheet.ignored == ["备注"] and sheet.rows[0][0] == 4
    results = pi.import_rows(sheet, user)
    assert results[0].added, results[0].error
    petition = Petition.get_by_id(results[0].petition_id)
    assert petition.received_at == dt.datetime(2021, 3, 2, 9, 30) and petition.town.name == "河西镇"
    sheet = pi.read("旧表.csv", csv_bytes(rows))
    assert sheet.rows[0][1]["name"] == "王秀英"


def test_xlsx_with_a_title_row_and_dates_as_cells(county):
    _, _, user = county
    rows = good_rows()
    sheet = pi.read("a.xlsx", xlsx(rows, title="梁山县信访事项登记簿（2021年）"))
    assert [line for line, _ in sheet.rows] == [3, 4, 5]
    assert all(r.added for r in pi.import_rows(sheet, user))


@pytest.mark.parametrize("data, filename, message", [
    (b"", "a.csv", "The file is empty."),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"0" * 100, "old.xls", "Old Excel files (.xls) cannot be read: save it as "
                                                                  ".xlsx or CSV in Excel first."),
    (b"PK\x03\x04broken", "a.xlsx", "The file cannot be read as an Excel workbook (.xlsx)."),
    ("信访人,事由\n王秀英,宅基地\n".encode("utf-8"), "a.csv", "The file lacks the columns: %(columns)s."),
    ("甲,乙\n1,2\n".encode("utf-8"), "a.csv", "No header row was found: the first row must name the columns, e.g. "
                                             "%(columns)s."),
    (",".join(HEADERS).encode("utf-8"), "a.csv", "The file has no rows under its header row."),
])
def test_a_file_that_cannot_be_imported_is_refused_as_a_whole(db, data, filename, message):
    with pytest.raises(pi.ImportRefused) as refused:
        pi.read(filename, data)
    assert refused.value.message == message


def test_missing_columns_are_named(db):
    with pytest.raises(pi.ImportRefused) as refused:
        pi.read("a.csv", "信访人,事由\n王秀英,宅基地\n".encode("utf-8"))
    assert refused.value.params["columns"] == "收到时间、信访形式、信访内容"


def test_too_many_rows_are_refused(db, monkeypatch):
    monkeypatch.setattr(pi, "MAX_ROWS", 2)
    rows = good_rows()
    with pytest.raises(pi.ImportRefused):
        pi.read("a.xlsx", xlsx(rows))


def test_the_template_reads_back_as_the_headers(db, county):
    data = pi.template_xlsx(channel_labels=["来访", "来信"], towns=["河西镇"], categories=["土地宅基地"])
    sheet = openpyxl.load_workbook(io.BytesIO(data))["信访事项"]
    headers = [c.value for c in sheet[1]]
    assert [h.rstrip(" *") for h in headers] == [label for label, _ in pi.COLUMNS.values()]
    assert sheet.cell(row=2, column=headers.index("身份证号码") + 1).number_format == "@"  # 18 digits stay text
    with pytest.raises(pi.ImportRefused) as refused:  # every header is recognised, even with its *
        pi.read("template.xlsx", data)
    assert refused.value.message == "The file has no rows under its header row."


@pytest.mark.parametrize("value, expected", [
    ("2022-12-09 09:30", dt.datetime(2022, 12, 9, 9, 30)),
    ("2022/12/9", dt.datetime(2022, 12, 9)),
    ("2022.12.09", dt.datetime(2022, 12, 9)),
    ("2022年12月9日", dt.datetime(2022, 12, 9)),
    ("2022年12月9日 9时30分", dt.datetime(2022, 12, 9, 9, 30)),
    ("20221209", dt.datetime(2022, 12, 9)),
    (44904, dt.datetime(2022, 12, 9)),
    ("44904.5", dt.datetime(2022, 12, 9, 12, 0)),
    (dt.date(2022, 12, 9), dt.datetime(2022, 12, 9)),
])
def test_received_times_as_old_registers_write_them(value, expected):
    assert pi.parse_time(value) == expected
