"""Flask commands: init-db, upgrade-db, seed-demo, create-user, first-start for `make run`, and the data's
safety: backup, restore (SQLite files, models/backup.py) and verify-audit (the audit log's hash chain)."""
import os
import secrets

import click
from flask import current_app
from flask.cli import with_appcontext

from models import audit, schema
from models import backup as backups
from models.db import database
from models.errors import DomainError
from models.organisation import Department
from models.people import ROLES, Representative, User

ROLE_CODES = [code for code, _ in ROLES]


class CommandError(click.ClickException):
    """A refused command: its Chinese message on stderr, exit status 1."""

    def show(self, file=None):
        click.echo("错误：%s" % self.format_message(), err=True, file=file)


def fail(message):
    """Stop the command with a message and exit status 1."""
    raise CommandError(message)


@click.command("init-db")
@with_appcontext
def init_db():
    """Create the schema of an empty database (or upgrade an existing one)."""
    start, end = schema.upgrade()
    click.echo("数据库已就绪：结构版本 %d（原为 %d）。" % (end, start))


@click.command("upgrade-db")
@with_appcontext
def upgrade_db():
    """Upgrade the database in place to the latest schema version, keeping every row."""
    start, end = schema.upgrade()
    if start == end:
        click.echo("数据库已是最新结构版本 %d。" % end)
    else:
        click.echo("数据库已从结构版本 %d 升级到 %d。" % (start, end))


@click.command("seed-demo")
@with_appcontext
def seed_demo():
    """Fill an empty database with the demo data set (fictional people)."""
    from models.demo import seed_demo as seed

    schema.upgrade()
    if database.table_exists("petition") and _has_petitions():
        fail("数据库中已有信访事项，不再写入演示数据。")
    admin = User.select().where(User.role == "admin").first()
    try:
        counts = seed(admin_user=admin)
    except DomainError as err:
        fail(_message(err))
    click.echo("演示数据已写入：%s" % "，".join("%s %s" % kv for kv in counts.items()))


def _has_petitions():
    from models.petition import Petition

    return Petition.select().exists()


@click.command("create-user")
@click.argument("username")
@click.option("--role", default=None, help="admin, staff, representative, department, leader")
@click.option("--department", "department_name", help="承办单位名称（role=department 时必填）")
@click.option("--representative", "representative_name", help="代表委员姓名（role=representative 时必填）")
@click.option("--display-name", help="显示名称")
@click.option("--password", help="密码；不给出时将两次提示输入（不回显）")
@with_appcontext
def create_user(username, role, department_name, representative_name, display_name, password):
    """Create an account: USERNAME with a role, and the department or representative the role needs."""
    if role not in ROLE_CODES:
        fail("请用 --role 指定角色，可选：%s。" % "，".join("%s（%s）" % (c, _message_of_role(c)) for c in ROLE_CODES))
    schema.upgrade()
    if User.select().where(User.username == username).exists():
        fail("用户名 %s 已存在。" % username)
    user = User(username=username, display_name=display_name or username, role=role)
    if department_name:
        user.department = Department.get_or_none(Department.name == department_name)
        if user.department is None:
            fail("找不到承办单位：%s" % department_name)
    if representative_name:
        user.representative = Representative.get_or_none(Representative.name == representative_name)
        if user.representative is None:
            fail("找不到代表委员：%s" % representative_name)
    if password is None:
        password = click.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码")
    try:
        user.set_password(password)
        user.save()
    except DomainError as err:
        fail(_message(err))
    click.echo("已创建用户 %s（%s）。" % (username, _message_of_role(role)))


@click.command("first-start")
@with_appcontext
def first_start():
    """Upgrade the schema; on an empty database create the admin account and the demo data."""
    schema.upgrade()
    if not schema.is_empty():
        return
    password = os.environ.get("ADMIN_PASSWORD")
    generated = not password
    if generated:
        password = secrets.token_urlsafe(12)
    admin = User(username="admin", display_name="系统管理员", role="admin")
    try:
        admin.set_password(password)
    except DomainError as err:
        fail("ADMIN_PASSWORD 不符合要求：%s" % _message(err))
    with database.atomic():
        admin.save()
        from models.demo import seed_demo as seed

        seed(admin_user=admin)
    click.echo("已创建管理员账号 admin 和演示数据。")
    if generated:
        click.echo("管理员初始密码（只显示这一次，请登录后修改）：%s" % password)


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


def _message(err):
    """The Chinese text of a domain error, outside a request."""
    from flask_babel import force_locale

    from .i18n import error_message

    with force_locale("zh_Hans_CN"):
        return error_message(err)


def _message_of_role(role):
    from flask_babel import force_locale, gettext

    with force_locale("zh_Hans_CN"):
        return gettext(dict(ROLES)[role])


def init_app(app):
    for command in (init_db, upgrade_db, seed_demo, create_user, first_start, backup, restore, verify_audit):
        app.cli.add_command(command)
    from .hotline_cli import import_hotline  # 12345 hotline export
    app.cli.add_command(import_hotline)
