"""Schema versions: the database records its version; upgrade() brings an older one up in place.

Each migration is a function of the database, run once, in order, in a transaction, and idempotent
(it checks what exists), so a half-upgraded or hand-made database is brought to the same shape.
Later versions add tables and columns here; a migration never drops a column that holds data.
"""
from peewee import IntegerField

from .casework import VisitLog, VisitRepresentative
from .db import BaseModel, database, now
from .organisation import Category, Department
from .people import TEAMS, Petitioner, Representative, Team, User
from .petition import CoPetitioner, NumberSeries, Petition


class SchemaVersion(BaseModel):
    """One row: the version the database is at."""

    version = IntegerField()


# In dependency order: a table comes after those it points to.
MODELS = [
    Department, Category, Team, Representative, Petitioner, User,
    NumberSeries, Petition, CoPetitioner, VisitLog, VisitRepresentative,
]


def _v1_foundation(db):
    """The foundation: people, organs, petitions, visit logs, and the three fixed teams."""
    db.create_tables(MODELS, safe=True)
    for code, name, duty in TEAMS:
        if not Team.select().where(Team.code == code).exists():
            Team.create(code=code, name=name, duty=duty)


MIGRATIONS = [_v1_foundation]  # version N is MIGRATIONS[N - 1]
LATEST = len(MIGRATIONS)


def current_version(db=None):
    """The schema version of the database; 0 for an empty one."""
    db = db or database
    if not db.table_exists(SchemaVersion._meta.table_name):
        return 0
    row = SchemaVersion.select().first()
    return row.version if row else 0


def upgrade(db=None):
    """Run the migrations the database lacks; return (from_version, to_version)."""
    db = db or database
    with db.atomic():
        db.create_tables([SchemaVersion], safe=True)
        start = current_version(db)
        for version in range(start + 1, LATEST + 1):
            MIGRATIONS[version - 1](db)
        SchemaVersion.delete().execute()
        SchemaVersion.create(version=max(start, LATEST))
    return start, max(start, LATEST)


def is_empty():
    """True when no account exists yet (a new installation)."""
    return not User.select().exists()


__all__ = ["MODELS", "LATEST", "upgrade", "current_version", "is_empty", "now"]
