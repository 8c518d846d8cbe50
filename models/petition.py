"""信访事项: the petition, its readable number, its co-petitioners."""
import datetime as dt

from peewee import (
    BooleanField, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField, IntegrityError, TextField,
)

from .db import BaseModel, database, now
from .errors import N_, ValidationError
from .organisation import NUMBER_PREFIX, Category, Department
from .people import Petitioner, Representative, Team, User

# 第十七条: the channels, and how a visit came about.
CHANNELS = (
    ("online", N_("Online")),
    ("letter", N_("Letter")),
    ("phone", N_("Phone call")),
    ("fax", N_("Fax")),
    ("visit", N_("Visit")),
    ("leader_reception", N_("Leader reception")),
    ("appointment", N_("Appointed visit")),
    ("downward_visit", N_("Downward visit")),
    ("roving_reception", N_("Roving reception")),
    ("hotline", N_("12345 hotline")),
)
# The petitioner comes in person: a visit, and how it came about (the others are written or called in).
IN_PERSON_CHANNELS = ("visit", "leader_reception", "appointment", "downward_visit", "roving_reception")
# Of those, the ones received at the studio itself, where a representative is on duty (坐诊).
STUDIO_CHANNELS = ("visit", "appointment")

# The lifecycle (the steps themselves are in workflow/).
STATUSES = (
    ("registered", N_("Registered")),
    ("accepted", N_("Accepted")),
    ("not_accepted", N_("Not accepted")),
    ("referred", N_("Referred")),
    ("handled", N_("Handled")),
    ("answered", N_("Answered")),
    ("followed_up", N_("Followed up")),
    ("closed", N_("Closed")),
    ("under_review", N_("Under review")),
    ("reviewed", N_("Reviewed")),
    ("under_recheck", N_("Under re-examination")),
    ("rechecked", N_("Re-examined")),
    ("void", N_("Void")),
)

# 三到位一处理 (第二十七条).
CLASSIFICATIONS = (
    ("unclassified", N_("Unclassified")),
    ("reasonable", N_("Reasonable claim")),
    ("unreasonable", N_("Unreasonable claim")),
    ("hardship", N_("Living in hardship")),
    ("unlawful", N_("Unlawful conduct")),
)

SUBJECT_MAX = 100
REQUEST_SUMMARY_MAX = 100  # 信访请求: the short summary letters state instead of the whole content
FUTURE_TOLERANCE = dt.timedelta(minutes=5)  # clocks of two machines differ a little


class NumberSeries(BaseModel):
    """The last number given per prefix and year; numbers are never given twice."""

    verbose_name = N_("Number series")

    prefix = CharField(max_length=40)
    year = IntegerField()
    last = IntegerField(default=0)

    class Meta:
        indexes = ((("prefix", "year"), True),)


def next_number(prefix, year):
    """Take the next number of a series, inside the caller's transaction."""
    with database.atomic():
        series = NumberSeries.update(last=NumberSeries.last + 1).where(
            (NumberSeries.prefix == prefix) & (NumberSeries.year == year)
        )
        if not series.execute():
            try:
                with database.atomic():
                    NumberSeries.create(prefix=prefix, year=year, last=1)
                    return 1
            except IntegrityError:  # another writer created it first
                series.execute()
        return NumberSeries.get((NumberSeries.prefix == prefix) & (NumberSeries.year == year)).last


# Called with (petition, new, changed field names, former petitioner id or None) after each save, in its
# transaction: the values derived from a person's petitions register here (models/workflow/repeats.py: 初件/重件),
# so this module imports none of the modules that import it.
AFTER_SAVE = []
# Called with a petition id after a record that hangs on it (a referral, follow-up, evaluation) is saved, in its
# transaction (models/reports/rates.py keeps the 三率 columns).
RELATED_SAVED = []


def related_saved(petition_id):
    for hook in RELATED_SAVED:
        hook(petition_id)


