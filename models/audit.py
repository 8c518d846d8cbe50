"""The append-only change log: who did what, when, with the values before and after.

Each entry carries the hash of the one before it, so a changed or deleted entry breaks the chain.
ID numbers and phones are stored masked: the log says that they changed, never what they are.
"""
import datetime as dt
import hashlib
import json

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, PostgresqlDatabase, TextField

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
        return hashlib.sha256(self.payload().encode("utf-8")).hexdigest()


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
            prev_hash=last.hash if last else None,
        )
        entry.hash = entry.compute_hash()
        entry.save(force_insert=True)
        return entry


def verify_chain():
    """The id of the first entry whose hash or link is wrong, or None when the chain is whole."""
    previous = None
    for entry in AuditEntry.select().order_by(AuditEntry.id).iterator():
        if entry.prev_hash != previous or entry.compute_hash() != entry.hash:
            return entry.id
        previous = entry.hash
    return None
