"""backup / restore of a live SQLite database, and verify-audit: nothing lost, nothing torn, a Chinese refusal."""
import datetime as dt
import os
import sqlite3
import threading
import time

import pytest
from peewee import SqliteDatabase

from admin_app import create_app
from models import audit, schema, workflow
from models.reports import tallies
from models.audit import AuditEntry
from models.demo import seed_demo
from models.people import Petitioner, User
from models.petition import Petition
from models.reports.tallies import PetitionTally

sqlite_only = pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")), reason="SQLite files only")
TABLES = [model._meta.table_name for model in schema.MODELS] + [schema.SchemaVersion._meta.table_name]


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def clerk(db):
    user = User(username="clerk", display_name="登记员", role="staff")
    user.set_password("clerk-password-1")
    user.save()
    return user


def query(path, sql):
    """The rows of a query on the SQLite file at path, read-only."""
    connection = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def rows(path, table):
    """Every row of a table of the SQLite file, in rowid order."""
    return query(path, 'SELECT * FROM "%s" ORDER BY rowid' % table)


def cli_on(url, args):
    """Run a flask command on the app of another database (a fresh location)."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "test-secret", "TESTING": True})
    return app.test_cli_runner().invoke(args=args)


class Writer(threading.Thread):
    """Registers petitions one transaction at a time (petitioner, petition, number, step, audit entry)
    until told to stop; `started` is set after its first few commits."""

    def __init__(self, clerk):
        super().__init__(daemon=True)
        self.clerk, self.count, self.error = clerk, 0, None
        self.stop, self.started = threading.Event(), threading.Event()

    def run(self):
        try:
            while not self.stop.is_set():
                self.count += 1
                with Petition._meta.database.atomic():
                    person = Petitioner.create(name="写入人%d" % self.count)
                    workflow.register(Petition(channel="letter", received_at=dt.datetime.now().replace(microsecond=0),
                                               petitioner=person, subject="备份期间写入%d" % self.count,
                                               content="备份期间写入的信访事项。"), self.clerk)
                if self.count >= 5:
                    self.started.set()
        except Exception as err:  # noqa: BLE001 - reported by the test
            self.error = err
            self.started.set()
        finally:
            Petition._meta.database.close()


@sqlite_only
def test_a_live_database_backed_up_while_written_restores_whole(runner, db, db_url, clerk, tmp_path):
    seed_demo(admin_user=clerk)
    live = db_url[len("sqlite:///"):]
    writer = Writer(clerk)
    writer.start()
    assert writer.started.wait(30) and writer.error is None, writer.error
    result = runner.invoke(args=["backup", str(tmp_path / "backup.db")])
    written_at_backup = writer.count
    while writer.count < written_at_backup + 5 and writer.error is None:  # writes go on after the copy
        time.sleep(0.01)
    writer.stop.set()
    writer.join(30)
    assert writer.error is None, writer.error
    assert result.exit_code == 0, result.output
    assert "已备份到" in result.output

    fresh = str(tmp_path / "restored" / "petitions.db")
    result = cli_on("sqlite:///" + fresh, ["restore", str(tmp_path / "backup.db")])
    assert result.exit_code == 0, result.output
    assert "已从" in result.output and "恢复数据库" in result.output
    db.close()

    # The copy is the live database as it was at one moment: the writer's transactions up to some point,
    # each one whole; every row of every table equals the live row of the same id.
    assert query(fresh, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name") == query(
        live, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    copied = {table: rows(fresh, table) for table in TABLES}
    source = {table: rows(live, table) for table in TABLES}
    during = [r for r in copied["petition"] if "备份期间写入" in str(r)]
    assert 0 < len(during) < writer.count, "the backup was not taken while the writer wrote"
    for table in TABLES:
        if table in ("number_series", "petition_tally"):  # counters that moved on after the copy: compared below
            continue
        assert copied[table] == source[table][:len(copied[table])], table
    assert len([r for r in copied["petitioner"] if "写入人" in str(r)]) == len(during)
    registered = query(fresh, "SELECT count(*) FROM step_record WHERE step = 'register'")[0][0]
    assert registered == len(copied["petition"])  # each petition with its register step, none torn
    given = query(fresh, "SELECT n.last, (SELECT count(*) FROM petition p WHERE p.number LIKE 'XF-' || n.year || '-%') "
                         "FROM number_series n WHERE n.prefix = 'XF'")
    assert given and all(last == count for last, count in given)  # the series gave the numbers in the copy
    assert [r[:3] for r in copied["number_series"]] == [r[:3] for r in source["number_series"]]
    recounted = SqliteDatabase(fresh)
    with recounted.bind_ctx([PetitionTally]):
        tallies.rebuild(recounted)  # the statistics' tallies in the copy count exactly the copy's petitions
    counted = sorted(row for row in copied["petition_tally"] if row[-1])  # a count moved back to 0 stays as a row
    assert sorted(rows(fresh, "petition_tally")) == counted and counted
    recounted.close()

    restored = create_app({"DATABASE_URL": "sqlite:///" + fresh, "SECRET_KEY": "test-secret", "TESTING": True})
    with restored.app_context():
        assert audit.verify_chain() is None
        assert schema.current_version() == schema.LATEST
        Petition._meta.database.close()


@sqlite_only
def test_restore_keeps_the_current_database_and_brings_the_backup_back(runner, db, db_url, make_petition, tmp_path):
    make_petition(subject="备份前的事项")
    assert runner.invoke(args=["backup", str(tmp_path / "backup.db")]).exit_code == 0
    make_petition(subject="备份后的事项")
    result = runner.invoke(args=["restore", str(tmp_path / "backup.db")])
    assert result.exit_code == 0, result.output
    kept = [name for name in os.listdir(tmp_path) if ".before-restore-" in name]
    assert len(kept) == 1 and "原数据库已另存为" in result.output
    assert [p.subject for p in Petition.select()] == ["备份前的事项"]
    assert len(rows(str(tmp_path / kept[0]), "petition")) == 2
    assert runner.invoke(args=["restore", str(tmp_path / "backup.db")]).exit_code == 0  # again, in the same second
    assert len([name for name in os.listdir(tmp_path) if ".before-restore-" in name]) == 2


@sqlite_only
def test_backup_refuses_to_overwrite_a_file_unless_forced(runner, db, tmp_path):
    target = tmp_path / "backup.db"
    target.write_bytes(b"an older backup")
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 1 and "已存在；如要覆盖请加 --force" in result.output
    assert target.read_bytes() == b"an older backup"
    assert runner.invoke(args=["backup", str(target), "--force"]).exit_code == 0
    assert target.read_bytes().startswith(b"SQLite format 3\x00")


@sqlite_only
def test_restore_refuses_a_file_that_is_not_a_database(runner, db, make_petition, tmp_path):
    make_petition()
    (tmp_path / "notes.db").write_text("这不是数据库", encoding="utf-8")
    result = runner.invoke(args=["restore", str(tmp_path / "notes.db")])
    assert result.exit_code == 1 and "不是 SQLite 数据库文件" in result.output
    other = sqlite3.connect(str(tmp_path / "other.db"))
    other.execute("CREATE TABLE t (x)")
    other.close()
    result = runner.invoke(args=["restore", str(tmp_path / "other.db")])
    assert result.exit_code == 1 and "不是本系统的数据库" in result.output
    assert Petition.select().count() == 1
    assert not [name for name in os.listdir(tmp_path) if ".before-restore-" in name]


@sqlite_only
def test_restore_refuses_a_backup_of_a_newer_schema(runner, db, make_petition, tmp_path):
    make_petition()
    runner.invoke(args=["backup", str(tmp_path / "backup.db")])
    future = sqlite3.connect(str(tmp_path / "backup.db"))
    future.execute("UPDATE schema_version SET version = ?", (schema.LATEST + 1,))
    future.commit()
    future.close()
    result = runner.invoke(args=["restore", str(tmp_path / "backup.db")])
    assert result.exit_code == 1
    assert "结构版本为 %d，高于本程序所知的 %d" % (schema.LATEST + 1, schema.LATEST) in result.output
    assert Petition.select().count() == 1


@sqlite_only
def test_restore_upgrades_an_older_backup(runner, db, tmp_path):
    old = SqliteDatabase(str(tmp_path / "v1.db"))
    with old.bind_ctx(schema.MODELS + [schema.SchemaVersion]):  # a database left at version 1
        old.create_tables([schema.SchemaVersion])
        schema.MIGRATIONS[0](old)
        schema.SchemaVersion.create(version=1)
    old.close()
    result = runner.invoke(args=["restore", str(tmp_path / "v1.db")])
    assert result.exit_code == 0, result.output
    assert "已升级到 %d" % schema.LATEST in result.output and schema.current_version() == schema.LATEST


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs TEST_DATABASE_URL (PostgreSQL)")
def test_backup_on_postgresql_points_to_pg_dump(runner, db, tmp_path):
    for args in (["backup", str(tmp_path / "backup.db")], ["restore", str(tmp_path / "backup.db")]):
        result = runner.invoke(args=args)
        assert result.exit_code == 1
        assert "pg_dump" in result.output and "README" in result.output
    assert not os.path.exists(tmp_path / "backup.db")


def test_verify_audit_reports_a_whole_chain(runner, db, make_petition, clerk):
    for _ in range(3):
        workflow.register(make_petition(), clerk)
    result = runner.invoke(args=["verify-audit"])
    assert result.exit_code == 0 and "操作日志完整，共 3 条" in result.output


def test_verify_audit_names_the_first_changed_entry(runner, db, make_petition, clerk):
    for _ in range(3):
        workflow.register(make_petition(), clerk)
    second = AuditEntry.select().order_by(AuditEntry.id)[1]
    AuditEntry.update(summary="改过").where(AuditEntry.id == second.id).execute()
    result = runner.invoke(args=["verify-audit"])
    assert result.exit_code == 1 and "第 %d 条记录被篡改或缺失" % second.id in result.output


def test_verify_audit_names_the_entry_after_a_deleted_one(runner, db, make_petition, clerk):
    for _ in range(3):
        workflow.register(make_petition(), clerk)
    first, second, third = AuditEntry.select().order_by(AuditEntry.id)
    AuditEntry.delete().where(AuditEntry.id == second.id).execute()
    result = runner.invoke(args=["verify-audit"])
    assert result.exit_code == 1 and "第 %d 条记录被篡改或缺失" % third.id in result.output
