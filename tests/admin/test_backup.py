"""backup / restore of a live SQLite database, and verify-audit: nothing lost, nothing torn, a Chinese refusal."""
import datetime as dt
import hashlib
import json
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

from tests.admin.helpers import csrf_token

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
    result = cli_on("sqlite:///" + fresh, ["restore", "--wait", "0", str(tmp_path / "backup.db")])
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
    result = runner.invoke(args=["restore", "--wait", "0", str(tmp_path / "backup.db")])
    assert result.exit_code == 0, result.output
    kept = [name for name in os.listdir(tmp_path) if ".before-restore-" in name]
    assert len(kept) == 1 and "原数据库已另存为" in result.output
    assert [p.subject for p in Petition.select()] == ["备份前的事项"]
    assert len(rows(str(tmp_path / kept[0]), "petition")) == 2
    again = runner.invoke(args=["restore", "--wait", "0", str(tmp_path / "backup.db")])  # in the same second
    assert again.exit_code == 0
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
    result = runner.invoke(args=["restore", "--wait", "0", str(tmp_path / "notes.db")])
    assert result.exit_code == 1 and "不是 SQLite 数据库文件" in result.output
    other = sqlite3.connect(str(tmp_path / "other.db"))
    other.execute("CREATE TABLE t (x)")
    other.close()
    result = runner.invoke(args=["restore", "--wait", "0", str(tmp_path / "other.db")])
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
    result = runner.invoke(args=["restore", "--wait", "0", str(tmp_path / "backup.db")])
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
    result = runner.invoke(args=["restore", "--wait", "0", str(tmp_path / "v1.db")])
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


# Issue 11: the log cut short or rewritten without the key is found, through its anchors.

def anchored_log(app, n):
    """n audit entries, anchored as the application does after the first audited write of a day."""
    written = [audit.record("update", "petition", i, summary="第%d次" % i, after={"n": i}) for i in range(n)]
    with app.app_context():
        pass  # the end of a request or command: the daily anchor is written
    return written


def test_verify_audit_finds_the_newest_100_entries_deleted(app, runner, db):
    written = anchored_log(app, 150)
    AuditEntry.delete().where(AuditEntry.id > written[49].id).execute()
    result = runner.invoke(args=["verify-audit"])
    assert result.exit_code == 1, result.output
    assert "第 %d 条之后的记录已被删除" % written[49].id in result.output and "现存 50 条" in result.output


def test_verify_audit_finds_entries_deleted_and_the_chain_recomputed_with_plain_sha256(app, runner, db):
    written = anchored_log(app, 200)
    AuditEntry.delete().where(AuditEntry.id.between(written[3].id, written[196].id)).execute()  # 194 entries
    previous = AuditEntry.get_by_id(written[2].id).hash
    for entry in AuditEntry.select().where(AuditEntry.id > written[2].id).order_by(AuditEntry.id):
        entry.prev_hash = previous
        previous = hashlib.sha256(entry.payload().encode("utf-8")).hexdigest()  # no key
        AuditEntry.update(prev_hash=entry.prev_hash, hash=previous).where(AuditEntry.id == entry.id).execute()
    result = runner.invoke(args=["verify-audit"])
    assert result.exit_code == 1, result.output
    assert "第 %d 条记录被篡改或缺失" % written[197].id in result.output


def test_verify_audit_passes_an_untouched_log_with_its_anchors(app, runner, db):
    anchored_log(app, 20)
    audit.anchor("backup")
    result = runner.invoke(args=["verify-audit"])
    assert result.exit_code == 0, result.output
    assert "操作日志完整，共 20 条，与 2 个锚点相符" in result.output


# Issue 12: a restore while the application writes loses nothing and gives no number twice.

def mode(path):
    return os.stat(path).st_mode & 0o777


@sqlite_only
def test_backups_and_kept_copies_are_readable_by_the_owner_only(runner, db, make_petition, clerk, tmp_path,
                                                               audit_settings):
    workflow.register(make_petition(), clerk)
    old = os.umask(0o022)
    try:
        assert runner.invoke(args=["backup", str(tmp_path / "backup.db")]).exit_code == 0
        assert runner.invoke(args=["restore", "--wait", "0", str(tmp_path / "backup.db")]).exit_code == 0
    finally:
        os.umask(old)
    kept = [name for name in os.listdir(tmp_path) if ".before-restore-" in name]
    assert mode(tmp_path / "backup.db") == 0o600 and len(kept) == 1 and mode(tmp_path / kept[0]) == 0o600
    anchors = audit.anchors()  # the backup's head, then the restore's
    assert [a["reason"] for a in anchors] == ["restore"]
    with open(audit_settings["anchors"], encoding="utf-8") as f:
        assert [json.loads(line)["reason"] for line in f][-2:] == ["backup", "restore"]
    assert runner.invoke(args=["verify-audit"]).exit_code == 0


