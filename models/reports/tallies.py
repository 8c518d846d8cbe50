"""Monthly tallies of the petitions, kept by the database itself, so that the statistics of a year (or ten)
read a few hundred small rows instead of grouping a hundred thousand petitions (statistics.py).

`petition_tally` holds, for each month, measure and dimension, how many petitions have each value:

- measure `new`: counted petitions (not void) by the month they were received;
- measures `closed` and `not_accepted`: finished petitions by the month they were finished (their closing
  time, or their receipt when the closing time is missing or earlier: statistics.FINISHED_AT);
- dimensions: DIMENSIONS below; the key is the column's value as text after "=", or "" when it is not set.

Every dimension covers every petition once, so the total of a measure is the sum of any one dimension.
Triggers on petition add a row's contributions when it is inserted, remove them when it is deleted, and move
them when a counted column changes (one statement, the net change only, in a fixed order), so every writer
keeps the tallies exact: the screens, an import, a bulk UPDATE, the sqlite3 shell. TRUNCATE would not.
"""
from contextlib import contextmanager

from peewee import CompositeKey, IntegerField, Model, PostgresqlDatabase, TextField, fn

from ..db import database

MEASURES = ("new", "closed", "not_accepted")
# (dimension, column of petition)
DIMENSIONS = (("channel", "channel"), ("category", "category_id"), ("town", "town_id"), ("team", "team_id"),
              ("classification", "classification"), ("lead", "lead_representative_id"))
NUMERIC = {"category", "town", "team", "lead"}  # keys that are ids
COUNTED_COLUMNS = ("status", "received_at", "closed_at") + tuple(column for _, column in DIMENSIONS)


class PetitionTally(Model):
    month = IntegerField()  # year * 100 + month
    measure = TextField()
    dimension = TextField()
    key = TextField()  # "" for not set, else "=" and the value
    n = IntegerField()

    class Meta:
        database = database
        table_name = "petition_tally"
        primary_key = CompositeKey("month", "measure", "dimension", "key")


def month_key(moment):
    return moment.year * 100 + moment.month


def decode(dimension, key):
    """The column's value of a tally key (None for not set)."""
    if not key:
        return None
    return int(key[1:]) if dimension in NUMERIC else key[1:]


# -- the SQL of both databases ---------------------------------------------------------------------------

def _month(expression, postgres):
    if postgres:
        return "(extract(year FROM %s) * 100 + extract(month FROM %s))::integer" % (expression, expression)
    return "CAST(strftime('%%Y%%m', %s) AS INTEGER)" % expression


def _finished_at(prefix):
    """statistics.FINISHED_AT for a finished row: its closing time, or its receipt when that is missing or
    earlier."""
    return ("CASE WHEN {r}closed_at IS NULL OR {r}closed_at < {r}received_at THEN {r}received_at "
            "ELSE {r}closed_at END").format(r=prefix)


def _contributions(row, sign, postgres):
    """SELECT (month, measure, dimension, key, n) of one petition row (new., old., or a table alias)."""
    finished_at = _finished_at(row + ".")
    keys = " UNION ALL ".join("SELECT '%s' AS dimension, coalesce('=' || %s.%s, '') AS key" % (name, row, column)
                              for name, column in DIMENSIONS)
    return ("SELECT m.month, m.measure, d.dimension, d.key, {sign} AS n FROM ("
            "SELECT {received} AS month, 'new' AS measure WHERE {r}.status <> 'void' "
            "UNION ALL SELECT {finished}, {r}.status WHERE {r}.status IN ('closed', 'not_accepted')"
            ") AS m CROSS JOIN ({keys}) AS d").format(
        sign=sign, r=row, keys=keys, received=_month(row + ".received_at", postgres),
        finished=_month(finished_at, postgres))


def _add(parts, postgres):
    """INSERT the net sum of the contributions (parts: [(row, sign)]) into the tallies."""
    union = " UNION ALL ".join(_contributions(row, sign, postgres) for row, sign in parts)
    return ("INSERT INTO petition_tally (month, measure, dimension, key, n) "
            "SELECT month, measure, dimension, key, sum(n) FROM (%s) AS c "
            "GROUP BY month, measure, dimension, key HAVING sum(n) <> 0 "
            "ORDER BY month, measure, dimension, key "  # the same lock order in every transaction
            "ON CONFLICT (month, measure, dimension, key) DO UPDATE SET n = petition_tally.n + excluded.n"
            % union)


