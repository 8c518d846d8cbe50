"""The data's safety: backup, restore (SQLite files, models/backup.py) and verify-audit (the audit log's keyed
hash chain and its anchors, models/audit.py)."""
import os
import time

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext

from models import audit, schema
from models import backup as backups
from models.db import database
from models.errors import N_

from .base import chinese, fail


def say(text, **values):
    """A message of these commands in Chinese (English msgid, translated in messages.po)."""
    return chinese(gettext, text, **values)


# models.backup's refusals.
BACKUP_REFUSALS = {
    "not_sqlite_url": N_("This command is for SQLite databases only; the current database is %(scheme)s. "
                         "Back up PostgreSQL with pg_dump and restore it with pg_restore (see “Backup and "
                         "restore” in the README)."),
    "exists": N_("%(path)s already exists; add --force to overwrite it."),
    "missing": N_("File not found: %(path)s"),
    "same_file": N_("The backup file cannot be the database file itself: %(path)s"),
    "not_a_database": N_("%(path)s is not an SQLite database file."),
    "not_ours": N_("%(path)s is not a database of this system (it has no schema_version table)."),
    "newer": N_("%(path)s is at schema version %(version)d, above the %(latest)d this program knows; upgrade the "
                "program before restoring it."),
    "damaged": N_("%(path)s is damaged (integrity check: %(detail)s)."),
}


def refused(err):
    fail(say(BACKUP_REFUSALS[err.reason], **err.values))


def _database_file():
    """The SQLite file of DATABASE_URL; refused with the pg_dump hint on PostgreSQL."""
    try:
        return backups.sqlite_path(current_app.config["DATABASE_URL"])
    except backups.BackupRefused as err:
        refused(err)


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="覆盖已存在的文件")
@with_appcontext
def backup(path, force):
    """Copy the SQLite database to PATH while the application runs (a consistent copy, mode 600); the audit
    log's head in it is anchored."""
    try:
        size, version = backups.backup(_database_file(), path, force=force)
    except backups.BackupRefused as err:
        refused(err)
    head = backups.audit_head(path)
    if head is not None:
        audit.write_anchor(*head, reason="backup")
    click.echo(say("Backed up to %(path)s (schema version %(version)d, %(size).1f MB).",
                   path=os.path.abspath(path), version=version or 0, size=size / 1e6))


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--wait", default=2.0, show_default=True, type=float,
              help="等待正在处理的请求完成的秒数（维护模式开启后）")
@with_appcontext
def restore(path, wait):
    """Bring back the backup PATH into the SQLite database, keeping a copy of the current one; then upgrade it.

    Meanwhile the application is in maintenance: every write is answered 503 (MAINTENANCE_FILE), and the
    restore itself runs under the database's write lock, so no acknowledged write falls between the copy kept
    and the restore."""
    database_file = _database_file()
    flag = current_app.config.get("MAINTENANCE_FILE")
    raised = bool(flag) and not os.path.exists(flag)
    if raised:
        os.makedirs(os.path.dirname(os.path.abspath(flag)), exist_ok=True)
        os.close(os.open(flag, os.O_WRONLY | os.O_CREAT, 0o600))
        click.echo(say("Maintenance mode on: the application refuses every write until the restore ends."))
        time.sleep(max(wait, 0))  # requests already past the check finish (the lock below waits for the rest)
    try:
        if not database.is_closed():
            database.close()
        try:
            version, kept = backups.restore(path, database_file, schema.LATEST)
        except backups.BackupRefused as err:
            refused(err)
        if kept:
            click.echo(say("The current database was kept as %(path)s.", path=kept))
        start, end = schema.upgrade()
        audit.write_anchor(*audit.head(), reason="restore")  # the anchors of the replaced log no longer apply
        database.close()
    finally:
        if raised and os.path.exists(flag):
            os.remove(flag)
    if end != start:
        click.echo(say("Restored the database from %(path)s (schema version %(version)d, upgraded to %(end)d).",
                       path=os.path.abspath(path), version=version, end=end))
    else:
        click.echo(say("Restored the database from %(path)s (schema version %(version)d).",
                       path=os.path.abspath(path), version=version))


def broken_message(found):
    """The Chinese report of an audit.Break."""
    if found.kind == "chain":
        return say("Entry %(id)d of the audit log was changed or is missing (this entry, or the one before it, "
                   "was altered or deleted).", id=found.entry_id)
    anchor = found.anchor
    values = dict(id=found.entry_id, at=anchor["at"].replace("T", " "), anchored=anchor["count"],
                  count=found.count, newest=found.newest or 0)
    if found.kind == "missing":
        return say("Entries of the audit log after entry %(newest)d were deleted: entry %(id)d, anchored on "
                   "%(at)s (the log then held %(anchored)d entries), no longer exists; %(count)d entries are "
                   "left.", **values)
    if found.kind == "changed":
        return say("Entry %(id)d of the audit log does not match its anchor of %(at)s: the log was rewritten "
                   "and its hashes recomputed.", **values)
    return say("The audit log holds %(count)d entries, fewer than the %(anchored)d anchored on %(at)s: entries "
               "were deleted.", **values)


@click.command("verify-audit")
@click.option("--anchor", "anchor_after", is_flag=True, help="检查无误后把日志头写入锚点文件（PostgreSQL 用 pg_dump 备份后执行）")
@click.option("--restored", is_flag=True, help="数据库刚用 pg_restore 恢复：此前的锚点不再适用，以恢复后的日志头为新锚点")
@with_appcontext
def verify_audit(anchor_after, restored):
    """Check the audit log's keyed hash chain and every anchor of its head; name the first entry changed or
    missing."""
    if restored:
        broken = audit.verify_chain()
        if broken is not None:
            fail(broken_message(audit.Break("chain", broken)))
        audit.anchor("restore")
    found = audit.verify()
    if found is not None:
        fail(broken_message(found))
    if anchor_after:
        audit.anchor("backup")
    click.echo(say("The audit log is whole: %(count)d entries, %(anchors)d anchors agree.",
                   count=audit.AuditEntry.select().count(), anchors=len(audit.anchors())))


COMMANDS = (backup, restore, verify_audit)
