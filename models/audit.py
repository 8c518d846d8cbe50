"""The append-only change log: who did what, when, with the values before and after.

Each entry carries the hash of the one before it, so a changed or deleted entry breaks the chain.
ID numbers and phones are stored masked: the log says that they changed, never what they are.

The chain is keyed: an entry's hash is an HMAC-SHA256 with a key kept outside the database (configure(),
AUDIT_KEY), so whoever can write to the database cannot recompute it after a change. Entries written before
the key existed (an upgraded database, schema version 10) keep their plain SHA-256 and are marked keyed =
False; they are checked the old way, a plain entry after a keyed one is a break, and the first keyed entry's
link covers the hash of the last plain one.

The chain alone cannot show that its newest entries were cut off, nor that the whole log was rewritten with
plain hashes. So its head (count, newest id and hash) is anchored outside the database: appended to a file
(AUDIT_ANCHORS, instance/audit-anchors.jsonl) at the first audited write of each day and at each backup.
verify() checks the chain, then every anchor since the last restore: the anchored entry must still be there
with the same hash, and the log must hold at least as many entries as it did then.
"""
import datetime as dt
import hashlib
import hmac
import json
import os
import threading

from peewee import (
    BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField, PostgresqlDatabase, TextField,
)

from .db import BaseModel, database, now
from .errors import N_
from .access import personal_fields
from .people import User

ACTIONS = (
    ("create", N_("Added")),  # not "Created": that msgid is the label 创建时间
    ("update", N_("Edited")),
    ("delete", N_("Deleted")),
    ("delete_refused", N_("Deletion refused")),
    ("step", N_("Workflow step")),
    ("view_personal", N_("Viewed personal data")),
    ("login_locked", N_("Account locked")),
    ("merge", N_("Merged petitioners")),  # 信访人合并 (models/workflow/merge.py)
    ("public_lookup", N_("Public look-up")),  # 查询码 on the public page (models/lookup.py), the code masked
)
HIDDEN_FIELDS = {"password_hash", "version"}  # a secret; and the lock's bookkeeping


class AuditEntry(BaseModel):
    """One entry of the change log; never updated or deleted."""

    verbose_name = N_("Audit entry")

    at = DateTimeField(default=now, index=True)
    user = ForeignKeyField(User, null=True, backref="audit_entries", on_delete="RESTRICT")
    username = CharField(max_length=50, null=True)
    action = CharField(max_length=20, choices=ACTIONS, index=True)
    model = CharField(max_length=40, index=True)
    record_id = IntegerField(null=True, index=True)
    summary = CharField(max_length=200, null=True)
    before = TextField(null=True)
    after = TextField(null=True)
    prev_hash = CharField(max_length=64, null=True)
    hash = CharField(max_length=64)
    keyed = BooleanField(default=False)  # HMAC with the audit key; False: a plain SHA-256 of before the key

    def save(self, *args, **kwargs):
        if self._pk is not None:
            raise PermissionError("audit entries are append-only")
        return super().save(*args, **kwargs)

    def delete_instance(self, *args, **kwargs):
        raise PermissionError("audit entries are append-only")

    def payload(self):
        """The fields the hash covers, in a fixed form."""
        return json.dumps([self.at.isoformat(), self.user_id, self.username, self.action, self.model,
                           self.record_id, self.summary, self.before, self.after, self.prev_hash],
                          ensure_ascii=False, sort_keys=True)

    def compute_hash(self):
        """HMAC-SHA256 of the payload with the audit key (a plain SHA-256 for an entry of before the key)."""
        payload = self.payload().encode("utf-8")
        if not self.keyed:
            return hashlib.sha256(payload).hexdigest()
        return hmac.new(audit_key(), payload, hashlib.sha256).hexdigest()


class NotConfigured(RuntimeError):
    """The audit key is not set: the log can be neither written nor checked."""


_settings = {"key": None, "anchors": None, "database": None}
_anchoring = {"day": None, "due": False, "lock": threading.Lock()}


def configure(key, anchors=None, database=None):
    """Set the key of the chain (str or bytes, from outside the database), the anchors file (a path or None)
    and the name of the database in it: one file may hold the anchors of several databases (a copy restored
    elsewhere, a test run), each checked against its own."""
    if not key:
        raise NotConfigured("the audit key is empty")
    _settings["key"] = key.encode("utf-8") if isinstance(key, str) else bytes(key)
    if anchors != _settings["anchors"]:
        _anchoring["day"], _anchoring["due"] = None, False
    _settings["anchors"], _settings["database"] = anchors, database


def audit_key():
    if not _settings["key"]:
        raise NotConfigured("the audit key is not configured (audit.configure)")
    return _settings["key"]


def install_key_column(db):
    """Schema version 10: the keyed column; the entries already there are plain (keyed = False)."""
    if "keyed" not in {column.name for column in db.get_columns(AuditEntry._meta.table_name)}:
        postgres = isinstance(getattr(db, "obj", db), PostgresqlDatabase)  # the types create_tables gives
        db.execute_sql('ALTER TABLE "%s" ADD COLUMN "keyed" %s' % (
            AuditEntry._meta.table_name, "BOOLEAN NOT NULL DEFAULT FALSE" if postgres else "INTEGER NOT NULL DEFAULT 0"))


