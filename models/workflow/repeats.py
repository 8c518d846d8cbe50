"""初件 / 重件: is a petition the person's first on its matter, or a repeat?

A petition is 重件 (is_repeat) when, before it, its petitioner already has a petition of the same category
received within the window (12 months by default, REPEAT_WINDOW_MONTHS), or one a clerk linked to it by hand as
the same matter (同一事项, SameMatter). "Before" is by received time, then by registration (id); voided
petitions neither count nor are counted. The rule is one SQL expression (repeat_expression), used both for the
petitions of one person after each change (refresh) and for a whole archive at once (recompute_all, the
migration): the list filters on the stored column, at a million rows, by its index.

The stored value is refreshed for every petition of the people concerned (a person has few) whenever a
petition is registered, its category, petitioner or received time change, it is voided (Petition.save calls
refresh through its AFTER_SAVE hook), and when a link is made or removed (link, unlink), so the later petitions that depend on it follow.
"""
from peewee import DateTimeField, ForeignKeyField, PostgresqlDatabase

from .. import audit
from ..db import BaseModel, database, now
from ..errors import N_, ValidationError
from ..people import User
from ..petition import AFTER_SAVE, Petition

DEFAULT_WINDOW_MONTHS = 12
_settings = {"months": DEFAULT_WINDOW_MONTHS}
# A change to one of these (or voiding) may change whether this and the person's later petitions are repeats.
DEPENDS_ON = ("petitioner", "category", "received_at")
# Called with the petitioner ids after their petitions were refreshed (models/reports/rates.py: a later 重件)
AFTER_REFRESH = []


def configure(months=None):
    """The window in months (the app passes its REPEAT_WINDOW_MONTHS); None keeps the default."""
    months = DEFAULT_WINDOW_MONTHS if months is None else int(months)
    if months < 1:
        raise ValueError("the repeat window is at least one month")
    _settings["months"] = months


def window_months():
    return _settings["months"]


class SameMatter(BaseModel):
    """Two petitions of one petitioner a clerk linked as the same matter (同一事项): the later one is 重件.
    Stored once per pair, the lower id first."""

    verbose_name = N_("Same matter")

    first = ForeignKeyField(Petition, backref="same_matter_first", on_delete="CASCADE")
    second = ForeignKeyField(Petition, backref="same_matter_second", on_delete="CASCADE", index=True)
    linked_by = ForeignKeyField(User, null=True, backref="same_matter_links", on_delete="RESTRICT")
    linked_at = DateTimeField(default=now)

    class Meta:
        indexes = ((("first", "second"), True),)


def _is_postgres(db):
    return isinstance(getattr(db, "obj", db), PostgresqlDatabase)


def repeat_expression(months=None, db=None, target="petition"):
    """SQL: true when the row `target` of petition is a repeat (see the module's rule)."""
    months = int(months or window_months())
    if _is_postgres(db or database):
        since = "%s.received_at - interval '%d months'" % (target, months)
    else:
        since = "datetime(%s.received_at, '-%d months')" % (target, months)
    earlier = ("e.status <> 'void' AND e.petitioner_id = {t}.petitioner_id AND e.id <> {t}.id AND "
               "(e.received_at < {t}.received_at OR (e.received_at = {t}.received_at AND e.id < {t}.id))"
               ).format(t=target)
    same_category = ("EXISTS (SELECT 1 FROM petition e WHERE {earlier} AND e.category_id = {t}.category_id "
                     "AND e.received_at >= {since})").format(earlier=earlier, t=target, since=since)
    linked = ("EXISTS (SELECT 1 FROM same_matter s JOIN petition e ON e.id = s.first_id WHERE s.second_id = {t}.id "
              "AND {earlier}) OR EXISTS (SELECT 1 FROM same_matter s JOIN petition e ON e.id = s.second_id "
              "WHERE s.first_id = {t}.id AND {earlier})").format(t=target, earlier=earlier)
    return "(%s.status <> 'void' AND (%s OR %s))" % (target, same_category, linked)


def _update(where, params=(), months=None, db=None):
    db = db or database
    expression = repeat_expression(months, db)
    if _is_postgres(db):  # only the rows whose value changes are written (no dead tuples for the others)
        sql = ("UPDATE petition SET is_repeat = %s WHERE %s AND is_repeat IS DISTINCT FROM %s"
               % (expression, where, expression))
    else:
        sql = "UPDATE petition SET is_repeat = %s WHERE %s AND is_repeat IS NOT %s" % (expression, where, expression)
    db.execute_sql(sql, params)


