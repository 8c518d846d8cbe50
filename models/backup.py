"""Backup (SQLite's online backup API) and restore (a copy under the write lock) of a SQLite database file
(no Flask, no peewee).

backup() copies a live database in one step of sqlite3's Connection.backup: the copy is the database as one
read transaction saw it (WAL lets the application go on writing meanwhile), so a transaction is in it whole
or not at all. The copy is written beside its destination and renamed into place only when it is complete
and checked, so a failed backup leaves nothing half-written and never replaces an older one.

restore() checks that a file is a database of this application (it has a schema_version) of a version the
code knows; then, on the live file, it takes SQLite's write lock (BEGIN IMMEDIATE: it waits for the
transaction being written, and every later writer waits for it), keeps a copy of the current database as
committed (every acknowledged write), replaces the contents by the backup's (the backup attached, its tables,
indexes, views and triggers recreated and their rows copied) and moves each number series past every number
the replaced database or the backup had given, all in that one transaction. No write can fall between the
copy kept and the restore, and the WAL and shared-memory files stay consistent. The caller then upgrades the
schema. Backups and kept copies are created mode 600: they hold full ID numbers.

Refusals are BackupRefused with a `reason` (see REASONS) and the values the message needs: the command
line turns them into Chinese sentences.

PostgreSQL is backed up with pg_dump and restored with pg_restore (README).
"""
import datetime as dt
import os
import re
import sqlite3

SQLITE_HEADER = b"SQLite format 3\x00"
REASONS = ("not_sqlite_url", "exists", "missing", "same_file", "not_a_database", "not_ours", "newer", "damaged")


class BackupRefused(Exception):
    """A backup or restore that was not done; nothing was written."""

    def __init__(self, reason, **values):
        assert reason in REASONS, reason
        super().__init__(reason, values)
        self.reason, self.values = reason, values


def sqlite_path(url):
    """The file of a sqlite:/// DATABASE_URL; BackupRefused(not_sqlite_url) for PostgreSQL or :memory:."""
    if not url.startswith("sqlite:///") or url.endswith(":memory:") or url == "sqlite:///":
        raise BackupRefused("not_sqlite_url", scheme=url.split(":", 1)[0])
    return os.path.abspath(url[len("sqlite:///"):])


def _open(path, timeout=30):
    """A connection that waits up to `timeout` seconds for another writer instead of failing at once."""
    connection = sqlite3.connect(path, timeout=timeout, isolation_level=None)
    connection.execute("PRAGMA busy_timeout = %d" % (timeout * 1000))
    return connection


def _copy(source, target):
    """The whole of `source` into `target` in one step: one read transaction, so one consistent state."""
    source.backup(target, pages=-1)


def schema_version(path):
    """The schema version recorded in the database file at path, or None when it has no schema_version table
    (or no row in it). Raises BackupRefused(not_a_database) for a file that SQLite cannot read."""
    with open(path, "rb") as f:
        if f.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise BackupRefused("not_a_database", path=path)
    connection = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    try:
        if not connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
                                  ).fetchone():
            return None
        row = connection.execute("SELECT max(version) FROM schema_version").fetchone()
        return row[0] if row else None
    except sqlite3.DatabaseError:
        raise BackupRefused("not_a_database", path=path)
    finally:
        connection.close()


def _check_whole(path):
    """BackupRefused(damaged) unless SQLite's quick_check finds the file sound."""
    connection = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    try:
        result = connection.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as err:
        result = str(err)
    finally:
        connection.close()
    if result != "ok":
        raise BackupRefused("damaged", path=path, detail=result)


def _free_name(path):
    """path, or path-2, path-3... when two restores fall within one second."""
    candidate, n = path, 1
    while os.path.exists(candidate):
        n += 1
        candidate = "%s-%d" % (path, n)
    return candidate


