"""信访人合并: two records of one person made one.

    merge(keep, other, by) -> the stub `other` became

Everything that points to `other` (its petitions, co-petitions, visit logs: every foreign key to Petitioner but
the stubs' own) moves to `keep`, in one transaction, an audit entry (merge) for each row moved; the blanks
of `keep` (ID number, phone, address...) are filled from `other`; `other` stays as a stub (merged_into, merged_at)
so that its old links and audit entries still resolve. Its dismissed 排访 repeat flag follows it. Two records
with different ID numbers are two people: refused. The search index follows the petitions by its triggers
(UPDATE OF petitioner_id), the tallies do not count petitioners.

The unique index of live ID numbers (ID_NUMBER_INDEX) is installed by schema version 11 when the database has
no duplicates; an upgraded database with duplicates keeps working without it, duplicates() lists them for
merging, and the merge that removes the last one installs it (install_unique_index).
"""
from peewee import ForeignKeyField

from .. import audit
from ..db import database, now
from ..errors import N_, ValidationError
from ..hotline import FlagDismissal
from ..people import Petitioner
from ..petition import CoPetitioner, Petition
from . import repeats
from .petitioners import LIVE

ID_NUMBER_INDEX = ("CREATE UNIQUE INDEX IF NOT EXISTS petitioner_one_id_number ON petitioner (id_number) "
                   "WHERE merged_into_id IS NULL AND id_number IS NOT NULL")
FILLED_FROM_OTHER = ("id_number", "phone", "alias", "address", "town", "village")

SAME_RECORD = N_("A petitioner cannot be merged into itself.")
ALREADY_MERGED = N_("%(name)s was already merged into another petitioner.")
OTHER_ID_NUMBER = N_("The two petitioners have different ID numbers: they are two people. Correct the wrong ID "
                     "number first.")


def pointing_fields():
    """Every foreign key to Petitioner (petitions, co-petitions, visit logs, and any added later), not the
    stubs' merged_into."""
    return [field for field in Petitioner._meta.backrefs
            if isinstance(field, ForeignKeyField) and field.model is not Petitioner]


def merge(keep, other, by=None):
    """Merge `other` into `keep` (see the module). Raises ValidationError for the same record, a stub on either
    side, or different ID numbers. Returns the stub."""
    with database.atomic():
        keep, other = Petitioner.get_by_id(keep.id), Petitioner.get_by_id(other.id)  # as they are now
        if keep.id == other.id:
            raise ValidationError(SAME_RECORD, field="keep")
        for person in (keep, other):
            if person.merged_into_id is not None:
                raise ValidationError(ALREADY_MERGED, field="keep", name=person.name)
        if keep.id_number and other.id_number and keep.id_number != other.id_number:
            raise ValidationError(OTHER_ID_NUMBER, field="keep")
        for field in pointing_fields():
            _move(field, keep, other, by)
        _move_flag_dismissal(keep, other, by)
        repeats.refresh(keep.id)  # 初件/重件 counts the person's petitions together now (moved by UPDATE, not save)
        before_other, before_keep = audit.snapshot(other), audit.snapshot(keep)
        other.merged_into, other.merged_at = keep, now()
        other.save()
        old, new = audit.changes(before_other, audit.snapshot(other))
        audit.record("merge", other, other.id, by=by, summary=keep.name, before=old, after=new)
        filled = {name: getattr(other, name) for name in FILLED_FROM_OTHER
                  if getattr(keep, name) in (None, "") and getattr(other, name) not in (None, "")}
        if filled:
            for name, value in filled.items():
                setattr(keep, name, value)
            keep.save()  # after the stub: its ID number is free for the kept record
            old, new = audit.changes(before_keep, audit.snapshot(keep))
            audit.record("update", keep, keep.id, by=by, summary=other.name, before=old, after=new)
        if not duplicates():
            install_unique_index(database)
        return other


def _move(field, keep, other, by):
    """The rows of one table that point to `other` point to `keep`, each with its audit entry; a co-petition of a
    petition `keep` is already on (as its petitioner or a co-petitioner) is removed instead of doubled."""
    model = field.model
    summary = "%s → %s" % (other.name, keep.name)
    if model is CoPetitioner:
        on_already = (Petition.select(Petition.id).where(Petition.petitioner == keep.id)
                      | CoPetitioner.select(CoPetitioner.petition).where(CoPetitioner.petitioner == keep.id))
        doubled = list(CoPetitioner.select().where((field == other.id) & CoPetitioner.petition.in_(on_already)))
        for row in doubled:
            row.delete_instance()
            audit.record("delete", row, row.id, by=by, summary=summary, before=audit.snapshot(row))
    moved = [i for (i,) in model.select(model.id).where(field == other.id).order_by(model.id).tuples()]
    if moved:
        model.update({field: keep.id, model.version: model.version + 1}).where(model.id.in_(moved)).execute()
    for row_id in moved:
        audit.record("merge", model, row_id, by=by, summary=summary, before={field.name: other.id},
                     after={field.name: keep.id})


def _move_flag_dismissal(keep, other, by):
    """A dismissed 排访 repeat flag of `other` becomes `keep`'s (unless `keep` has its own): it comes back when
    the kept record's petitions are more than those it was dismissed for."""
    old_key, new_key = "repeat:%d" % other.id, "repeat:%d" % keep.id
    if FlagDismissal.select().where(FlagDismissal.flag_key == new_key).exists():
        return
    ids = [i for (i,) in FlagDismissal.select(FlagDismissal.id).where(FlagDismissal.flag_key == old_key).tuples()]
    if ids:
        FlagDismissal.update(flag_key=new_key, version=FlagDismissal.version + 1).where(
            FlagDismissal.id.in_(ids)).execute()
    for row_id in ids:
        audit.record("merge", FlagDismissal, row_id, by=by, summary="%s → %s" % (other.name, keep.name),
                     before={"flag_key": old_key}, after={"flag_key": new_key})


def duplicates():
    """重复登记: groups (oldest first) of records not merged away that share an ID number, as lists of
    Petitioner, the groups ordered by their oldest record."""
    from peewee import fn

    shared = (Petitioner.select(Petitioner.id_number).where(LIVE & Petitioner.id_number.is_null(False))
              .group_by(Petitioner.id_number).having(fn.COUNT(Petitioner.id) > 1))
    groups = {}
    for person in (Petitioner.select().where(LIVE & Petitioner.id_number.in_(shared)).order_by(Petitioner.id)):
        groups.setdefault(person.id_number, []).append(person)
    return list(groups.values())


def has_unique_index(db):
    return any(index.name == "petitioner_one_id_number" for index in db.get_indexes("petitioner"))


def install_unique_index(db):
    """The database's own guard of one live record per ID number; only when there are no duplicates (returns
    whether it is in place)."""
    if has_unique_index(db):
        return True
    if duplicates():
        return False
    db.execute_sql(ID_NUMBER_INDEX)
    return True
