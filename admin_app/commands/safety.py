"""The data's safety: backup, restore (SQLite files, models/backup.py) and verify-audit (the audit log's hash
chain)."""
import os

import click
from flask import current_app
from flask.cli import with_appcontext

from models import audit, schema
from models import backup as backups
from models.db import database

from .base import fail


# The Chinese of models.backup's refusals.
BACKUP_REFUSALS = {
    "not_sqlite_url": "此命令只用于 SQLite 数据库；当前数据库是 %(scheme)s。PostgreSQL 请用 pg_dump 备份、"
                      "pg_restore 恢复，命令见 README 的“备份与恢复”一节。",
    "exists": "%(path)s 已存在；如要覆盖请加 --force。",
    "missing": "找不到文件：%(path)s",
    "same_file": "备份文件不能是数据库文件本身：%(path)s",
    "not_a_database": "%(path)s 不是 SQLite 数据库文件。",
    "not_ours": "%(path)s 不是本系统的数据库（没有结构版本表 schema_version）。",
    "newer": "%(path)s 的结构版本为 %(version)d，高于本程序所知的 %(latest)d；请先升级程序再恢复。",
    "damaged": "%(path)s 已损坏（完整性检查：%(detail)s）。",
}


def _database_file():
    """The SQLite file of DATABASE_URL; refused with the pg_dump hint on PostgreSQL."""
    try:
        return backups.sqlite_path(current_app.config["DATABASE_URL"])
    except backups.BackupRefused as err:
        fail(BACKUP_REFUSALS[err.reason] % err.values)


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="覆盖已存在的文件")
@with_appcontext
def backup(path, force):
    """Copy the SQLite database to PATH while the application runs (a consistent copy)."""
    try:
        size, version = backups.backup(_database_file(), path, force=force)
    except backups.BackupRefused as err:
        fail(BACKUP_REFUSALS[err.reason] % err.values)
    click.echo("已备份到 %s（结构版本 %d，%.1f MB）。" % (os.path.abspath(path), version or 0, size / 1e6))


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False))
@with_appcontext
def restore(path):
    """Bring back the backup PATH into the SQLite database, keeping a copy of the current one; then upgrade it."""
    database_file = _database_file()
    if not database.is_closed():
        database.close()
    try:
        version, kept = backups.restore(path, database_file, schema.LATEST)
    except backups.BackupRefused as err:
        fail(BACKUP_REFUSALS[err.reason] % err.values)
    if kept:
        click.echo("原数据库已另存为 %s。" % kept)
    start, end = schema.upgrade()
    click.echo("已从 %s 恢复数据库（结构版本 %d%s）。" % (
        os.path.abspath(path), version, "，已升级到 %d" % end if end != start else ""))


@click.command("verify-audit")
@with_appcontext
def verify_audit():
    """Check the hash chain of the audit log; name the first entry that was changed or is missing."""
    broken = audit.verify_chain()
    if broken is not None:
        fail("操作日志第 %d 条记录被篡改或缺失（这一条，或它之前的一条，已被改动或删除）。" % broken)
    click.echo("操作日志完整，共 %d 条。" % audit.AuditEntry.select().count())


COMMANDS = (backup, restore, verify_audit)