class Petition(BaseModel):
    """One matter brought by a petitioner (or a group), from registration to closing."""

    verbose_name = N_("Petition")

    number = CharField(max_length=20, unique=True)  # XF-2022-000123
    channel = CharField(max_length=20, choices=CHANNELS, index=True)
    received_at = DateTimeField(index=True)
    petitioner = ForeignKeyField(Petitioner, backref="petitions", on_delete="RESTRICT")
    is_collective = BooleanField(default=False)
    head_count = IntegerField(default=1)
    subject = CharField(max_length=SUBJECT_MAX)
    content = TextField()
    # 信访请求 (schema version 21): asked for at registration, stated by the letters (admin_app/letters/content.py);
    # empty on petitions registered before, whose letters state the subject
    request_summary = CharField(max_length=REQUEST_SUMMARY_MAX, null=True)
    category = ForeignKeyField(Category, null=True, backref="petitions", on_delete="RESTRICT")
    town = ForeignKeyField(Department, null=True, backref="town_petitions", on_delete="RESTRICT")
    village = CharField(max_length=50, null=True)
    status = CharField(max_length=20, choices=STATUSES, default="registered", index=True)
    classification = CharField(max_length=20, choices=CLASSIFICATIONS, default="unclassified", index=True)
    team = ForeignKeyField(Team, null=True, backref="petitions", on_delete="RESTRICT")
    lead_representative = ForeignKeyField(Representative, null=True, backref="led_petitions", on_delete="RESTRICT")
    leader_in_charge = CharField(max_length=50, null=True)  # 县级领导包案
    registered_by = ForeignKeyField(User, null=True, backref="registered_petitions", on_delete="RESTRICT")
    created_at = DateTimeField(default=now)
    updated_at = DateTimeField(default=now)
    # The workflow's record (written by models.workflow only; schema version 2).
    due_on = DateField(null=True, index=True)  # the deadline of the present step
    referral_due = DateField(null=True)
    notice_due = DateField(null=True)
    accepted_at = DateTimeField(null=True)
    rejection_reason = TextField(null=True)
    rejection_basis = TextField(null=True)
    handling_due = DateField(null=True)
    extension_days = IntegerField(default=0)
    extension_reason = TextField(null=True)
    extension_approver = CharField(max_length=50, null=True)
    outcome = CharField(max_length=20, null=True)  # casework.OUTCOMES of the reply
    answered_at = DateTimeField(null=True)
    review_requested_at = DateTimeField(null=True)
    reviewed_at = DateTimeField(null=True)
    recheck_requested_at = DateTimeField(null=True)
    rechecked_at = DateTimeField(null=True)
    closed_at = DateTimeField(null=True)
    void_reason = TextField(null=True)
    unlawful_flag = BooleanField(default=False)  # 行为违法: to be handled by law (公安/政法)
    # 重件 (schema version 13): kept by workflow/repeats.py, indexed there with the id and the received time
    is_repeat = BooleanField(default=False)
    # 查询码 (schema version 25): given at 受理, random (never derived from the number or the id), printed on the
    # 受理告知书 and 转送/交办告知书; with the last 4 digits of the phone or ID number it opens the public look-up
    query_code = CharField(max_length=12, null=True, unique=True)
    # 三率 (schema version 27): what the figures read from other records, kept by models/reports/rates.py (refresh)
    # after each save of the petition and of its referrals, follow-ups and evaluations, so that a year's figures are
    # one index range: the evaluation that counts, a later 重件 of it, its 责任单位 with that referral's limit and reply
    rating_counted = CharField(max_length=20, null=True)
    repeated_later = BooleanField(default=False)
    handler = ForeignKeyField(Department, null=True, backref="handled_petitions", on_delete="RESTRICT", index=False)
    handler_due = DateField(null=True)
    handler_replied_at = DateTimeField(null=True)

    def clean(self):
        self.subject = (self.subject or "").strip()
        self.content = (self.content or "").strip()
        if not self.subject:
            raise ValidationError(N_("The subject is required."), field="subject")
        if len(self.subject) > SUBJECT_MAX:
            raise ValidationError(N_("The subject has at most %(max)s characters."), field="subject", max=SUBJECT_MAX)
        if not self.content:
            raise ValidationError(N_("The content is required."), field="content")
        self.request_summary = (self.request_summary or "").strip() or None
        if self.request_summary and len(self.request_summary) > REQUEST_SUMMARY_MAX:
            raise ValidationError(N_("The request summary has at most %(max)s characters (%(count)s typed)."),
                                  field="request_summary", max=REQUEST_SUMMARY_MAX, count=len(self.request_summary))
        if self.received_at is None:
            raise ValidationError(N_("The received time is required."), field="received_at")
        if self.received_at > now() + FUTURE_TOLERANCE:
            raise ValidationError(N_("The received time cannot be in the future."), field="received_at")
        if self.head_count is None or self.head_count < 1:
            raise ValidationError(N_("The head count is at least 1."), field="head_count")
        if self.is_collective and self.head_count < 2:
            raise ValidationError(N_("A collective petition has at least 2 people."), field="head_count")
        if self.town_id is not None and self.town.kind != "town":
            raise ValidationError(N_("The town must be a town or subdistrict."), field="town")

    def save(self, *args, **kwargs):
        """Give a new petition its number (XF-year-sequence) in the same transaction as the insert."""
        numbered = False
        try:
            with database.atomic():
                self.clean()
                saved_as = self._saved_as()
                if not self.number:
                    year, numbered = self.received_at.year, True
                    self.number = "%s-%d-%06d" % (NUMBER_PREFIX, year, next_number(NUMBER_PREFIX, year))
                self.updated_at = now()
                saved = self.save_checked(*args, **kwargs)
                for hook in AFTER_SAVE:  # in the same transaction
                    hook(self, *saved_as)
                return saved
        except Exception:
            if numbered:  # the series was rolled back with the insert: the number was not given
                self.number = None
            raise

    def _saved_as(self):
        """(new, the fields set since it was read, the former petitioner when that is one of them)."""
        new, changed = self.id is None, set(self._dirty)
        former = None
        if not new and "petitioner" in changed:
            former = Petition.select(Petition.petitioner).where(Petition.id == self.id).scalar()
        return new, changed, former

    def __str__(self):
        return "%s %s" % (self.number or "", self.subject)


class StepRecord(BaseModel):
    """One step of a petition's workflow: what, when it happened (at), who typed it in (by) and when
    (recorded_at: a step recorded on a later day, 补录, differs), and the note given with it."""

    verbose_name = N_("Workflow step")

    petition = ForeignKeyField(Petition, backref="steps", on_delete="RESTRICT")
    step = CharField(max_length=30)
    at = DateTimeField(default=now, index=True)
    recorded_at = DateTimeField(default=now)  # schema version 14
    by = ForeignKeyField(User, null=True, backref="steps", on_delete="RESTRICT")
    status_before = CharField(max_length=20, null=True)
    status_after = CharField(max_length=20, null=True)
    note = TextField(null=True)


class CoPetitioner(BaseModel):
    """A further petitioner of a petition (joint or collective petitions)."""

    verbose_name = N_("Co-petitioner")

    petition = ForeignKeyField(Petition, backref="co_petitioners", on_delete="CASCADE")
    petitioner = ForeignKeyField(Petitioner, backref="co_petitions", on_delete="RESTRICT")

    class Meta:
        indexes = ((("petition", "petitioner"), True),)