def _plain(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def snapshot(record):
    """The record's own fields as plain values, personal data masked (access.PERSONAL), secrets left out."""
    data = {}
    masks = personal_fields(type(record))
    for name, field in record._meta.fields.items():
        if name in HIDDEN_FIELDS:
            continue
        value = record.__data__.get(name)
        if name in masks and value:
            data[name] = Masked(masks[name](value), value)
            continue
        data[name] = _plain(value)
    return data


class Masked(str):
    """A masked value that still compares by the full one, so a change in the hidden digits is logged
    (as a change between two masked values) while only the masked text is ever written."""

    def __new__(cls, masked, full):
        text = super().__new__(cls, masked)
        text.full = full
        return text

    def __eq__(self, other):
        if isinstance(other, Masked):
            return self.full == other.full
        return str.__eq__(self, other)

    def __ne__(self, other):
        return not self == other

    __hash__ = str.__hash__


def changes(before, after):
    """Only the fields that differ: ({field: old}, {field: new})."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def _lock_chain():
    """Writers append one at a time, so two entries never claim the same predecessor."""
    if isinstance(database.obj, PostgresqlDatabase):
        database.execute_sql("SELECT pg_advisory_xact_lock(7310)")


def record(action, model, record_id=None, by=None, summary=None, before=None, after=None):
    """Append an entry; call it inside the transaction of the change it describes."""
    audit_key()  # NotConfigured before anything is written
    with database.atomic():
        _lock_chain()
        last = AuditEntry.select(AuditEntry.hash).order_by(AuditEntry.id.desc()).first()
        user = getattr(by, "user", by)  # an account wrapper or a User
        entry = AuditEntry(
            at=now(), user=user.id if user is not None else None, username=getattr(user, "username", None),
            action=action, model=model if isinstance(model, str) else model._meta.table_name,
            record_id=record_id, summary=(summary or "")[:200] or None,
            before=json.dumps(before, ensure_ascii=False, sort_keys=True) if before is not None else None,
            after=json.dumps(after, ensure_ascii=False, sort_keys=True) if after is not None else None,
            prev_hash=last.hash if last else None, keyed=True,
        )
        entry.hash = entry.compute_hash()
        entry.save(force_insert=True)
    if _settings["anchors"] and _anchoring["day"] != entry.at.date():
        _anchoring["due"] = True  # anchor_if_due() writes it once the transaction is over
    return entry


def verify_chain():
    """The id of the first entry whose hash or link is wrong, or None when the chain is whole."""
    previous, keyed_seen = None, False
    for entry in AuditEntry.select().order_by(AuditEntry.id).iterator():
        if entry.prev_hash != previous or entry.compute_hash() != entry.hash or (keyed_seen and not entry.keyed):
            return entry.id
        previous, keyed_seen = entry.hash, keyed_seen or entry.keyed
    return None


# Anchors: the head of the chain, kept outside the database.

def head():
    """(count, newest id, its hash) of the log as one statement sees it; (0, None, None) when empty."""
    table = AuditEntry._meta.table_name
    row = database.execute_sql('SELECT (SELECT count(*) FROM "%s"), "id", "hash" FROM "%s" ORDER BY "id" DESC '
                               'LIMIT 1' % (table, table)).fetchone()
    return (row[0], row[1], row[2]) if row else (0, None, None)


def write_anchor(count, newest, hash_, reason, path=None, at=None):
    """Append an anchor to the anchors file (created mode 600); return it."""
    path = path or _settings["anchors"]
    if not path:
        return None
    anchor = {"at": (at or now()).isoformat(), "reason": reason, "count": count, "id": newest, "hash": hash_,
              "database": _settings["database"]}
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (json.dumps(anchor, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8"))
    finally:
        os.close(fd)
    return anchor


def anchor(reason="daily"):
    """Anchor the head of the log as it is committed now (call it outside a transaction)."""
    return write_anchor(*head(), reason=reason)


def anchors(path=None):
    """The anchors of this database that count: those from the last restore on (a restore anchors the head it
    brought back), oldest first. A line that cannot be read (a write cut short) is skipped."""
    path = path or _settings["anchors"]
    if not path or not os.path.exists(path):
        return []
    found = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            try:
                item = json.loads(line)
                item["count"], item["id"], item["hash"], item["at"]  # noqa: B018 - the fields it must have
            except (ValueError, KeyError, TypeError):
                continue
            if item.get("database") != _settings["database"]:
                continue
            if item.get("reason") == "restore":
                found = []
            found.append(item)
    return found


def anchor_if_due(today=None):
    """Anchor the head once a day: after the first audited write of a day (record() marks it due), unless
    the file already has an anchor of that day (another process wrote it). Cheap when nothing is due."""
    if not _anchoring["due"] or not _settings["anchors"]:
        return None
    with _anchoring["lock"]:
        today = today or now().date()
        if _anchoring["day"] == today:
            _anchoring["due"] = False
            return None
        written = None
        if not any(a["at"][:10] == today.isoformat() for a in anchors()[-3:]):
            written = anchor("daily")
        _anchoring["day"], _anchoring["due"] = today, False
        return written


class Break:
    """What verify() found: kind (chain, missing, changed, shrunk), the entry it names and the anchor."""

    def __init__(self, kind, entry_id, anchor=None, count=None, newest=None):
        self.kind, self.entry_id, self.anchor, self.count, self.newest = kind, entry_id, anchor, count, newest

    def __repr__(self):
        return "Break(%s, %s)" % (self.kind, self.entry_id)


def verify():
    """None when the chain is whole and agrees with every anchor; else the first Break found."""
    broken = verify_chain()
    if broken is not None:
        return Break("chain", broken)
    count, newest, _ = head()
    for item in anchors():
        if item["id"] is not None:
            entry = AuditEntry.get_or_none(AuditEntry.id == item["id"])
            if entry is None:  # cut off: the first entry missing after the newest one left
                return Break("missing", item["id"], item, count, newest)
            if entry.hash != item["hash"]:
                return Break("changed", item["id"], item, count, newest)
        if count < item["count"]:
            return Break("shrunk", newest, item, count, newest)
    return None
