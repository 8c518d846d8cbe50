"""Schema versions: upgrade() brings any database to LATEST and never loses a row."""
import datetime as dt

from models import schema
from models.organisation import Category, Department
from models.people import TEAMS, Team
from models.petition import Petition


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
