"""`flask --app admin_app import-hotline FILE`: import a 12345 hotline export (xlsx or CSV) with a progress bar
and the per-row report; exit status 1 when the file cannot be read or lacks required columns."""
import os
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from models import audit, settings
from models.imports import hotline as importer
from models.hotline import HotlineTicket
from models.people import User

from .base import chinese, fail, message


@click.command("import-hotline")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--by", "username", help="记入操作日志的用户名（默认不记用户）")
@click.option("--quiet", is_flag=True, help="不显示进度条")
@with_appcontext
def import_hotline(path, username, quiet):
    """Import 12345 hotline tickets from an xlsx or CSV file (idempotent by ticket number)."""
    from flask_babel import gettext

    if not os.path.isfile(path):
        fail("找不到文件：%s" % path)
    try:
        with open(path, "rb") as f:
            data = f.read(importer.MAX_BYTES + 1)  # a larger file is refused, never read whole
    except OSError as err:
        fail("无法读取文件 %s：%s" % (path, err.strerror or err))
    user = None
    if username:
        user = User.get_or_none(User.username == username)
        if user is None:
            fail("找不到用户：%s" % username)
    try:
        mapping = importer.column_mapping((importer.configured_overrides(current_app.config) or settings.value("HOTLINE_COLUMNS")))
    except ValueError:
        fail("设置 HOTLINE_COLUMNS 不是有效的 JSON 对象，例如 {\"number\": \"单号\"}。")
    try:
        headers, rows = importer.read_table(data, os.path.basename(path), mapping, max_bytes=importer.MAX_BYTES)
    except importer.FileUnreadable as err:
        fail("文件未导入：%s" % message(err))
    stream = open(os.devnull, "w") if quiet else sys.stderr
    try:
        with click.progressbar(length=len(rows), label="导入中", show_pos=True, file=stream) as bar:
            report = importer.import_rows(headers, rows, mapping, progress=bar.update, by=user,
                                            summary=os.path.basename(path)[:60])
    finally:
        if quiet:
            stream.close()
    if report.error is not None:
        fail("文件未导入：%s" % message(report.error))
    counts = report.counts()
    for row in report.skipped:
        click.echo("第 %d 行（工单编号 %s）跳过：%s" % (row.line, row.number or "无", message(row.error)))
    summary = "新增 %(added)d 条，更新 %(updated)d 条，未变 %(unchanged)d 条，跳过 %(skipped)d 条" % counts
    if counts["added"] or counts["updated"]:
        audit.record("create", HotlineTicket, None, by=user, summary=chinese(
            gettext, "Imported hotline tickets from %(file)s: %(summary)s", file=os.path.basename(path)[:60],
            summary=summary + "。"))
    click.echo("已导入 %s：%s（共 %d 行，用时 %.1f 秒）。" % (os.path.basename(path), summary, len(report.rows),
                                                      report.seconds))
