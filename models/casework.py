"""Casework records: visits, referrals, consultations, the "1+3" group, mediations, follow-ups, duty shifts."""
import datetime as dt
import re

from peewee import CharField, DateField, DateTimeField, ForeignKeyField, TextField

from .db import BaseModel, now
from .errors import N_, ValidationError
from .validation import normalize_id_number, normalize_phone
from .petition import FUTURE_TOLERANCE, Petition, related_saved
from .organisation import Department
from .people import Petitioner, Representative, Team, User

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


# -- 分诊: referral to a department ------------------------------------------------------------

REFERRAL_MODES = (("transfer", N_("Transfer")), ("assign", N_("Assign")))  # 转送 / 交办
REFERRAL_STATES = (("sent", N_("Sent")), ("replied", N_("Replied")), ("objected", N_("Objected")))
OUTCOMES = (  # 第三十二条
    ("support", N_("Supported")),  # 予以支持
    ("explain", N_("Explained")),  # 作出解释说明
    ("reject", N_("Not supported")),  # 不予支持
)


class Referral(BaseModel):
    """分诊: a petition sent to a department (转送, or 交办 with a deadline and a report), and its reply."""

    verbose_name = N_("Referral")

    petition = ForeignKeyField(Petition, backref="referrals", on_delete="RESTRICT")
    department = ForeignKeyField(Department, backref="referrals", on_delete="RESTRICT")
    mode = CharField(max_length=20, choices=REFERRAL_MODES, default="assign")
    instructions = TextField(null=True)
    sent_at = DateTimeField(default=now, index=True)
    due_on = DateField(null=True, index=True)
    state = CharField(max_length=20, choices=REFERRAL_STATES, default="sent", index=True)
    outcome = CharField(max_length=20, choices=OUTCOMES, null=True)
    facts = TextField(null=True)
    opinion = TextField(null=True)
    legal_basis = TextField(null=True)
    replied_at = DateTimeField(null=True)
    objection_reason = TextField(null=True)
    objected_at = DateTimeField(null=True)
    sent_by = ForeignKeyField(User, null=True, backref="referrals_sent", on_delete="RESTRICT")

    def save(self, *args, **kwargs):
        saved = super().save(*args, **kwargs)
        related_saved(self.petition_id)  # the 三率 columns (the petition's 责任单位)
        return saved

    def __str__(self):
        return "%s → %s" % (self.petition.number, self.department.name)


# -- 自行办理: the office (or the studio's team) resolves a case itself ---------------------------------

HANDLERS = (("office", N_("The office itself")), ("studio", N_("The studio")))  # 本局 / 本局“两代表一委员”工作室


class OwnResult(BaseModel):
    """The handling result the office (or a team of its studio) recorded itself, without a referral: the same
    outcome, facts, opinion and legal basis as a department's reply (Referral). One per petition."""

    verbose_name = N_("Own handling result")

    petition = ForeignKeyField(Petition, backref="own_results", unique=True, on_delete="RESTRICT")
    handled_by = CharField(max_length=20, choices=HANDLERS, default="office")
    team = ForeignKeyField(Team, null=True, backref="own_results", on_delete="RESTRICT")
    outcome = CharField(max_length=20, choices=OUTCOMES)
    facts = TextField()
    opinion = TextField()
    legal_basis = TextField()
    handled_at = DateTimeField(default=now, index=True)  # when it was handled (补录: may be an earlier day)
    recorded_at = DateTimeField(default=now)
    recorded_by = ForeignKeyField(User, null=True, backref="own_results", on_delete="RESTRICT")

    def __str__(self):
        return self.petition.number


# -- 会诊: joint consultation on hard cases -------------------------------------------------------

class Consultation(BaseModel):
    """会诊: representatives (and department staff, lawyer, mediator) convened on one or more petitions."""

    verbose_name = N_("Consultation")

    held_at = DateTimeField(index=True)
    place = CharField(max_length=100)
    agenda = TextField()
    conclusion = TextField(null=True)
    minutes = TextField(null=True)
    follow_up_tasks = TextField(null=True)
    concluded_at = DateTimeField(null=True)
    convened_by = ForeignKeyField(User, null=True, backref="consultations", on_delete="RESTRICT")
    created_at = DateTimeField(default=now)

    def clean(self):
        self.place = (self.place or "").strip()
        self.agenda = (self.agenda or "").strip()
        if not self.place:
            raise ValidationError(N_("The place is required."), field="place")
        if not self.agenda:
            raise ValidationError(N_("The agenda is required."), field="agenda")
        if self.held_at is None:
            raise ValidationError(N_("The time is required."), field="held_at")

    def __str__(self):
        return "%s %s" % (self.held_at.strftime("%Y-%m-%d %H:%M") if self.held_at else "", self.place)


