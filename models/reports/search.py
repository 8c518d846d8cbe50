"""Finding petitions by a few characters of their subject, content or petitioner's name, without a scan.

A search word matches a petition when its subject, its content or its petitioner's name or alias contains the
word, exactly as `LIKE '%word%'` would find it; a petition number (XF-2022-000123, or its end 2022-000123)
is found by its index. Words of two or more characters use an index:

- SQLite: an FTS5 table with the trigram tokenizer (`petition_search`), fed by triggers from petitions and
  petitioners, so every writer (the screens, an import, the sqlite3 shell) keeps it current. Each indexed
  text ends with the character U+0003, so that every 2-character piece of a text starts some trigram: a
  2-character word (many Chinese names) is looked up as the trigrams that begin with it (`fts5vocab`);
  a longer word is a phrase of its trigrams, which FTS5 matches at consecutive positions: a substring.
- PostgreSQL: the same texts behind GIN indexes: pg_trgm's trigrams for words of 3 characters or more
  (LIKE '%word%' on the text itself, or ILIKE for a word with letters that have a case), and the lower-cased
  text's 2-character pieces (office_bigrams) for words of 2. The list reads them as bitmaps (bitmap_plans).

A single character falls back to LIKE, which reads every row.
"""
import logging
import re
import unicodedata
from contextlib import contextmanager

from peewee import SQL, Cast, Expression, Model, NodeList, PostgresqlDatabase, Value, fn
from playhouse.sqlite_ext import RowIDField

from ..db import database

END = "\x03"  # closes every indexed text (see above); never part of a search word
NUMBER = re.compile(r"^(?:XF-?)?(\d{4})-(\d{1,6})$", re.IGNORECASE)
LARGEST = "\U0010ffff"

SQLITE_INSTALL = (
    # The text as indexed: each column closed by END; the petitioner's name and alias with the petition.
    """CREATE VIEW IF NOT EXISTS petition_search_source AS
       SELECT p.id AS id, p.subject || char(3) AS subject, p.content || char(3) AS content,
              pe.name || char(3) || coalesce(pe.alias, '') || char(3) AS names
       FROM petition p JOIN petitioner pe ON pe.id = p.petitioner_id""",
    """CREATE VIRTUAL TABLE IF NOT EXISTS petition_search USING fts5(
       subject, content, names, content='petition_search_source', content_rowid='id', tokenize='trigram')""",
    "CREATE VIRTUAL TABLE IF NOT EXISTS petition_search_terms USING fts5vocab(petition_search, 'row')",
)
SQLITE_TRIGGERS = (
    """CREATE TRIGGER IF NOT EXISTS petition_search_insert AFTER INSERT ON petition BEGIN
         INSERT INTO petition_search(rowid, subject, content, names)
         SELECT id, subject, content, names FROM petition_search_source WHERE id = new.id;
       END""",
    """CREATE TRIGGER IF NOT EXISTS petition_search_delete BEFORE DELETE ON petition BEGIN
         INSERT INTO petition_search(petition_search, rowid, subject, content, names)
         SELECT 'delete', id, subject, content, names FROM petition_search_source WHERE id = old.id;
       END""",
    """CREATE TRIGGER IF NOT EXISTS petition_search_unindex BEFORE UPDATE OF subject, content, petitioner_id
       ON petition BEGIN
         INSERT INTO petition_search(petition_search, rowid, subject, content, names)
         SELECT 'delete', id, subject, content, names FROM petition_search_source WHERE id = old.id;
       END""",
    """CREATE TRIGGER IF NOT EXISTS petition_search_reindex AFTER UPDATE OF subject, content, petitioner_id
       ON petition BEGIN
         INSERT INTO petition_search(rowid, subject, content, names)
         SELECT id, subject, content, names FROM petition_search_source WHERE id = new.id;
       END""",
    """CREATE TRIGGER IF NOT EXISTS petitioner_search_unindex BEFORE UPDATE OF name, alias ON petitioner BEGIN
         INSERT INTO petition_search(petition_search, rowid, subject, content, names)
         SELECT 'delete', id, subject, content, names FROM petition_search_source
         WHERE id IN (SELECT id FROM petition WHERE petitioner_id = old.id);
       END""",
    """CREATE TRIGGER IF NOT EXISTS petitioner_search_reindex AFTER UPDATE OF name, alias ON petitioner BEGIN
         INSERT INTO petition_search(rowid, subject, content, names)
         SELECT id, subject, content, names FROM petition_search_source
         WHERE id IN (SELECT id FROM petition WHERE petitioner_id = new.id);
       END""",
)
# PostgreSQL: the same texts (a petition's subject and content; a petitioner's name and alias, joined by END)
# behind two GIN indexes each: pg_trgm's trigrams for words of 3 characters or more, and the lower-cased text's
# 2-character pieces (office_bigrams) for words of 2, which trigrams cannot find. The trigram index is on the
# text itself (pg_trgm folds the case of its trigrams anyway): the LIKE that rechecks each row the index gives
# then reads the text as stored, where lower() of a 1 KB text cost more than the LIKE (and than the heap read).
# office_bigrams: the pieces in order, repeats included (GIN keeps each key once); string_to_array splits
# the text in one pass, where substr(t, i, 2) walked it from the start for every i (a 1M-row build: minutes).
POSTGRES_FUNCTION = """CREATE OR REPLACE FUNCTION office_bigrams(t text) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT ARRAY(SELECT a || b FROM unnest(c[1:n - 1], c[2:n]) AS pair(a, b))
    FROM (SELECT string_to_array(t, NULL) AS c, char_length(t) AS n) AS chars
$$"""
PETITION_TEXT = "subject || chr(3) || content"
PETITIONER_TEXT = "name || chr(3) || coalesce(alias, '')"
POSTGRES_INDEXES = (  # (name, table, indexed expression, operator class or None)
    ("petition_words_trgm", "petition", PETITION_TEXT, "gin_trgm_ops"),
    ("petition_text_bigrams", "petition", "office_bigrams(lower(%s))" % PETITION_TEXT, None),
    ("petitioner_words_trgm", "petitioner", PETITIONER_TEXT, "gin_trgm_ops"),
    ("petitioner_text_bigrams", "petitioner", "office_bigrams(lower(%s))" % PETITIONER_TEXT, None),
)
# The trigram indexes of schema version 6, on lower(text): replaced by the two above.
OBSOLETE_POSTGRES_INDEXES = ("petition_text_trgm", "petitioner_text_trgm")


