"""Schema versions: upgrade() brings any database to LATEST and never loses a row."""
import datetime as dt

import pytest
from playhouse.migrate import SchemaMigrator, migrate
from peewee import PostgresqlDatabase

from models import audit, schema, workflow
from models.reports import tallies
from models.casework import VisitLog
from models.organisation import Category, Department
from models.people import TEAMS, Team
from models.petition import CoPetitioner, Petition

from tests.conftest import valid_id_number


def table_counts():
    return {model.__name__: model.select().count() for model in schema.MODELS}


def test_upgrade_of_an_empty_database_reaches_latest_with_the_three_teams(db):
    assert schema.current_version(db) == schema.LATEST
    assert [team.code for team in Team.select().order_by(Team.id)] == [code for code, _, _ in TEAMS]


def test_upgrade_creates_every_table(db):
    assert all(db.table_exists(model._meta.table_name) for model in schema.MODELS + [schema.SchemaVersion])


def test_upgrade_reports_the_versions_it_went_from_and_to(db):
    schema.SchemaVersion.delete().execute()
    assert schema.upgrade(db) == (0, schema.LATEST)
    assert schema.upgrade(db) == (schema.LATEST, schema.LATEST)


def test_running_upgrade_twice_changes_nothing(db, make_petition):
    make_petition()
    before = table_counts()
    schema.upgrade(db)
    assert table_counts() == before
    assert schema.SchemaVersion.select().count() == 1
    assert schema.current_version(db) == schema.LATEST


def test_upgrading_an_older_database_keeps_every_row(db, make_petition, make_town):
    """An "older" database: the tables exist and hold rows, but no version is recorded (version 0)."""
    town = make_town(name="高桥镇")
    Category.create(name="土地宅基地", position=10)
    petition = make_petition(town=town, received_at=dt.datetime(2022, 12, 9, 9, 30))
    Team.update(duty="本县自定的职责").where(Team.code == "hardship_assistance").execute()
    schema.SchemaVersion.delete().execute()
    assert schema.current_version(db) == 0
    before = table_counts()

    assert schema.upgrade(db) == (0, schema.LATEST)

    assert table_counts() == before
    assert Petition.get_by_id(petition.id).number == "XF-2022-000001"
    assert Department.get(Department.name == "高桥镇").kind == "town"
    assert Team.get(Team.code == "hardship_assistance").duty == "本县自定的职责"
    assert schema.current_version(db) == schema.LATEST


def test_database_ahead_of_the_code_is_not_downgraded(db):
    schema.SchemaVersion.update(version=schema.LATEST + 1).execute()
    assert schema.upgrade(db) == (schema.LATEST + 1, schema.LATEST + 1)
    assert schema.current_version(db) == schema.LATEST + 1


def test_empty_installation_has_no_account(db):
    assert schema.is_empty()


def later_models():
    """The tables of the versions after 1: the workflow's (v2), the letters' Document (v3), the hotline's (v5)."""
    return [model for model in schema.MODELS if model not in schema.V1_MODELS]


def make_version_1(db):
    """Take v2 and later away again: the workflow's tables, its petition columns and their indexes, the
    letters' Document table (v3), the hotline's tables (v5), the tallies (v7); record version 1."""
    tallies.uninstall(db)  # its triggers read v2's columns
    db.drop_tables(later_models(), cascade=isinstance(db, PostgresqlDatabase))
    from models.reports import rates

    for statement in schema.LIST_INDEXES + schema.STATISTICS_INDEXES + (rates.RATES_INDEX,):  # v6's, v26's
        db.execute_sql("DROP INDEX IF EXISTS %s" % statement.split()[5])
    for name in schema.PETITION_V2_FIELDS:
        column = Petition._meta.fields[name].column_name
        db.execute_sql('DROP INDEX IF EXISTS "petition_%s"' % column)
        db.execute_sql('ALTER TABLE "petition" DROP COLUMN "%s"' % column)
    schema.SchemaVersion.update(version=1).execute()


@pytest.mark.parametrize("through_proxy", [
    pytest.param(False, id="given-the-database"),
    pytest.param(True, id="through-the-proxy-as-the-cli-does"),
])
def test_version_1_database_is_upgraded_to_the_workflow_keeping_every_row(db, make_petition, make_petitioner,
                                                                          through_proxy):
    petition = make_petition(received_at=dt.datetime(2022, 12, 9, 9, 30), subject="宅基地及共用道路纠纷")
    CoPetitioner.create(petition=petition, petitioner=make_petitioner())  # points to petition: ON DELETE CASCADE
    VisitLog.create(visited_at=petition.received_at, kind="reception", place="高桥镇一站式矛调中心", petition=petition,
                    summary="巡回接访。")  # points to petition: RESTRICT
    make_version_1(db)
    assert schema.current_version(db) == 1
    assert "due_on" not in {c.name for c in db.get_columns("petition")}
    assert not any(db.table_exists(model._meta.table_name) for model in later_models())
    before = {model.__name__: model.select().count() for model in schema.V1_MODELS}

    assert schema.upgrade(None if through_proxy else db) == (1, schema.LATEST)

    counted = len(tallies.DIMENSIONS)  # the petition, new in its month, by each dimension
    assert table_counts() == dict(before, **{model.__name__: 0 for model in later_models()}) | {
        "PetitionTally": counted}
    columns = {c.name for c in db.get_columns("petition")}
    assert {Petition._meta.fields[name].column_name for name in schema.PETITION_V2_FIELDS} <= columns
    assert all(db.table_exists(model._meta.table_name) for model in later_models())
    assert "petition_due_on" in {index.name for index in db.get_indexes("petition")}
    stored = Petition.get_by_id(petition.id)
    assert (stored.number, stored.subject, stored.received_at) == ("XF-2022-000001", "宅基地及共用道路纠纷",
                                                                   dt.datetime(2022, 12, 9, 9, 30))
    assert (stored.status, stored.extension_days, stored.unlawful_flag, stored.due_on) == ("registered", 0, False,
                                                                                           None)
    assert schema.current_version(db) == schema.LATEST
    workflow.accept(stored, None, at=dt.datetime(2022, 12, 9, 10, 30))  # the workflow works on the old row
    assert Petition.get_by_id(petition.id).handling_due == dt.date(2023, 2, 7)
    assert audit.verify_chain() is None