_CHANGED = " OR ".join("old.%s IS NOT new.%s" % (c, c) for c in COUNTED_COLUMNS)
SQLITE_TRIGGERS = (
    "CREATE TRIGGER IF NOT EXISTS petition_tally_insert AFTER INSERT ON petition BEGIN %s; END"
    % _add([("new", 1)], False),
    "CREATE TRIGGER IF NOT EXISTS petition_tally_delete AFTER DELETE ON petition BEGIN %s; END"
    % _add([("old", -1)], False),
    "CREATE TRIGGER IF NOT EXISTS petition_tally_update AFTER UPDATE ON petition WHEN %s BEGIN %s; END"
    % (_CHANGED, _add([("old", -1), ("new", 1)], False)),
)
POSTGRES_FUNCTION = """CREATE OR REPLACE FUNCTION petition_tally_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN %s;
  ELSIF TG_OP = 'DELETE' THEN %s;
  ELSE %s;
  END IF;
  RETURN NULL;
END $$""" % (_add([("NEW", 1)], True), _add([("OLD", -1)], True), _add([("OLD", -1), ("NEW", 1)], True))
POSTGRES_TRIGGERS = (
    "CREATE TRIGGER petition_tally_insert_delete AFTER INSERT OR DELETE ON petition "
    "FOR EACH ROW EXECUTE FUNCTION petition_tally_count()",
    "CREATE TRIGGER petition_tally_update AFTER UPDATE ON petition FOR EACH ROW WHEN (%s) "
    "EXECUTE FUNCTION petition_tally_count()" % " OR ".join(
        "OLD.%s IS DISTINCT FROM NEW.%s" % (c, c) for c in COUNTED_COLUMNS),
)


def _postgres(db):
    db = db or database
    return isinstance(db.obj if hasattr(db, "obj") else db, PostgresqlDatabase)


def install(db):
    """Create the tallies and their triggers (schema version 7) and count the petitions already there."""
    db.create_tables([PetitionTally], safe=True)
    _drop_triggers(db)
    if _postgres(db):
        db.execute_sql(POSTGRES_FUNCTION)
        for statement in POSTGRES_TRIGGERS:
            db.execute_sql(statement)
    else:
        for statement in SQLITE_TRIGGERS:
            db.execute_sql(statement)
    rebuild(db)


def uninstall(db):
    """Take the tallies and their triggers away (a database as before schema version 7)."""
    _drop_triggers(db)
    db.drop_tables([PetitionTally], safe=True)


def _drop_triggers(db):
    for name in ("petition_tally_insert", "petition_tally_delete", "petition_tally_update",
                 "petition_tally_insert_delete"):
        db.execute_sql("DROP TRIGGER IF EXISTS %s%s" % (name, " ON petition" if _postgres(db) else ""))


def rebuild(db):
    """Count every petition afresh: what the triggers would have added row by row (one grouped read of the
    petitions for each dimension)."""
    postgres = _postgres(db)
    db.execute_sql("DELETE FROM petition_tally")
    for name, column in DIMENSIONS:
        key = "coalesce('=' || %s, '')" % column
        db.execute_sql(
            "INSERT INTO petition_tally (month, measure, dimension, key, n) "
            "SELECT month, measure, '%s', key, count(*) FROM ("
            "SELECT %s AS month, 'new' AS measure, %s AS key FROM petition WHERE status <> 'void' "
            "UNION ALL SELECT %s, status, %s FROM petition WHERE status IN ('closed', 'not_accepted')"
            ") AS c GROUP BY month, measure, key" % (
                name, _month("received_at", postgres), key, _month(_finished_at(""), postgres), key))


@contextmanager
def bulk_load(db):
    """Many petitions at once (benchmarks/generate.py): the triggers are lifted, and the tallies counted once
    after."""
    _drop_triggers(db)
    try:
        yield
    finally:
        install(db)


# -- reading ----------------------------------------------------------------------------------------------

def read(measures, first, last, dimensions):
    """{(measure, dimension, value): n} over the months first..last (month keys, both included; last None for
    no end), for these measures and dimensions; value is the column's (None for not set)."""
    query = (PetitionTally.select(PetitionTally.measure, PetitionTally.dimension, PetitionTally.key,
                                  fn.SUM(PetitionTally.n))
             .where(PetitionTally.measure.in_(list(measures)) & PetitionTally.dimension.in_(list(dimensions))
                    & (PetitionTally.month >= first))
             .group_by(PetitionTally.measure, PetitionTally.dimension, PetitionTally.key))
    if last is not None:
        query = query.where(PetitionTally.month <= last)
    return {(measure, dimension, decode(dimension, key)): int(n)
            for measure, dimension, key, n in query.tuples() if n}


def by_month(measures, first, last):
    """{(month key, measure): n} for the months first..last (both included)."""
    query = (PetitionTally.select(PetitionTally.month, PetitionTally.measure, fn.SUM(PetitionTally.n))
             .where(PetitionTally.measure.in_(list(measures)) & (PetitionTally.dimension == DIMENSIONS[0][0])
                    & PetitionTally.month.between(first, last))
             .group_by(PetitionTally.month, PetitionTally.measure))
    return {(month, measure): int(n) for month, measure, n in query.tuples()}
