"""The organs a petition is referred to (departments and towns) and the office's problem categories."""
from peewee import BooleanField, CharField, ForeignKeyField, IntegerField, TextField

from .db import BaseModel
from .errors import N_, ValidationError
from .validation import normalize_phone

DEPARTMENT_KINDS = (
    ("county", N_("County department")),
    ("town", N_("Town or subdistrict")),
    ("other", N_("Other")),
)


class Department(BaseModel):
    """职能部门 / 承办单位: a county agency or a town (镇街)."""

    verbose_name = N_("Department")

    name = CharField(max_length=100, unique=True)
    short_name = CharField(max_length=20, null=True)  # prefix of document numbers, e.g. 高信访
    # The organs the petitioner may turn to against its 处理意见书 (复查) and then its 复查意见书 (复核), as its
    # letters name them; empty: the office's settings (LETTER_REVIEW_ORGAN / LETTER_RECHECK_ORGAN).
    review_organ = CharField(max_length=100, null=True)
    recheck_organ = CharField(max_length=100, null=True)
    kind = CharField(max_length=20, choices=DEPARTMENT_KINDS, default="county", index=True)
    parent = ForeignKeyField("self", null=True, backref="children", on_delete="RESTRICT")
    contact_person = CharField(max_length=50, null=True)
    phone = CharField(max_length=30, null=True)
    active = BooleanField(default=True, index=True)

    def clean(self):
        self.name = (self.name or "").strip()
        if not self.name:
            raise ValidationError(N_("The name is required."), field="name")
        if self.phone:
            self.phone = normalize_phone(self.phone)
        self.short_name = (self.short_name or "").strip() or None
        self.review_organ = (self.review_organ or "").strip() or None
        self.recheck_organ = (self.recheck_organ or "").strip() or None
        if self.short_name and shares_series(self):
            raise ValidationError(N_("Another department or the petition numbers use the short name %(short)s: "
                                     "each organ numbers its letters in its own series."), field="short_name",
                                  short=self.short_name)
        if self.parent_id is not None and self.parent_id == self.id:
            raise ValidationError(N_("A department cannot be its own parent."), field="parent")

    def __str__(self):
        return self.name


# The prefix of the petitions' own numbers (XF-2022-000123, models/petition.py), kept in the same series table as
# the letters' 文号: no department may take it as its short name. Here, not in petition.py, which imports this.
NUMBER_PREFIX = "XF"


def shares_series(department):
    """True when the department's 文号简称 is another department's too, or the petitions' number prefix: their
    letters would be numbered in one series (models/petition.py: NumberSeries, by prefix and year)."""
    others = Department.select().where(Department.short_name == department.short_name)
    if department.id is not None:
        others = others.where(Department.id != department.id)
    return department.short_name == NUMBER_PREFIX or others.exists()


class Category(BaseModel):
    """问题类别: kept by staff, so the office changes the list without a programmer."""

    verbose_name = N_("Category")

    name = CharField(max_length=50, unique=True)
    description = TextField(null=True)
    position = IntegerField(default=0)
    active = BooleanField(default=True)

    def clean(self):
        self.name = (self.name or "").strip()
        if not self.name:
            raise ValidationError(N_("The name is required."), field="name")

    def __str__(self):
        return self.name
