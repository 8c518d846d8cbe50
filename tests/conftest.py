"""Fixtures for every test: a fresh, upgraded database (`db`) and builders of petitioners and petitions.

With TEST_DATABASE_URL set (e.g. postgresql://postgres@127.0.0.1:5432/test) the tests run on that
database, in a schema of their own (so two runs on one server do not meet), whose tables are dropped
and upgraded afresh for each test. Otherwise each test gets its own SQLite file.
"""
import copy
import datetime as dt
import itertools
import os
import uuid
from urllib.parse import quote

import pytest
from peewee import PostgresqlDatabase

from models import db as models_db
from models import schema
from models.organisation import Department
from models.people import Petitioner
from models.petition import Petition
from models.validation import id_check_character


def valid_id_number(region="371526", born="19650312", sequence="123"):
    """An 18-character ID number with the right check character."""
    first17 = region + born + sequence
    return first17 + id_check_character(first17)


def recreate(database):
    """Drop every table of the schema and upgrade afresh: the database as a new installation has it."""
    cascade = isinstance(database, PostgresqlDatabase)
    database.drop_tables(schema.MODELS + [schema.SchemaVersion], safe=True, cascade=cascade)
    schema.upgrade(database)


# On PostgreSQL dropping and upgrading costs ~0.5 s a test (DDL); emptying the tables costs a quarter of it.
# The shape of the schema (columns, indexes, triggers) is compared first, so a test that altered it (a migration
# test, a restore) is followed by a full recreate.
SHAPE = """SELECT md5(coalesce(string_agg(x, ',' ORDER BY x), '')) FROM (
    SELECT table_name || '.' || column_name || ':' || data_type || ':' || is_nullable AS x
      FROM information_schema.columns WHERE table_schema = current_schema()
    UNION ALL SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema()
    UNION ALL SELECT trigger_name || ':' || event_object_table || ':' || event_manipulation
      FROM information_schema.triggers WHERE trigger_schema = current_schema()) shape"""
_clean_shape = {}


def reset(database):
    """The database as a new installation has it: emptied in place when its shape is intact (PostgreSQL)."""
    if not isinstance(database, PostgresqlDatabase):
        return recreate(database)
    shape = database.execute_sql(SHAPE).fetchone()[0]
    if _clean_shape.get(database.database) != shape or schema.current_version(database) != schema.LATEST:
        recreate(database)
        _clean_shape[database.database] = database.execute_sql(SHAPE).fetchone()[0]
        return
    tables = ", ".join('"%s"' % model._meta.table_name for model in schema.MODELS)
    with database.atomic():
        database.execute_sql("TRUNCATE %s RESTART IDENTITY CASCADE" % tables)
        schema.MIGRATIONS[0](database)  # puts back the three fixed teams


@pytest.fixture(scope="session")
def postgres_url():
    """TEST_DATABASE_URL narrowed to a schema made for this run, dropped at its end; None for SQLite."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        yield None
        return
    name = "test_%s" % uuid.uuid4().hex[:12]
    admin = models_db.connect(url)
    admin.execute_sql('CREATE SCHEMA "%s"' % name)
    admin.close()
    separator = "&" if "?" in url else "?"
    yield url + separator + "options=" + quote("-c search_path=%s" % name)
    admin = models_db.connect(url)
    admin.execute_sql('DROP SCHEMA "%s" CASCADE' % name)
    admin.close()


@pytest.fixture
def db_url(tmp_path, postgres_url):
    """The URL of this test's database."""
    return postgres_url or "sqlite:///" + str(tmp_path / "test.db")


@pytest.fixture
def db(db_url):
    """A fresh database at the latest schema version, bound to models.db.database."""
    database = models_db.connect(db_url)
    reset(database)
    from models import settings

    settings.forget()  # read from this test's database
    yield database
    database.close()


@pytest.fixture(autouse=True)
def audit_settings(tmp_path, monkeypatch):
    """The audit chain's key and anchors file, and the maintenance flag, of this test: in tmp_path, for the
    models (audit.configure) and every app the test creates (the environment)."""
    from models import audit

    anchors, flag = str(tmp_path / "audit-anchors.jsonl"), str(tmp_path / "maintenance")
    monkeypatch.setenv("AUDIT_KEY", "test-audit-key")
    monkeypatch.setenv("AUDIT_ANCHORS", anchors)
    monkeypatch.setenv("MAINTENANCE_FILE", flag)
    audit.configure("test-audit-key", anchors)
    return {"key": "test-audit-key", "anchors": anchors, "maintenance": flag}


@pytest.fixture(autouse=True)
def office_settings():
    """The office settings (models/settings.py) as a new installation has them: nothing fixed by an earlier
    test's app, nothing cached from an earlier test's database (none saved, for a test with no database; the
    `db` fixture reads its own)."""
    from models import settings

    settings.fix({})
    settings.forget(empty=True)
    yield settings
    settings.fix({})
    settings.forget()


@pytest.fixture
def counting_rule():
    """The deadline calendar's counting rule (models/deadlines.py), put back after a test that changes it."""
    from models import deadlines

    saved = copy.deepcopy(deadlines.COUNTING)
    yield deadlines.COUNTING
    deadlines.COUNTING.clear()
    deadlines.COUNTING.update(saved)


@pytest.fixture
def recreate_db(db):
    """recreate_db() empties the test database back to a new installation, within one test."""
    return lambda: recreate(db)


@pytest.fixture
def make_town(db):
    """make_town(name=..., **fields) -> a saved Department of kind town."""
    counter = itertools.count(1)

    def make_town(name=None, **fields):
        return Department.create(name=name or "测试镇%d" % next(counter), kind="town", **fields)

    return make_town


@pytest.fixture
def make_petitioner(db):
    """make_petitioner(**fields) -> a saved Petitioner with a valid ID number and mobile phone."""
    counter = itertools.count(1)

    def make_petitioner(**fields):
        n = next(counter)
        values = dict(name="信访人%d" % n, id_number=valid_id_number(sequence="%03d" % n),
                      phone="138%08d" % n)
        values.update(fields)
        return Petitioner.create(**values)

    return make_petitioner


@pytest.fixture
def make_petition(db, make_petitioner):
    """make_petition(**fields) -> a saved Petition (received 2022-12-09 09:30 by default)."""

    def make_petition(**fields):
        values = dict(channel="visit", received_at=dt.datetime(2022, 12, 9, 9, 30), subject="宅基地及共用道路纠纷",
                      content="信访人与原邻居因宅基地及共用道路发生纠纷。")
        values.update(fields)
        if "petitioner" not in values:
            values["petitioner"] = make_petitioner()
        return Petition.create(**values)

    return make_petition