def backup(database_path, target, force=False):
    """Copy the live database at database_path to the file target; return (bytes, schema version).

    Raises BackupRefused: missing (no database there), exists (target exists and not force), same_file."""
    target = os.path.abspath(target)
    if not os.path.exists(database_path):
        raise BackupRefused("missing", path=database_path)
    if os.path.exists(target):
        if os.path.samefile(target, database_path):
            raise BackupRefused("same_file", path=target)
        if not force:
            raise BackupRefused("exists", path=target)
    partial = "%s.partial-%d" % (target, os.getpid())
    source = _open(database_path)
    try:
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))  # SQLite keeps its mode
        os.chmod(partial, 0o600)  # an older partial file of the same name
        copy = sqlite3.connect(partial, isolation_level=None)
        try:
            _copy(source, copy)
            copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
        finally:
            copy.close()
        _check_whole(partial)
        os.replace(partial, target)
    finally:
        source.close()
        if os.path.exists(partial):
            os.remove(partial)
    return os.path.getsize(target), schema_version(target)


def audit_head(path):
    """(count, newest id, its hash) of the audit log in the SQLite file at path; None without an audit log."""
    connection = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    try:
        if not connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_entry'"
                                  ).fetchone():
            return None
        row = connection.execute('SELECT (SELECT count(*) FROM audit_entry), id, hash FROM audit_entry '
                                 'ORDER BY id DESC LIMIT 1').fetchone()
        return tuple(row) if row else (0, None, None)
    finally:
        connection.close()


def restore(backup_file, database_path, latest_version, at=None):
    """Bring the backup at backup_file back into the database at database_path (created when missing).

    Returns (schema version of the backup, path of the copy kept of the current database, or None when there
    was none). The caller upgrades the schema afterwards. Raises BackupRefused: missing, same_file,
    not_a_database, not_ours (no schema_version), newer (a version above latest_version), damaged."""
    backup_file, database_path = os.path.abspath(backup_file), os.path.abspath(database_path)
    if not os.path.isfile(backup_file):
        raise BackupRefused("missing", path=backup_file)
    if os.path.exists(database_path) and os.path.samefile(backup_file, database_path):
        raise BackupRefused("same_file", path=backup_file)
    version = schema_version(backup_file)
    if not version:
        raise BackupRefused("not_ours", path=backup_file)
    if version > latest_version:
        raise BackupRefused("newer", path=backup_file, version=version, latest=latest_version)
    _check_whole(backup_file)
    existed = os.path.exists(database_path)
    os.makedirs(os.path.dirname(database_path), exist_ok=True)
    live = _open(database_path, timeout=60)
    kept = None
    try:
        live.execute("ATTACH DATABASE ? AS restored", (backup_file,))
        live.execute("BEGIN IMMEDIATE")  # waits for the writer of the moment; later writers wait for us
        try:
            if existed:
                kept = _free_name("%s.before-restore-%s" % (database_path, (at or dt.datetime.now()).strftime(
                    "%Y%m%d-%H%M%S")))
                backup(database_path, kept)  # a reader beside our lock: everything committed, nothing after
            given = _numbers_given(live, "main")
            _replace_contents(live)
            _continue_series(live, given)
            live.execute("COMMIT")
        except BaseException:
            live.execute("ROLLBACK")
            raise
        live.execute("DETACH DATABASE restored")
    finally:
        live.close()
    return version, kept


def _objects(connection, schema, kind):
    return connection.execute('SELECT name, sql FROM "%s".sqlite_master WHERE type = ? AND name NOT LIKE '
                              "'sqlite_%%' ORDER BY rowid" % schema, (kind,)).fetchall()


def _is_virtual(sql):
    return bool(sql) and sql.lstrip().upper().startswith("CREATE VIRTUAL TABLE")