class ConsultationPetition(BaseModel):
    verbose_name = N_("Petition consulted on")

    consultation = ForeignKeyField(Consultation, backref="petition_links", on_delete="CASCADE")
    petition = ForeignKeyField(Petition, backref="consultation_links", on_delete="RESTRICT")

    class Meta:
        indexes = ((("consultation", "petition"), True),)


class ConsultationRepresentative(BaseModel):
    verbose_name = N_("Representative convened")

    consultation = ForeignKeyField(Consultation, backref="representative_links", on_delete="CASCADE")
    representative = ForeignKeyField(Representative, backref="consultation_links", on_delete="RESTRICT")

    class Meta:
        indexes = ((("consultation", "representative"), True),)


PARTICIPANT_ROLES = (
    ("department_staff", N_("Department staff")),
    ("lawyer", N_("Lawyer")),
    ("mediator", N_("People's mediator")),
    ("other", N_("Other")),
)


class ConsultationParticipant(BaseModel):
    """Someone other than a representative at a consultation: by name and role."""

    verbose_name = N_("Participant")

    consultation = ForeignKeyField(Consultation, backref="participants", on_delete="CASCADE")
    name = CharField(max_length=50)
    role = CharField(max_length=20, choices=PARTICIPANT_ROLES)
    unit = CharField(max_length=100, null=True)


# -- 化解小组 "1+3", 调解, 复诊 -----------------------------------------------------------------------

class ResolutionGroup(BaseModel):
    """The "1+3" group of one case: a representative, the town's petition officer, a mediator, a lawyer."""

    verbose_name = N_("Resolution group")

    petition = ForeignKeyField(Petition, backref="resolution_groups", unique=True, on_delete="RESTRICT")
    representative = ForeignKeyField(Representative, backref="resolution_groups", on_delete="RESTRICT")
    town_officer = CharField(max_length=50)
    mediator = CharField(max_length=50)
    lawyer = CharField(max_length=50)
    formed_at = DateTimeField(default=now)

    def clean(self):
        for name in ("town_officer", "mediator", "lawyer"):
            setattr(self, name, (getattr(self, name) or "").strip())
            if not getattr(self, name):
                raise ValidationError(N_("All four members of the 1+3 group are required."), field=name)


CONFIRMATION_STATES = (
    ("none", N_("Not applied")),
    ("applied", N_("Applied")),
    ("confirmed", N_("Confirmed")),
    ("refused", N_("Refused")),
)


# A party's particulars, one party a line, in the order of the 人民调解协议书 form, separated by "，" (an address
# may itself hold commas: it is whatever stands between the ID number and the phone).
PARTICULARS = ("name", "sex", "ethnicity", "born", "id_number", "address", "phone")
SEXES = ("男", "女")
PARTICULARS_HELP = N_("One party a line: name, sex, ethnicity, date of birth, ID number, address, phone, separated "
                      "by commas (an unknown item left empty).")


def parse_particulars(text):
    """[{name, sex, ethnicity, born, id_number, address, phone}] of the parties' particulars text, checked: a
    name, 男 or 女, a valid ID number and phone where given. Raises ValidationError naming the line."""
    rows = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        items = [item.strip() for item in re.split(r"[，,]", line)]
        if len(items) < len(PARTICULARS):
            raise ValidationError(N_("Line %(line)d: give name, sex, ethnicity, date of birth, ID number, address "
                                     "and phone, separated by commas (leave an item empty, not out)."),
                                  field="party_particulars", line=number)
        row = dict(zip(PARTICULARS[:5], items[:5]), address="，".join(items[5:-1]), phone=items[-1])
        if not row["name"]:
            raise ValidationError(N_("Line %(line)d: the party's name is required."), field="party_particulars",
                                  line=number)
        if row["sex"] not in SEXES:
            raise ValidationError(N_("Line %(line)d: the sex is 男 or 女."), field="party_particulars", line=number)
        try:
            if row["id_number"]:
                row["id_number"] = normalize_id_number(row["id_number"])
            if row["phone"]:
                row["phone"] = normalize_phone(row["phone"])
        except ValidationError as err:
            raise ValidationError(N_("Line %(line)d: %(error)s"), field="party_particulars", translate=("error",),
                                  line=number, error=err.message) from None
        rows.append(row)
    return rows


def format_particulars(rows):
    """The particulars text of parse_particulars' rows (normalised: one party a line, "，" between items)."""
    return "\n".join("，".join([row[name] for name in PARTICULARS[:5]] + [row["address"], row["phone"]])
                     for row in rows)


