"""A form saved once: every create, step and bulk-action form carries a one-time token, claimed by the write it made.

The screen puts a random token in the form when it draws it. Saving the form claims the token, by inserting its
row here, inside the same transaction as the write: a second post of the same form (the browser's Back then
保存, a double click, a retried request) finds the token claimed and is answered "already saved" with the
record, and a concurrent duplicate fails on the unique index and its whole transaction rolls back.

The table keeps the SHA-256 of the token and of what it was posted with (the action and rows of a bulk action),
not the token itself. Rows are bookkeeping, not records (no audit entry); those older than KEEP_DAYS are deleted
by a later claim (a form kept open longer than that could be saved twice; nothing else depends on them).
"""
import datetime as dt
import hashlib
import time

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, IntegrityError

from .db import BaseModel, database, now
from .errors import N_, DomainError
from .people import User

KEEP_DAYS = 30
PURGE_EVERY_SECONDS = 3600
_last_purge = [0.0]


class Submission(BaseModel):
    """One form saved: who saved it, on which screen, and the record it made (or the petition of a step)."""

    verbose_name = N_("Saved form")

    key = CharField(max_length=64, unique=True)  # SHA-256 of the token (and of a bulk action's rows)
    user = ForeignKeyField(User, null=True, on_delete="CASCADE", index=True)
    form = CharField(max_length=100)  # the screen's endpoint, e.g. petition.create_view
    kind = CharField(max_length=40, null=True)  # the record's table, e.g. petition
    record_id = IntegerField(null=True)  # None: several records (a bulk step); the list is the answer
    created_at = DateTimeField(default=now, index=True)


class AlreadySaved(DomainError):
    """This form was saved before: the earlier submission is in .submission."""

    MESSAGE = N_("This form was already saved; it was not registered again.")

    def __init__(self, submission):
        super().__init__(self.MESSAGE)
        self.submission = submission


def key_of(token, *parts):
    """The stored key of a token (with what distinguishes one use of a shared form, like a bulk action's rows)."""
    text = "\x1f".join([token] + [str(p) for p in parts])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def find(key):
    """The submission that claimed this key, or None."""
    return Submission.get_or_none(Submission.key == key)


def claim(key, user, form):
    """Claim the key for this save; call it first inside the save's transaction. Raise AlreadySaved when it
    was claimed before (also by a concurrent save that committed first: its transaction must then roll back)."""
    _purge_if_due()
    earlier = find(key)
    if earlier is not None:
        raise AlreadySaved(earlier)
    try:
        with database.atomic():  # a savepoint: the failed insert leaves the transaction usable until it rolls back
            return Submission.create(key=key, user=user, form=form[:100])
    except IntegrityError:
        raise AlreadySaved(None)  # claimed by a concurrent save; it is found once that one has committed


def settle(submission, record=None, kind=None, record_id=None):
    """Note the record the save made (in the same transaction), for the answer to a second post."""
    if record is not None:
        kind, record_id = record._meta.table_name, record._pk
    Submission.update(kind=kind, record_id=record_id).where(Submission.id == submission.id).execute()


def purge(days=KEEP_DAYS):
    """Delete the submissions older than days; return how many."""
    cutoff = now() - dt.timedelta(days=days)
    return Submission.delete().where(Submission.created_at < cutoff).execute()


def _purge_if_due():
    if time.monotonic() - _last_purge[0] >= PURGE_EVERY_SECONDS:
        _last_purge[0] = time.monotonic()
        purge()