def refresh(*petitioner_ids, months=None):
    """Recompute is_repeat for every petition of these people (inside the caller's transaction)."""
    ids = sorted({i for i in petitioner_ids if i is not None})
    if not ids:
        return
    marks = ", ".join([database.param] * len(ids))
    _update("petitioner_id IN (%s)" % marks, ids, months)
    for hook in AFTER_REFRESH:
        hook(ids)


def after_save(petition, new, changed, former):
    """Petition.save's hook: refresh the person's petitions (and the former person's) when the petition is new,
    its category, petitioner or received time was set, or it is being voided."""
    if new or changed & set(DEPENDS_ON) or ("status" in changed and petition.status == "void"):
        refresh(petition.petitioner_id, former)


if after_save not in AFTER_SAVE:
    AFTER_SAVE.append(after_save)


def recompute_all(db=None, months=None):
    """Every petition at once, in one statement (the migration; after a bulk load)."""
    _update("1 = 1", (), months, db)


def _pair(one, other):
    one, other = (Petition.get_by_id(getattr(p, "id", p)) for p in (one, other))
    if one.id == other.id:
        raise ValidationError(N_("A petition cannot be linked to itself."), field="other")
    if one.petitioner_id != other.petitioner_id:
        raise ValidationError(N_("Only petitions of the same petitioner can be linked as the same matter."),
                              field="other")
    return (one, other) if one.id < other.id else (other, one)


def _summary(first, second):
    return "%s ↔ %s" % (first.number, second.number)


def link(one, other, by):
    """A clerk links two petitions of the same person as the same matter (同一事项); audited. Linking a pair
    already linked changes nothing."""
    with database.atomic():
        first, second = _pair(one, other)
        if SameMatter.select().where((SameMatter.first == first.id) & (SameMatter.second == second.id)).exists():
            return None
        row = SameMatter.create(first=first.id, second=second.id, linked_by=getattr(by, "id", None))
        audit.record("create", SameMatter, row.id, by=by, summary=_summary(first, second),
                     after={"first": first.number, "second": second.number})
        refresh(first.petitioner_id)
        return row


def unlink(one, other, by):
    """Remove the link of two petitions as the same matter; audited. True when there was one."""
    with database.atomic():
        first, second = _pair(one, other)
        row = SameMatter.get_or_none((SameMatter.first == first.id) & (SameMatter.second == second.id))
        if row is None:
            return False
        row.delete_instance()
        audit.record("delete", SameMatter, row.id, by=by, summary=_summary(first, second),
                     before={"first": first.number, "second": second.number})
        refresh(first.petitioner_id)
        return True


def linked(petition):
    """The petitions linked to this one as the same matter, oldest first."""
    pid = getattr(petition, "id", petition)
    others = (SameMatter.select(SameMatter.second).where(SameMatter.first == pid)
              | SameMatter.select(SameMatter.first).where(SameMatter.second == pid))
    return list(Petition.select().where(Petition.id.in_(others)).order_by(Petition.received_at, Petition.id))


def count_received(first, last, scope=None):
    """(初件, 重件): the petitions (not void) received from `first` to before `last`, within `scope` (a where
    clause, None for all), each counted from the index on (is_repeat, received_at, status)."""
    counts = []
    for repeat in (False, True):
        query = Petition.select().where((Petition.is_repeat == repeat) & (Petition.received_at >= first)
                                        & (Petition.received_at < last) & (Petition.status != "void"))
        counts.append((query if scope is None else query.where(scope)).count())
    return tuple(counts)


REPEAT_INDEXES = (
    # the list's filter, its pages newest first (by id); the home page's counts for a period
    "CREATE INDEX IF NOT EXISTS petition_by_repeat ON petition (is_repeat, id)",
    "CREATE INDEX IF NOT EXISTS petition_repeat_received ON petition (is_repeat, received_at, status)",
    # the rule's own look-up: the person's earlier petitions of a category (1M rows recomputed in ~20 s on SQLite)
    "CREATE INDEX IF NOT EXISTS petition_person_category ON petition (petitioner_id, category_id, received_at)",
)


def install(db):
    """The indexes of the column (schema version 13)."""
    for statement in REPEAT_INDEXES:
        db.execute_sql(statement)


__all__ = ["SameMatter", "configure", "refresh", "recompute_all", "link", "unlink", "linked", "count_received"]
