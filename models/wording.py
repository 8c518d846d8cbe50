"""文书措辞: the wording of each kind of letter as the office edits it, in versions (append-only, audited).

A version's source is the letter's body with named fields ({{ 信访人 }}); None is the built-in default (shipped
with the program). Checking a source (sandbox, fields, line numbers) is the caller's `check(kind, source)`
(admin_app/letters/wording.py), which raises ValidationError: nothing is written then. A letter records the
version its text used (Document.wording_version; None: the built-in default).
"""
from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, IntegrityError, TextField

from . import audit
from .db import BaseModel, database, now
from .documents import KINDS
from .errors import N_, NotAllowed, ValidationError
from .people import User

MAX_SOURCE = 10000  # characters of a wording's source
MAX_NOTE = 200


class LetterWording(BaseModel):
    """One version of a kind's wording: never changed, a later version replaces it."""

    verbose_name = N_("Letter wording")

    kind = CharField(max_length=30)
    number = IntegerField()  # 1, 2, 3... within the kind
    source = TextField(null=True)  # None: the built-in default
    restores = IntegerField(null=True)  # the version it restores (0: the built-in default); None: a new text
    note = CharField(max_length=MAX_NOTE, null=True)
    created_by = ForeignKeyField(User, null=True, backref="wordings", on_delete="RESTRICT")
    created_at = DateTimeField(default=now)

    class Meta:
        indexes = ((("kind", "number"), True),)

    def save(self, *args, **kwargs):
        if self._pk is not None and not kwargs.get("force_insert"):
            raise NotAllowed(N_("A saved version of a wording is never changed; save a new version."))
        return super().save(*args, **kwargs)

    @property
    def is_builtin(self):
        return self.source is None


def current(kind):
    """The version in force of a kind's wording, or None (never edited: the built-in default)."""
    return (LetterWording.select().where(LetterWording.kind == kind).order_by(LetterWording.number.desc())
            .first())


def history(kind):
    """Every version of a kind's wording, the newest first."""
    return list(LetterWording.select().where(LetterWording.kind == kind).order_by(LetterWording.number.desc()))


def version(kind, number):
    return LetterWording.get_or_none((LetterWording.kind == kind) & (LetterWording.number == number))


def _check_kind(kind):
    if kind not in KINDS:
        raise ValidationError(N_("Unknown kind of letter."), field="kind")


def _add(kind, source, by, note, restores, expected):
    """The new version, in force; NotAllowed when another was saved since the editor was opened on `expected`."""
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ValidationError(N_("The note is too long: at most %(limit)d characters."), field="note",
                              limit=MAX_NOTE)
    try:
        with database.atomic():
            latest = current(kind)
            number = latest.number if latest is not None else 0
            if expected is not None and expected != number:
                raise NotAllowed(N_("Someone else saved version %(number)d of this wording after you opened it: "
                                    "nothing was saved. Open the wording again."), number=number)
            row = LetterWording.create(kind=kind, number=number + 1, source=source, restores=restores,
                                       note=note or None, created_by=getattr(getattr(by, "user", by), "id", None))
            audit.record("create", LetterWording, row.id, by=by, summary="%s %d" % (kind, row.number), after={
                "kind": kind, "number": row.number, "source": source, "restores": restores, "note": note or None})
            return row
    except IntegrityError:  # the same number taken by a save at the same moment
        raise NotAllowed(N_("Someone else saved this wording at the same moment: nothing was saved. Open the "
                            "wording again.")) from None


def save(kind, source, by, *, check, note=None, expected=None):
    """Save a new version of a kind's wording. check(kind, source) raises ValidationError (with the line) when the
    source cannot be a letter's wording; expected: the version number the editor was opened on (0: none).
    Raises ValidationError (too long, unchanged, refused by check) and NotAllowed (saved by another meanwhile);
    nothing is written then."""
    _check_kind(kind)
    source = (source or "").replace("\r\n", "\n")
    if not source.strip():
        raise ValidationError(N_("Write the wording."), field="source")
    if len(source) > MAX_SOURCE:
        raise ValidationError(N_("The wording is too long: at most %(limit)d characters (it has %(count)d)."),
                              field="source", limit=MAX_SOURCE, count=len(source))
    check(kind, source)
    latest = current(kind)
    if latest is not None and latest.source == source:
        raise ValidationError(N_("The wording is the same as the version in force: nothing was saved."),
                              field="source")
    return _add(kind, source, by, note, None, expected)


def revert(kind, number, by, *, check, note=None, expected=None):
    """A new version restoring version `number` (0: the built-in default), checked again (a field it names may
    be gone). Raises ValidationError (no such version, already in force, refused by check) and NotAllowed."""
    _check_kind(kind)
    latest = current(kind)
    if number == 0:
        if latest is None or latest.is_builtin:
            raise ValidationError(N_("The built-in wording is already in force."), field="number")
        return _add(kind, None, by, note, 0, expected)
    restored = version(kind, number)
    if restored is None:
        raise ValidationError(N_("There is no such version of this wording."), field="number")
    if latest is not None and latest.source == restored.source:
        raise ValidationError(N_("That version's wording is already in force."), field="number")
    if restored.source is not None:
        check(kind, restored.source)
    return _add(kind, restored.source, by, note, number, expected)
