"""`flask import-hotline FILE`: the per-row report in Chinese, a progress bar, exit 1 when the file cannot be read."""
import pytest

from models.audit import AuditEntry
from models.hotline import HotlineTicket

from tests import xlsx_files
from tests.hotline_files import HEADERS, csv_bytes, rows_of, ticket_row, xlsx_bytes


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def test_import_a_file_and_again(runner, tmp_path):
    path = tmp_path / "tickets.xlsx"
    path.write_bytes(xlsx_bytes(rows_of(4) + [ticket_row(5, 来电时间="2023-02-30")]))
    result = runner.invoke(args=["import-hotline", str(path)])
    assert result.exit_code == 0, result.output
    assert "第 6 行（工单编号 12345-2023-00005）跳过：来电时间不是有效的日期：2023-02-30" in result.output
    assert "已导入 tickets.xlsx：新增 4 条，更新 0 条，未变 0 条，跳过 1 条（共 5 行" in result.output
    assert "导入中" in result.output  # the progress bar (on stderr)
    assert HotlineTicket.select().count() == 4
    entries = AuditEntry.select().where(AuditEntry.model == "hotline_ticket").order_by(AuditEntry.id)
    assert sorted(e.record_id for e in entries if e.record_id) == [t.id for t in HotlineTicket.select()]  # each row
    assert [e.record_id for e in entries if e.record_id is None] == [None]  # and the file
    again = runner.invoke(args=["import-hotline", str(path), "--quiet"])
    assert again.exit_code == 0 and "新增 0 条，更新 0 条，未变 4 条，跳过 1 条" in again.output
    assert "导入中" not in again.output
    assert AuditEntry.select().where(AuditEntry.model == "hotline_ticket").count() == 5  # nothing changed


def test_the_importing_user_is_recorded(runner, tmp_path, make_user):
    make_user("staff", username="officer")
    path = tmp_path / "t.csv"
    path.write_bytes(csv_bytes(rows_of(2), encoding="gbk"))
    assert runner.invoke(args=["import-hotline", str(path), "--by", "officer"]).exit_code == 0
    assert {e.username for e in AuditEntry.select().where(AuditEntry.model == "hotline_ticket")} == {"officer"}
    unknown = runner.invoke(args=["import-hotline", str(path), "--by", "nobody"])
    assert unknown.exit_code == 1 and "找不到用户：nobody" in unknown.output


@pytest.mark.parametrize("content, name, message", [
    (None, "missing.csv", "找不到文件："),
    (b"PK\x03\x04 broken", "broken.xlsx", "文件未导入：文件不是可读取的 Excel 文件。"),
    (b"", "empty.csv", "文件未导入：文件是空的。"),
    ("工单编号,来电人\n1,张三\n".encode(), "cols.csv", "文件未导入：缺少必需的列：来电时间、诉求内容。"),
])
def test_an_unreadable_file_exits_non_zero(runner, db, tmp_path, content, name, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    result = runner.invoke(args=["import-hotline", str(path)])
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
    assert HotlineTicket.select().count() == 0


def test_a_directory_is_not_a_file(runner, db, tmp_path):
    result = runner.invoke(args=["import-hotline", str(tmp_path)])
    assert result.exit_code != 0 and HotlineTicket.select().count() == 0


def test_headers_only_is_an_empty_import(runner, db, tmp_path):
    path = tmp_path / "h.csv"
    path.write_bytes(csv_bytes([], headers=HEADERS))
    result = runner.invoke(args=["import-hotline", str(path)])
    assert result.exit_code == 0 and "新增 0 条" in result.output


def test_the_column_mapping_of_the_installation(runner, app, db, tmp_path, monkeypatch):
    path = tmp_path / "other.csv"
    rows = [{"单号": "A-1", "来电日期": "2023-03-01 10:00", "具体诉求": "噪音扰民"}]
    path.write_bytes(csv_bytes(rows, headers=["单号", "来电日期", "具体诉求"]))
    monkeypatch.setenv("HOTLINE_COLUMNS", '{"number": "单号", "called_at": "来电日期", "content": "具体诉求"}')
    result = runner.invoke(args=["import-hotline", str(path)])
    assert result.exit_code == 0 and "新增 1 条" in result.output
    monkeypatch.setenv("HOTLINE_COLUMNS", "{not json")
    result = runner.invoke(args=["import-hotline", str(path)])
    assert result.exit_code == 1 and "HOTLINE_COLUMNS 不是有效的 JSON" in result.output


@pytest.mark.parametrize("data, said", [
    pytest.param(xlsx_files.truncated(), "文件未导入：文件不是可读取的 Excel 文件。", id="truncated"),
    pytest.param(xlsx_files.truncated_sheet_xml(), "文件未导入：文件不是可读取的 Excel 文件。", id="sheet-cut-off"),
    pytest.param(xlsx_files.broken_workbook(), "文件未导入：文件不是可读取的 Excel 文件。", id="broken-workbook-xml"),
    pytest.param(xlsx_files.shared_out_of_range(), "文件未导入：文件不是可读取的 Excel 文件。", id="a-shared-string-that-is-not-there"),
    pytest.param(xlsx_files.doctype_sheet(), "文件未导入：该工作簿含有 DOCTYPE 声明", id="doctype"),
    pytest.param(xlsx_files.huge_shared_string(50 * 1024 * 1024), "文件未导入：该工作簿的某一部分压缩超过 100 倍",
                 id="zip-bomb"),
])
def test_a_malformed_or_hostile_workbook_is_refused_in_chinese_without_a_traceback(runner, tmp_path, data, said):
    path = tmp_path / "坏文件.xlsx"
    path.write_bytes(data)
    result = runner.invoke(args=["import-hotline", str(path)])
    assert result.exit_code == 1 and result.exception is None or isinstance(result.exception, SystemExit)
    assert said in result.output and "Traceback" not in result.output
    assert HotlineTicket.select().count() == 0


def test_a_file_larger_than_the_command_reads_is_refused(runner, tmp_path, monkeypatch):
    from models.imports import hotline

    monkeypatch.setattr(hotline, "MAX_BYTES", 1024 * 1024)
    path = tmp_path / "big.csv"
    path.write_bytes(csv_bytes(rows_of(6000)))
    result = runner.invoke(args=["import-hotline", str(path)])
    assert result.exit_code == 1 and "文件未导入：文件超过 1 MB。" in result.output