def _replace_contents(connection):
    """Inside the caller's transaction: main's schema and rows become those of the attached `restored`.

    A virtual table (the FTS5 search index) brings its shadow tables with it; their rows are copied like any
    other, so the index matches the restored rows without a rebuild."""
    for name, _ in _objects(connection, "main", "view"):
        connection.execute('DROP VIEW IF EXISTS main."%s"' % name)
    for name, _ in _objects(connection, "main", "trigger"):
        connection.execute('DROP TRIGGER IF EXISTS main."%s"' % name)
    tables = _objects(connection, "main", "table")
    for name, sql in sorted(tables, key=lambda t: not _is_virtual(t[1])):  # virtual ones (and shadows) first
        connection.execute('DROP TABLE IF EXISTS main."%s"' % name)
    tables = _objects(connection, "restored", "table")
    for name, sql in tables:
        if _is_virtual(sql):
            connection.execute(sql)
    present = {name for name, _ in _objects(connection, "main", "table")}
    for name, sql in tables:
        if not _is_virtual(sql) and name not in present:
            connection.execute(sql)
    for name, sql in tables:
        if not _is_virtual(sql):
            connection.execute('DELETE FROM main."%s"' % name)
            connection.execute('INSERT INTO main."%s" SELECT * FROM restored."%s"' % (name, name))
    for internal in ("sqlite_sequence", "sqlite_stat1"):  # AUTOINCREMENT counters; the planner's statistics
        if _has_table(connection, "main", internal):
            connection.execute("DELETE FROM main.%s" % internal)
        if _has_table(connection, "restored", internal):
            if not _has_table(connection, "main", internal):  # only ANALYZE makes sqlite_stat1
                connection.execute('ANALYZE main."%s"' % tables[0][0])
                connection.execute("DELETE FROM main.%s" % internal)
            connection.execute("INSERT INTO main.%s SELECT * FROM restored.%s" % (internal, internal))
    for kind in ("index", "view", "trigger"):
        for name, sql in _objects(connection, "restored", kind):
            if sql:  # an index SQLite made for a UNIQUE constraint has none: the table made it again
                connection.execute(sql)


PETITION_NUMBER = re.compile(r"^(.+)-(\d{4})-(\d+)$")  # XF-2022-000123 (models.petition)


def _has_table(connection, schema, table):
    return connection.execute('SELECT 1 FROM "%s".sqlite_master WHERE type = \'table\' AND name = ?' % schema,
                              (table,)).fetchone() is not None


def _numbers_given(connection, schema):
    """{(prefix, year): highest number given} by a database: its number series, the petitions' numbers
    (XF-2022-000123) and the letters' (prefix, year, sequence)."""
    given = {}

    def saw(prefix, year, last):
        if last is not None and int(last) > given.get((prefix, int(year)), 0):
            given[(prefix, int(year))] = int(last)

    if _has_table(connection, schema, "number_series"):
        for prefix, year, last in connection.execute('SELECT prefix, year, last FROM "%s".number_series' % schema):
            saw(prefix, year, last)
    if _has_table(connection, schema, "petition"):
        for (number,) in connection.execute('SELECT number FROM "%s".petition' % schema):
            match = PETITION_NUMBER.match(number or "")
            if match:
                saw(match.group(1), match.group(2), match.group(3))
    if _has_table(connection, schema, "document"):
        for row in connection.execute('SELECT prefix, year, max(sequence) FROM "%s".document GROUP BY prefix, year'
                                      % schema):
            saw(*row)
    return given


def _continue_series(connection, before):
    """Each number series of the restored database goes on after the highest number given either by it or by
    the database it replaced: a number given after the backup (whose record is in the kept copy only) is
    never given again."""
    if not _has_table(connection, "main", "number_series"):
        return
    given = _numbers_given(connection, "main")
    for key, last in before.items():
        given[key] = max(last, given.get(key, 0))
    columns = {row[1] for row in connection.execute("PRAGMA main.table_info(number_series)")}
    for (prefix, year), last in sorted(given.items()):
        updated = connection.execute("UPDATE main.number_series SET last = ? WHERE prefix = ? AND year = ? "
                                     "AND last < ?", (last, prefix, year, last)).rowcount
        if not updated and not connection.execute("SELECT 1 FROM main.number_series WHERE prefix = ? AND year = ?",
                                                  (prefix, year)).fetchone():
            if "version" in columns:
                connection.execute("INSERT INTO main.number_series (prefix, year, last, version) VALUES (?, ?, ?, 1)",
                                   (prefix, year, last))
            else:
                connection.execute("INSERT INTO main.number_series (prefix, year, last) VALUES (?, ?, ?)",
                                   (prefix, year, last))
