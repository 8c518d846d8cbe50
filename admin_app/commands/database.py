"""init-db, upgrade-db, seed-demo, create-user, and first-start for `make run`."""
import os
import secrets

import click
from flask.cli import with_appcontext

from models import audit, schema
from models.db import database
from models.errors import DomainError
from models.organisation import Department
from models.people import ROLES, Representative, User

from .base import fail, message, role_name

ROLE_CODES = [code for code, _ in ROLES]


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
        fail(message(err))
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
        fail("请用 --role 指定角色，可选：%s。" % "，".join("%s（%s）" % (c, role_name(c)) for c in ROLE_CODES))
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
        with database.atomic():
            user.save()
            audit.record("create", user, user.id, summary=username, after=audit.snapshot(user))
    except DomainError as err:
        fail(message(err))
    click.echo("已创建用户 %s（%s）。" % (username, role_name(role)))


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
        fail("ADMIN_PASSWORD 不符合要求：%s" % message(err))
    with database.atomic():
        admin.save()
        audit.record("create", admin, admin.id, summary=admin.username, after=audit.snapshot(admin))
        from models.demo import seed_demo as seed

        seed(admin_user=admin)
    click.echo("已创建管理员账号 admin 和演示数据。")
    if generated:
        click.echo("管理员初始密码（只显示这一次，请登录后修改）：%s" % password)


COMMANDS = (init_db, upgrade_db, seed_demo, create_user, first_start)
