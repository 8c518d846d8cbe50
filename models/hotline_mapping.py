"""12345 对应关系: how the hotline's words become the office's, kept by staff as data.

A ticket made into a petition (workflow/hotline.py) takes its town (所属镇街) from its 所属区域 and its category
(问题类别) from its 诉求类型 or its text:

    所属区域  ─ an 区域 row whose text begins the area (the longest) ─▶ town; else a town whose name begins it
    诉求类型  ─ an 诉求类型 row of the same text ─▶ category; else the category of that very name
    诉求内容  ─ else the first 关键词 row (in the table's order) whose text the content holds ─▶ category

Nothing found is None: the clerk chooses on the form; an unknown area is never taken for a village.
"""
import re

from peewee import BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField

from .db import BaseModel, now
from .errors import N_, ValidationError
from .organisation import Category, Department

KINDS = (
    ("area", N_("Area")),  # 所属区域 → 所属镇街
    ("kind", N_("Request type")),  # 诉求类型 → 问题类别
    ("keyword", N_("Keyword")),  # 关键词 in the content → 问题类别
)
SUBJECT_LIMIT = 30  # 事由: at most this many characters
SENTENCE_END = re.compile(r"[。！？；!?;\r\n]")


class HotlineMapping(BaseModel):
    """One 对应关系: a text of the hotline (an area, a request type, a keyword) and what it means here."""

    verbose_name = N_("Hotline mapping")

    kind = CharField(max_length=20, choices=KINDS, index=True)
    source = CharField(max_length=100)  # the hotline's text
    town = ForeignKeyField(Department, null=True, backref="hotline_mappings", on_delete="RESTRICT")
    category = ForeignKeyField(Category, null=True, backref="hotline_mappings", on_delete="RESTRICT")
    position = IntegerField(default=0)  # keywords are tried in this order
    active = BooleanField(default=True, index=True)
    created_at = DateTimeField(default=now)

    class Meta:
        indexes = ((("kind", "source"), True),)

    def clean(self):
        self.source = re.sub(r"\s+", "", self.source or "")
        if self.kind not in dict(KINDS):
            raise ValidationError(N_("Choose what the text is."), field="kind")
        if not self.source:
            raise ValidationError(N_("The hotline's text is required."), field="source")
        if self.kind == "area":
            self.category = None
            if self.town_id is None:
                raise ValidationError(N_("Choose the town this area belongs to."), field="town")
        else:
            self.town = None
            if self.category_id is None:
                raise ValidationError(N_("Choose the category this text means."), field="category")
        same = HotlineMapping.select().where(
            (HotlineMapping.kind == self.kind) & (HotlineMapping.source == self.source))
        if self.id is not None:
            same = same.where(HotlineMapping.id != self.id)
        if same.exists():
            raise ValidationError(N_("This text is mapped already."), field="source")

    def __str__(self):
        return self.source


ACTIVE = HotlineMapping.active == True  # noqa: E712


def _compact(text):
    return re.sub(r"\s+", "", text or "")


def town_of(area):
    """(town, the rest of the area) for a ticket's 所属区域, or (None, None) when no town is known for it."""
    area = _compact(area)
    if not area:
        return None, None
    live = Department.active == True  # noqa: E712
    prefixes = [(row.source, row.town) for row in HotlineMapping.select(HotlineMapping, Department)
                .join(Department).where((HotlineMapping.kind == "area") & ACTIVE & live)]
    prefixes += [(town.name, town) for town in Department.select().where((Department.kind == "town") & live)]
    found = [(source, town) for source, town in prefixes if area.startswith(source)]
    if not found:
        return None, None
    source, town = max(found, key=lambda pair: len(pair[0]))
    return town, (area[len(source):][:50] or None)


def category_of(kind, content):
    """The 问题类别 for a ticket's 诉求类型 and content, or None (see the module's rule)."""
    kind = _compact(kind)
    live = Category.active == True  # noqa: E712
    if kind:
        row = (HotlineMapping.select(HotlineMapping, Category).join(Category)
               .where((HotlineMapping.kind == "kind") & (HotlineMapping.source == kind) & ACTIVE & live).first())
        if row is not None:
            return row.category
        named = Category.get_or_none((Category.name == kind) & live)
        if named is not None:
            return named
    text = _compact(content)
    if text:
        for row in (HotlineMapping.select(HotlineMapping, Category).join(Category)
                    .where((HotlineMapping.kind == "keyword") & ACTIVE & live)
                    .order_by(HotlineMapping.position, HotlineMapping.id)):
            if row.source in text:
                return row.category
    return None


def subject_of(content, limit=SUBJECT_LIMIT):
    """事由 from a ticket's content: its first sentence (up to 。！？； or a line's end), cut to `limit`."""
    for sentence in SENTENCE_END.split(content or ""):
        sentence = sentence.strip()
        if sentence:
            return sentence[:limit]
    return ""