@sqlite_only
def test_after_a_restore_the_series_goes_on_past_every_number_given(runner, db, make_petition, tmp_path):
    make_petition(subject="备份前")
    assert runner.invoke(args=["backup", str(tmp_path / "backup.db")]).exit_code == 0
    lost = make_petition(subject="备份后，恢复时被替换")
    assert runner.invoke(args=["restore", "--wait", "0", str(tmp_path / "backup.db")]).exit_code == 0
    assert [p.subject for p in Petition.select()] == ["备份前"]
    assert make_petition(subject="恢复后").number == "XF-2022-000003"  # 000002 went to the replaced one
    assert lost.number == "XF-2022-000002"


class HttpWriter(threading.Thread):
    """Registers petitions through the screens, one POST at a time, until told to stop: what the server
    acknowledged (302) and what it refused (503 or another error)."""

    def __init__(self, app):
        super().__init__(daemon=True)
        self.client = app.test_client()
        self.acknowledged, self.refused, self.error = [], [], None
        self.stop, self.started = threading.Event(), threading.Event()

    def login(self):
        """Log in (again, after a restore took the session back; a login is refused during maintenance)."""
        for _ in range(200):
            page = self.client.get("/login").get_data(as_text=True)
            if self.client.post("/login", data={"username": "clerk", "password": "clerk-password-1",
                                                "csrf_token": csrf_token(page)}).status_code == 302:
                self.token = csrf_token(self.client.get("/admin/petition/new/").get_data(as_text=True))
                return
            time.sleep(0.05)
        raise AssertionError("could not log in")

    def run(self):
        n = 0
        try:
            while not self.stop.is_set():
                n += 1
                subject = "恢复期间写入%d" % n
                response = self.client.post("/admin/petition/new/", data={
                    "csrf_token": self.token, "channel": "visit", "received_at": "2022-12-09 09:30:00",
                    "petitioner": "", "new_petitioner_name": "写入人%d" % n, "head_count": "1",
                    "subject": subject, "content": "恢复期间写入的信访事项。", "request_summary": "请求依法处理。",
                    "classification": "unclassified"})
                if response.status_code == 302 and "/login" in response.headers["Location"]:
                    self.login()  # a session the restore took back: not a save, log in again
                    continue
                (self.acknowledged if response.status_code == 302 else self.refused).append(subject)
                if len(self.acknowledged) >= 3:
                    self.started.set()
        except Exception as err:  # noqa: BLE001 - reported by the test
            self.error = err
            self.started.set()
        finally:
            Petition._meta.database.close()


@sqlite_only
def test_a_restore_while_the_screens_write_loses_no_acknowledged_save(app, runner, db, db_url, clerk, tmp_path):
    live = db_url[len("sqlite:///"):]
    workflow.register(Petition(channel="visit", received_at=dt.datetime(2022, 12, 9, 9, 30),
                               petitioner=Petitioner.create(name="备份前的人"), subject="备份前的事项",
                               content="备份前登记。"), clerk)
    assert runner.invoke(args=["backup", str(tmp_path / "backup.db")]).exit_code == 0
    writer = HttpWriter(app)
    writer.login()
    writer.start()
    assert writer.started.wait(30) and writer.error is None, writer.error
    result = runner.invoke(args=["restore", "--wait", "0.2", str(tmp_path / "backup.db")])
    after_restore = len(writer.acknowledged) + len(writer.refused)
    while len(writer.acknowledged) + len(writer.refused) < after_restore + 3 and writer.error is None:
        time.sleep(0.01)  # writes go on after the restore
    writer.stop.set()
    writer.join(30)
    assert writer.error is None, writer.error
    assert result.exit_code == 0, result.output
    db.close()
    kept = [str(tmp_path / name) for name in os.listdir(tmp_path) if ".before-restore-" in name]
    assert len(kept) == 1
    now_live = dict(query(live, "SELECT subject, number FROM petition"))
    in_kept = dict(query(kept[0], "SELECT subject, number FROM petition"))
    for subject in writer.acknowledged:  # every acknowledged save: in the kept copy, or written after the restore
        assert subject in now_live or subject in in_kept, subject
    assert not set(writer.refused) & (set(now_live) | set(in_kept))  # a refused save left nothing
    assert any(s in now_live for s in writer.acknowledged), "no write after the restore"
    numbers = {}
    for subject, number in list(in_kept.items()) + list(now_live.items()):
        assert numbers.setdefault(number, subject) == subject, "number %s given twice" % number
    assert not os.path.exists(app.config["MAINTENANCE_FILE"])


def test_verify_audit_after_a_pg_restore_starts_the_anchors_afresh(app, runner, db):
    written = anchored_log(app, 10)
    AuditEntry.delete().where(AuditEntry.id > written[4].id).execute()  # an older dump brought back
    assert runner.invoke(args=["verify-audit"]).exit_code == 1
    result = runner.invoke(args=["verify-audit", "--restored"])
    assert result.exit_code == 0 and "共 5 条，与 1 个锚点相符" in result.output, result.output
    result = runner.invoke(args=["verify-audit", "--anchor"])  # after a pg_dump: the head anchored
    assert result.exit_code == 0 and [a["reason"] for a in audit.anchors()] == ["restore", "backup"]
