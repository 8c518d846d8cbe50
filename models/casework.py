"""Casework records: the visit log (接访记录) and who was present."""
from peewee import CharField, DateTimeField, ForeignKeyField, TextField

from .db import BaseModel, now
from .errors import N_, ValidationError
from .petition import FUTURE_TOLERANCE, Petition
from .people import Petitioner, Representative

# 六诊 and 四访: the kinds of contact.
VISIT_KINDS = (
    ("on_duty", N_("On-duty reception")),  # 坐诊
    ("interview", N_("In-depth interview")),  # 问诊
    ("outreach", N_("Outreach")),  # 出诊
    ("reception", N_("Reception")),  # 接访
    ("hearing", N_("Hearing")),  # 听访
    ("case_study", N_("Case study")),  # 研访
    ("appointment", N_("Appointed visit")),  # 约访
    ("downward_visit", N_("Downward visit")),  # 下访
    ("return_visit", N_("Return visit")),  # 回访
)

# The places of DOMAIN.md, offered as suggestions; any other place may be typed.
PLACES = ("联合接访大厅", "领导接访室", "心理咨询室", "涉法涉诉一站式协调中心", "镇街一站式矛调中心", "村（社区）现场", "企业现场")


class VisitLog(BaseModel):
    """One contact event: when, where, what kind, who was present, what was said and decided."""

    verbose_name = N_("Visit log")

    visited_at = DateTimeField(default=now, index=True)
    kind = CharField(max_length=20, choices=VISIT_KINDS)
    place = CharField(max_length=100)
    petition = ForeignKeyField(Petition, null=True, backref="visit_logs", on_delete="RESTRICT")
    petitioner = ForeignKeyField(Petitioner, null=True, backref="visit_logs", on_delete="RESTRICT")
    staff = CharField(max_length=100, null=True)
    summary = TextField()
    outcome = TextField(null=True)
    created_at = DateTimeField(default=now)

    def clean(self):
        self.place = (self.place or "").strip()
        self.summary = (self.summary or "").strip()
        if not self.place:
            raise ValidationError(N_("The place is required."), field="place")
        if not self.summary:
            raise ValidationError(N_("The summary is required."), field="summary")
        if self.visited_at is None:
            raise ValidationError(N_("The time is required."), field="visited_at")
        if self.visited_at > now() + FUTURE_TOLERANCE:
            raise ValidationError(N_("The time cannot be in the future."), field="visited_at")

    def __str__(self):
        return "%s %s" % (self.visited_at.strftime("%Y-%m-%d %H:%M") if self.visited_at else "", self.place)


class VisitRepresentative(BaseModel):
    """A representative present at a visit."""

    verbose_name = N_("Representative present")

    visit = ForeignKeyField(VisitLog, backref="representatives_present", on_delete="CASCADE")
    representative = ForeignKeyField(Representative, backref="visits", on_delete="RESTRICT")

    class Meta:
        indexes = ((("visit", "representative"), True),)
