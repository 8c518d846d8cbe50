"""The flask commands: clear Chinese messages and a non-zero exit on bad arguments."""
import pytest

from models import schema
from models.organisation import Department
from models.people import User
from models.petition import Petition


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def test_create_user_with_a_department(runner, db):
    Department.create(name="县住建局", kind="county")
    result = runner.invoke(args=["create-user", "zhujian", "--role", "department", "--department", "县住建局",
                                 "--password", "a-good-password"])
    assert result.exit_code == 0, result.output
    user = User.get(User.username == "zhujian")
    assert user.department.name == "县住建局" and user.check_password("a-good-password")


def test_create_user_asks_for_the_password_twice_when_not_given(runner, db):
    result = runner.invoke(args=["create-user", "li", "--role", "staff"], input="a-good-password\na-good-password\n")
    assert result.exit_code == 0, result.output
    assert "a-good-password" not in result.output
    assert User.get(User.username == "li").check_password("a-good-password")


@pytest.mark.parametrize("args, message", [
    pytest.param(["--role", "boss", "--password", "a-good-password"], "请用 --role 指定角色，可选：admin（系统管理员）",
                 id="unknown-role"),
    pytest.param(["--password", "a-good-password"], "请用 --role 指定角色", id="no-role"),
    pytest.param(["--role", "department", "--department", "不存在的局", "--password", "a-good-password"],
                 "找不到承办单位：不存在的局", id="department-not-found"),
    pytest.param(["--role", "department", "--password", "a-good-password"], "承办单位用户必须关联一个承办单位。",
                 id="department-missing"),
    pytest.param(["--role", "representative", "--representative", "查无此人", "--password", "a-good-password"],
                 "找不到代表委员：查无此人", id="representative-not-found"),
    pytest.param(["--role", "staff", "--password", "short"], "密码至少需要 10 个字符。", id="short-password"),
    pytest.param(["--role", "staff", "--password", "12345678901"], "密码不能全是数字。", id="digit-password"),
])
def test_create_user_refuses_bad_arguments(runner, db, args, message):
    result = runner.invoke(args=["create-user", "someone"] + args)
    assert result.exit_code != 0
    assert message in result.output
    assert not User.select().where(User.username == "someone").exists()


def test_create_user_refuses_a_taken_username(runner, db):
    runner.invoke(args=["create-user", "li", "--role", "staff", "--password", "a-good-password"])
    result = runner.invoke(args=["create-user", "li", "--role", "staff", "--password", "another-password"])
    assert result.exit_code == 1 and "用户名 li 已存在。" in result.output


def test_first_start_creates_the_admin_and_the_demo_once(runner, db, monkeypatch):
    monkeypatch.setenv("ADMIN_PASSWORD", "first-admin-pw")
    result = runner.invoke(args=["first-start"])
    assert result.exit_code == 0, result.output
    assert User.get(User.username == "admin").check_password("first-admin-pw")
    assert Petition.select().count() == 100
    assert runner.invoke(args=["first-start"]).exit_code == 0
    assert Petition.select().count() == 100 and User.select().count() == 1


def test_first_start_prints_a_generated_password_once(runner, db, monkeypatch):
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)
    result = runner.invoke(args=["first-start"])
    password = result.output.strip().splitlines()[-1].split("：")[-1]
    assert User.get(User.username == "admin").check_password(password)
    assert password not in runner.invoke(args=["first-start"]).output


def test_seed_demo_refuses_a_database_with_data(runner, db, make_petition):
    make_petition()
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 1 and "不再写入演示数据" in result.output


def test_upgrade_db_reports_the_version(runner, db):
    result = runner.invoke(args=["upgrade-db"])
    assert result.exit_code == 0 and "最新结构版本 %d" % schema.LATEST in result.output