def install(db):
    """Create the search index (schema version 6) and fill it from the rows already there. Run again on a
    database of an earlier version 6, it replaces the PostgreSQL indexes that changed (a migration's step)."""
    if isinstance(_obj(db), PostgresqlDatabase):
        _install_trigram_indexes(db)
        return
    for statement in SQLITE_INSTALL + SQLITE_TRIGGERS:
        db.execute_sql(statement)
    rebuild(db)


def _install_trigram_indexes(db):
    """pg_trgm (a standard extension of PostgreSQL) and its indexes. Without the right to create the extension
    the search still works, by reading every row; upgrade-db says so."""
    try:
        with db.atomic():  # a savepoint: the upgrade's transaction goes on after a refusal
            db.execute_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception as err:  # noqa: BLE001 - any refusal (privileges, a server without contrib)
        logging.getLogger(__name__).warning("pg_trgm is not available, the search reads every row: %s", err)
        return
    (where,) = db.execute_sql("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                              "WHERE e.extname = 'pg_trgm'").fetchone()
    db.execute_sql(POSTGRES_FUNCTION)
    for name in OBSOLETE_POSTGRES_INDEXES:
        db.execute_sql("DROP INDEX IF EXISTS %s" % name)
    for name, table, expression, opclass in POSTGRES_INDEXES:
        db.execute_sql("CREATE INDEX IF NOT EXISTS %s ON %s USING gin ((%s)%s)" % (
            name, table, expression, ' "%s".%s' % (where, opclass) if opclass else ""))


@contextmanager
def bulk_load(db):
    """Load many petitions at once (benchmarks/generate.py): the triggers are lifted meanwhile and the index
    is rebuilt in one pass after, which is several times faster than row by row."""
    if isinstance(_obj(db), PostgresqlDatabase):
        with _postgres_bulk_load(db):
            yield
        return
    for name in re.findall(r"CREATE TRIGGER IF NOT EXISTS (\w+)", "\n".join(SQLITE_TRIGGERS)):
        db.execute_sql("DROP TRIGGER IF EXISTS %s" % name)
    try:
        yield
    finally:
        for statement in SQLITE_TRIGGERS:
            db.execute_sql(statement)
        rebuild(db)


@contextmanager
def _postgres_bulk_load(db):
    """The GIN indexes, kept up to date row by row, made a million-row load several times slower: they are
    dropped meanwhile and built once after, with more memory for the build (fewer passes over the rows)."""
    present = [name for name in [name for name, *_ in POSTGRES_INDEXES] + list(OBSOLETE_POSTGRES_INDEXES)
               if db.execute_sql("SELECT to_regclass(%s)", (name,)).fetchone()[0] is not None]
    for name in present:
        db.execute_sql("DROP INDEX %s" % name)
    try:
        yield
    finally:
        if present:  # none when pg_trgm was not available: the search reads every row, as before
            (memory,) = db.execute_sql("SHOW maintenance_work_mem").fetchone()
            db.execute_sql("SET maintenance_work_mem = '1GB'")
            try:
                _install_trigram_indexes(db)
            finally:
                db.execute_sql("SET maintenance_work_mem = %s", (memory,))


def rebuild(db):
    """Index every petition afresh (after a bulk load that went round the triggers, or to repair)."""
    if not isinstance(_obj(db), PostgresqlDatabase):
        # in id order: FTS5 writes out its pending terms at every rowid lower than the last one, and its own
        # 'rebuild' reads the view in the planner's order (by petitioner), which made it 2.5 times slower
        # and with room for 256 MB of pending terms (1 MB by default): fewer, larger segments to merge (a third
        # faster for a million petitions); set back after, so that no later writer holds that much
        db.execute_sql("INSERT INTO petition_search(petition_search) VALUES ('delete-all')")
        db.execute_sql("INSERT INTO petition_search(petition_search, rank) VALUES ('hashsize', %d)" % (256 << 20))
        db.execute_sql("INSERT INTO petition_search(rowid, subject, content, names) "
                       "SELECT id, subject, content, names FROM petition_search_source ORDER BY id")
        db.execute_sql("INSERT INTO petition_search(petition_search, rank) VALUES ('hashsize', %d)" % (1 << 20))


# -- the search ---------------------------------------------------------------------------------------------

def words(text):
    """The words of a search: split on spaces, control characters (and END) dropped."""
    cleaned = re.sub(r"[\x00-\x1f\x7f]", " ", text or "")
    return [word for word in cleaned.split(" ") if word]


def number_clause(word):
    """A petition number, whole or from its year on (2022-000123, 2022-123): found by the unique index."""
    from ..petition import NUMBER_PREFIX, Petition

    match = NUMBER.match(word)
    if not match:
        return None
    year, sequence = match.groups()
    return Petition.number == "%s-%s-%06d" % (NUMBER_PREFIX, year, int(sequence))


def _phrase(word):
    return '"%s"' % word.replace('"', '""')


def fts_query(word, db=None):
    """The FTS5 query for a word of 2 or more characters on SQLite; None when nothing can match."""
    if len(word) >= 3:
        return _phrase(word)
    start = word.lower()  # the trigram tokenizer folds case; so does the vocabulary
    terms = [term for (term,) in (db or database).execute_sql(
        "SELECT term FROM petition_search_terms WHERE term >= ? AND term < ?", (start, start + LARGEST))]
    if not terms:
        return None
    return "(%s)" % " OR ".join(_phrase(term) for term in terms)


def uses_index(word, db=None):
    """Is the word looked up in the SQLite FTS index (rather than by a clause)?"""
    obj = _obj(db)
    return not isinstance(obj, PostgresqlDatabase) and len(word) >= 2 and number_clause(word) is None


def caseless(word):
    """No character of the word has a case (Chinese, digits, punctuation): lower() maps no other character to
    one of them, so the texts that contain the word are the same as those whose lower-cased text does."""
    return all(c.lower() == c == c.upper() and unicodedata.category(c) not in ("Lu", "Ll", "Lt") for c in word)


def like_clause(word, db=None):
    """Petitions whose subject, content, or petitioner's name or alias contains the word. PostgreSQL: through
    its indexes (above); SQLite: LIKE, which reads every row (a word of one character)."""
    from ..people import Petitioner
    from ..petition import Petition

    if isinstance(_obj(db), PostgresqlDatabase):
        petition_text = Petition.subject.concat(fn.chr(3)).concat(Petition.content)
        petitioner_text = Petitioner.name.concat(fn.chr(3)).concat(fn.coalesce(Petitioner.alias, ""))
        if len(word) == 2:
            piece = Cast(Value([word.lower()], unpack=False), "text[]")
            petition_has = Expression(fn.office_bigrams(fn.lower(petition_text)), "@>", piece)
            petitioner_has = Expression(fn.office_bigrams(fn.lower(petitioner_text)), "@>", piece)
        else:
            # ILIKE is lower(text) LIKE lower(pattern), as the search always was; LIKE, when the word has no
            # case, finds the same rows without lowering every text the index gives
            operator = "LIKE" if caseless(word) else "ILIKE"
            pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            petition_has = Expression(petition_text, operator, pattern)
            petitioner_has = Expression(petitioner_text, operator, pattern)
        # the petitioners found first (a short list, once), so that both sides are index bitmaps, ORed
        people = NodeList((SQL("ARRAY"), Petitioner.select(Petitioner.id).where(petitioner_has)))
        return petition_has | (Petition.petitioner == fn.ANY(people))
    names = Petitioner.select(Petitioner.id).where(Petitioner.name.contains(word) | Petitioner.alias.contains(word))
    return Petition.subject.contains(word) | Petition.content.contains(word) | Petition.petitioner.in_(names)


def indexed(text):
    """Does every word of the search have an index (2 characters or more)? A single character reads every row."""
    return all(len(word) >= 2 for word in words(text))


def is_postgres(db=None):
    return isinstance(_obj(db), PostgresqlDatabase)


@contextmanager
def bitmap_plans(db=None):
    """PostgreSQL: the queries within read a search's matches through its indexes' bitmaps only, in a
    transaction. The planner cannot tell a common word from a rare one well: it would walk the id index or
    the table computing each text, hoping to reach a LIMIT soon, which for a rare word reads the million rows.
    A bitmap costs at most the rows the indexes give. JIT stays off: the disabled plans' costs would
    otherwise set it compiling each query (tens of ms)."""
    db = db or database
    if not is_postgres(db):
        yield
        return
    with db.atomic():
        db.execute_sql("SET LOCAL enable_seqscan = off")
        db.execute_sql("SET LOCAL enable_indexscan = off")
        db.execute_sql("SET LOCAL jit = off")
        db.execute_sql("SET LOCAL work_mem = '32MB'")  # exact bitmaps: a lossy page rechecks all its rows
        yield


def plan(text, db=None, other=None):
    """A search as (FTS5 query or None, where-clause or None); every word must match.

    other(word) may claim a word first (the screens: a masked ID number or phone) with a clause of its own."""
    parts, clause = [], None
    for word in words(text):
        part = other(word) if other else None
        if part is None:
            part = number_clause(word)
        if part is None and uses_index(word, db):
            query = fts_query(word, db)
            if query is None:
                part = NOTHING
            else:
                parts.append(query)
                continue
        if part is None:
            part = like_clause(word, db)
        clause = part if clause is None else clause & part
    return (" AND ".join(parts) or None), clause


def clause(text, db=None):
    """The where-clause of a whole search on Petition (every word must match), for any query."""
    query, where = plan(text, db)
    if query is not None:
        from ..petition import Petition

        matched = Petition.id.in_(matching_ids(query))
        where = matched if where is None else matched & where
    return where


class PetitionSearch(Model):
    """The FTS5 table (SQLite), to read matches in id order: the newest first, as the list shows them."""

    rowid = RowIDField()

    class Meta:
        database = database
        table_name = "petition_search"


# SQLite keeps the left table of a CROSS JOIN as the outer loop: the matches are read newest first and stop at
# the page's end. (peewee refuses an ON clause with its own JOIN.CROSS, hence the spelling.)
MATCHES_FIRST = "CROSS JOIN "


def newest_matches(query, columns):
    """SELECT columns FROM the matches of an FTS5 query, newest first, joined to their petitions."""
    from ..petition import Petition

    return (PetitionSearch.select(*columns).join(Petition, MATCHES_FIRST, on=(Petition.id == PetitionSearch.rowid))
            .where(SQL("petition_search MATCH ?", [query])).order_by(PetitionSearch.rowid.desc()))


def matching_ids(query):
    """The ids of the petitions an FTS5 query matches, as a subquery."""
    return SQL("(SELECT rowid FROM petition_search WHERE petition_search MATCH ?)", [query])


def among_matches(query):
    """A condition "one of the matches" that leaves the lead to the query's other conditions: the matches are
    read once into a list, and the rows the other conditions' index gives are looked up in it. (The unary +
    keeps SQLite from reading the list first and fetching every match by its id instead.)"""
    from ..petition import Petition

    return NodeList((SQL("+"), Petition.id), glue="").in_(matching_ids(query))


def _obj(db):
    db = db or database
    return db.obj if hasattr(db, "obj") else db


NOTHING = SQL("0 = 1")