class Mediation(BaseModel):
    """调解: an agreement signed by the parties before a people's mediation committee (人民调解委员会), witnessed
    by a lawyer; optionally confirmed by a court. The 调解协议书 is the committee's document, not the office's."""

    verbose_name = N_("Mediation")

    petition = ForeignKeyField(Petition, backref="mediations", on_delete="RESTRICT")
    committee = CharField(max_length=100, null=True)  # 高桥镇人民调解委员会
    parties = TextField()
    party_particulars = TextField(null=True)  # one party a line (PARTICULARS); ID numbers: masked on screens
    dispute_facts = TextField(null=True)  # 纠纷事实
    disputed_matters = TextField(null=True)  # 争议事项
    mediator = CharField(max_length=50)
    lawyer = CharField(max_length=50, null=True)
    place = CharField(max_length=100)
    agreement = TextField()
    signed_on = DateField()
    judicial_confirmation = CharField(max_length=20, choices=CONFIRMATION_STATES, default="none")
    recorded_by = ForeignKeyField(User, null=True, backref="mediations", on_delete="RESTRICT")
    created_at = DateTimeField(default=now)

    def clean(self):
        for name in ("parties", "mediator", "place", "agreement"):
            setattr(self, name, (getattr(self, name) or "").strip())
            if not getattr(self, name):
                raise ValidationError(N_("This field is required."), field=name)
        for name in ("committee", "party_particulars", "dispute_facts", "disputed_matters"):
            setattr(self, name, (getattr(self, name) or "").strip() or None)
        if self.committee and not self.committee.endswith("委员会"):
            raise ValidationError(N_("Give the committee's full name, ending in 委员会 (e.g. 高桥镇人民调解委员会)."),
                                  field="committee")
        if self.party_particulars:
            self.party_particulars = format_particulars(parse_particulars(self.party_particulars))
        if self.signed_on is None:
            raise ValidationError(N_("The signing date is required."), field="signed_on")
        if self.signed_on > now().date():
            raise ValidationError(N_("The signing date cannot be in the future."), field="signed_on")


FOLLOW_UP_METHODS = (("phone", N_("By phone")), ("home", N_("Home visit")), ("office", N_("At the office")))
EVALUATIONS = (("satisfied", N_("Satisfied")), ("basically", N_("Basically satisfied")),
               ("dissatisfied", N_("Dissatisfied")))


class FollowUp(BaseModel):
    """复诊 / 回访: the petitioner asked how it went, and their evaluation (第二十一条)."""

    verbose_name = N_("Follow-up")

    petition = ForeignKeyField(Petition, backref="follow_ups", on_delete="RESTRICT")
    followed_on = DateField()
    method = CharField(max_length=20, choices=FOLLOW_UP_METHODS)
    evaluation = CharField(max_length=20, choices=EVALUATIONS, index=True)
    comments = TextField(null=True)
    recorded_by = ForeignKeyField(User, null=True, backref="follow_ups", on_delete="RESTRICT")
    created_at = DateTimeField(default=now)

    def save(self, *args, **kwargs):
        saved = super().save(*args, **kwargs)
        related_saved(self.petition_id)  # the 三率 columns (the evaluation that counts)
        return saved

    def delete_instance(self, *args, **kwargs):
        deleted = super().delete_instance(*args, **kwargs)
        related_saved(self.petition_id)
        return deleted


# -- 坐诊排班 --------------------------------------------------------------------------------------

SESSIONS = (("am", N_("Morning")), ("pm", N_("Afternoon")))
SESSION_STARTS = {"am": dt.time(9, 0), "pm": dt.time(14, 30)}  # when a morning or an afternoon on duty begins


class DutyShift(BaseModel):
    """坐诊: a representative on duty at the studio for a morning or an afternoon."""

    verbose_name = N_("Duty shift")

    representative = ForeignKeyField(Representative, backref="duty_shifts", on_delete="RESTRICT")
    on_date = DateField(index=True)
    session = CharField(max_length=2, choices=SESSIONS)
    place = CharField(max_length=100, default="联合接访大厅")

    class Meta:
        indexes = ((("representative", "on_date", "session"), True),)

    def clean(self):
        self.place = (self.place or "").strip()
        if not self.place:
            raise ValidationError(N_("The place is required."), field="place")
        if self.on_date is None:
            raise ValidationError(N_("The date is required."), field="on_date")
        taken = DutyShift.select().where((DutyShift.representative == self.representative_id)
                                         & (DutyShift.on_date == self.on_date) & (DutyShift.session == self.session))
        if self.id is not None:
            taken = taken.where(DutyShift.id != self.id)
        if taken.exists():
            raise ValidationError(N_("This representative is already on duty that morning or afternoon."),
                                  field="session")

    @property
    def starts_at(self):
        """When the shift begins."""
        return dt.datetime.combine(self.on_date, SESSION_STARTS[self.session])

    @property
    def visit_starts_at(self):
        """The time a visit recorded from the shift is given first: its start, or now for a shift not yet begun
        (a visit is never dated in the future)."""
        return min(self.starts_at, now())

    def __str__(self):
        return "%s %s" % (self.on_date, self.representative.name)