def drop_sqlite_merge_columns(db):
    """SQLite drops no column a foreign key names: the petitioner table rebuilt as version 10 made it, with its
    indexes and the search index's triggers."""
    import re

    rows = db.execute_sql("SELECT type, sql FROM sqlite_master WHERE tbl_name = 'petitioner' AND sql IS NOT NULL"
                          ).fetchall()
    table = next(sql for kind, sql in rows if kind == "table")
    table = re.sub(r', "merged_into_id" INTEGER, "merged_at" DATETIME', "", table)
    table = re.sub(r', FOREIGN KEY \("merged_into_id"\)[^,)]*\("id"\) ON DELETE RESTRICT', "", table)
    columns = ", ".join('"%s"' % c.name for c in db.get_columns("petitioner") if not c.name.startswith("merged"))
    db.execute_sql("PRAGMA foreign_keys = OFF")
    db.execute_sql("PRAGMA legacy_alter_table = ON")
    db.execute_sql(table.replace('"petitioner"', '"petitioner_v10"', 1))
    db.execute_sql('INSERT INTO "petitioner_v10" (%s) SELECT %s FROM "petitioner"' % (columns, columns))
    db.execute_sql('DROP TABLE "petitioner"')
    db.execute_sql('ALTER TABLE "petitioner_v10" RENAME TO "petitioner"')
    for kind, sql in rows:
        if kind != "table":
            db.execute_sql(sql)
    db.execute_sql("PRAGMA legacy_alter_table = OFF")
    db.execute_sql("PRAGMA foreign_keys = ON")


def make_version_10_with_duplicates(db, make_petitioner):
    """A database of version 10 (no merged_into, no unique index) where 刘德山 was registered twice."""
    from models.people import Petitioner

    db.execute_sql("DROP INDEX petitioner_one_id_number")
    db.execute_sql('DROP INDEX IF EXISTS "petitioner_merged_into_id"')
    if isinstance(db, PostgresqlDatabase):
        for column in ("merged_into_id", "merged_at"):
            db.execute_sql('ALTER TABLE "petitioner" DROP COLUMN "%s"' % column)
    else:
        drop_sqlite_merge_columns(db)
    schema.SchemaVersion.update(version=10).execute()
    id_number = valid_id_number(sequence="801")
    first, second = [make_petitioner(name="刘德山", id_number=None, phone="1380000000%d" % n) for n in (1, 2)]
    db.execute_sql('UPDATE "petitioner" SET "id_number" = %s WHERE "id" IN (%s, %s)' % (
        (db.param,) * 3), (id_number, first.id, second.id))
    return [first.id, second.id]


def test_version_10_database_with_duplicate_id_numbers_is_upgraded_and_lists_them(db, make_petitioner):
    from models.people import Petitioner
    from models.workflow import merge

    ids = make_version_10_with_duplicates(db, make_petitioner)
    assert "merged_into_id" not in {c.name for c in db.get_columns("petitioner")}

    assert schema.upgrade(db) == (10, schema.LATEST)

    assert {"merged_into_id", "merged_at"} <= {c.name for c in db.get_columns("petitioner")}
    assert not merge.has_unique_index(db)  # not refused: listed for merging
    assert [[p.id for p in group] for group in merge.duplicates()] == [ids]
    merge.merge(Petitioner.get_by_id(ids[0]), Petitioner.get_by_id(ids[1]))
    assert merge.has_unique_index(db) and merge.duplicates() == []


def test_the_request_summary_column_is_added_to_an_older_database_keeping_every_petition(db, make_petition):
    """_v21_request_summary: a database of the version before, whose petition table has no request_summary."""
    petition = make_petition(subject="宅基地纠纷")
    migrate(SchemaMigrator.from_database(db).drop_column("petition", "request_summary"))
    version = schema.MIGRATIONS.index(schema._v21_request_summary)
    schema.SchemaVersion.update(version=version).execute()

    assert schema.upgrade(db) == (version, schema.LATEST)
    assert "request_summary" in {c.name for c in db.get_columns("petition")}
    again = Petition.get_by_id(petition.id)
    assert again.subject == "宅基地纠纷" and again.request_summary is None
    schema.upgrade(db)  # idempotent
