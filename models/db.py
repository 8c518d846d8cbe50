"""The database: a proxy bound at start-up, connect(url), the base model and schema versions."""
import datetime as dt
import re

from peewee import DatabaseProxy, IntegerField, Model, PostgresqlDatabase, SqliteDatabase

database = DatabaseProxy()

# SQLite: WAL lets readers run beside one writer; the busy timeout makes a second writer wait
# instead of failing at once; foreign keys are off by default in SQLite. A letter is rendered inside the
# transaction that numbers it (no gap in the series), so a writer may hold the lock for a rendering, and one
# clerk's bulk print for several in a row: SQLite's waiter polls and can miss the lock between two of them, so
# it waits up to 30 s (seen: 5 s was not enough for 3 clerks printing 4 letters at once on a loaded machine).
SQLITE_PRAGMAS = {"journal_mode": "wal", "busy_timeout": 30000, "foreign_keys": 1, "synchronous": "normal"}
# Transactions take the write lock when they begin (BEGIN IMMEDIATE), so a second writer waits for it (the
# busy timeout). A plain BEGIN reads first and asks for the lock at its first write: if another connection
# wrote in between, SQLite fails at once with "database is locked" (its snapshot is stale; waiting cannot help).
SQLITE_LOCK_TYPE = "IMMEDIATE"


def connect(url):
    """Bind the proxy to the database at url (sqlite:///path, sqlite:///:memory:, postgresql://...)."""
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///"):] or ":memory:"
        db = SqliteDatabase(path, pragmas=SQLITE_PRAGMAS, check_same_thread=False, lock_type=SQLITE_LOCK_TYPE)
    elif re.match(r"postgres(ql)?://", url):
        from playhouse.db_url import parse

        params = parse(url)
        # no JIT: it compiles a query whose estimated cost is high, tens of ms a short query never wins back
        params["options"] = (params.get("options", "") + " -c jit=off").strip()
        db = PostgresqlDatabase(**params)
    else:
        raise ValueError("unsupported DATABASE_URL: %s" % url.split(":", 1)[0])
    database.initialize(db)
    return db


def now():
    """The current local time, to the second (what staff see and what is stored)."""
    return dt.datetime.now().replace(microsecond=0)


class BaseModel(Model):
    """Every record: validated by clean() before each save, and versioned against lost updates."""

    version = IntegerField(default=1)  # optimistic locking: an update must find the version it read

    class Meta:
        database = database
        legacy_table_names = False

    def clean(self):
        """Check the record's own rules; raise models.errors.ValidationError."""

    def save(self, *args, **kwargs):
        self.clean()
        return self.save_checked(*args, **kwargs)

    def save_checked(self, *args, **kwargs):
        """Save; raise StaleRecord when someone else saved this record since it was read."""
        from .errors import StaleRecord

        if self._pk is None or kwargs.get("force_insert"):
            return super().save(*args, **kwargs)
        expected = self.version or 1
        self._expected_version, self.version = expected, expected + 1
        try:
            rows = super().save(*args, **kwargs)
        finally:
            self._expected_version = None
        if rows == 0:
            self.version = expected
            raise StaleRecord(StaleRecord.MESSAGE)
        return rows

    def _pk_expr(self):
        expression = super()._pk_expr()
        expected = getattr(self, "_expected_version", None)
        if expected is not None:
            expression = expression & (type(self).version == expected)
        return expression

    def dependants(self):
        """(model, count) of the records that point to this one, for refusing a delete."""
        found = []
        for field in self._meta.backrefs:
            if field.on_delete == "CASCADE":  # parts of this record, deleted with it
                continue
            count = field.model.select().where(field == self._pk).count()
            if count:
                found.append((field.model, count))
        return found
