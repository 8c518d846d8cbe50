"""Backup and restore of a SQLite database file, through SQLite's online backup API (no Flask, no peewee).

backup() copies a live database in one step of sqlite3's Connection.backup: the copy is the database as one
read transaction saw it (WAL lets the application go on writing meanwhile), so a transaction is in it whole
or not at all. The copy is written beside its destination and renamed into place only when it is complete
and checked, so a failed backup leaves nothing half-written and never replaces an older one.

restore() checks that a file is a database of this application (it has a schema_version) of a version the
code knows, keeps a copy of the current database, then copies the backup into it, again with the backup API
(so the current file's WAL and shared-memory files stay consistent). The caller then upgrades the schema.

Refusals are BackupRefused with a `reason` (see REASONS) and the values the message needs: the command
line turns them into Chinese sentences.

PostgreSQL is backed up with pg_dump and restored with pg_restore (README).
"""
import datetime as dt
import os
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
    kept = None
    if os.path.exists(database_path):
        kept = _free_name("%s.before-restore-%s" % (database_path, (at or dt.datetime.now()).strftime(
            "%Y%m%d-%H%M%S")))
        backup(database_path, kept)
    os.makedirs(os.path.dirname(database_path), exist_ok=True)
    source = sqlite3.connect("file:%s?mode=ro" % backup_file, uri=True)
    target = _open(database_path)
    try:
        _copy(source, target)  # the target's WAL mode is kept; other connections see the restored data
    finally:
        target.close()
        source.close()
    return version, kept
