"""People: the studio's teams and representatives, petitioners, and the office's user accounts."""
import datetime as dt
import secrets

from peewee import BooleanField, Case, CharField, DateTimeField, ForeignKeyField, IntegerField, TextField
from werkzeug.security import check_password_hash, generate_password_hash

from .db import BaseModel, now
from .errors import N_, ValidationError
from .organisation import Department
from .validation import normalize_id_number, normalize_phone

# 一室三团队: fixed, created with the schema (see schema.py).
TEAMS = (
    ("reasonable_claims", "合理诉求化解团队", "诉求合理的解决问题到位：协调职能部门依法依规解决群众的合理诉求。"),
    ("unreasonable_claims", "不合理诉求调解团队", "诉求无理的思想教育到位：释法明理、疏导情绪，引导群众理性表达诉求。"),
    ("hardship_assistance", "困难信访家庭帮扶团队", "生活困难的帮扶救助到位：对接民政等部门，对困难信访家庭进行帮扶救助。"),
)

REPRESENTATIVE_KINDS = (
    ("party_delegate", N_("Party congress delegate")),
    ("npc_deputy", N_("People's congress deputy")),
    ("cppcc_member", N_("CPPCC member")),
)
REPRESENTATIVE_LEVELS = (("county", N_("County")), ("city", N_("City")), ("province", N_("Province")))

ROLES = (
    ("admin", N_("System administrator")),
    ("staff", N_("Petition officer")),
    ("representative", N_("Representative")),
    ("department", N_("Handling department")),
    ("leader", N_("Leader")),
)
MIN_PASSWORD_LENGTH = 10
ID_NUMBER_ON_RECORD = N_("The ID number is already on record: %(holder)s.")


class Team(BaseModel):
    """团队: one of the three teams of the studio."""

    verbose_name = N_("Team")

    code = CharField(max_length=40, unique=True)
    name = CharField(max_length=50, unique=True)
    duty = TextField(null=True)

    def __str__(self):
        return self.name


class Representative(BaseModel):
    """代表委员: a delegate, deputy or member who serves at the studio."""

    verbose_name = N_("Representative")

    name = CharField(max_length=50, index=True)
    kind = CharField(max_length=20, choices=REPRESENTATIVE_KINDS)
    level = CharField(max_length=20, choices=REPRESENTATIVE_LEVELS, default="county")
    sector = CharField(max_length=50, null=True)  # 界别 / 行业
    work_unit = CharField(max_length=100, null=True)
    post = CharField(max_length=50, null=True)
    phone = CharField(max_length=30, null=True)
    team = ForeignKeyField(Team, null=True, backref="representatives", on_delete="RESTRICT")
    active = BooleanField(default=True)
    notes = TextField(null=True)

    def clean(self):
        self.name = (self.name or "").strip()
        if not self.name:
            raise ValidationError(N_("The name is required."), field="name")
        if self.phone:
            self.phone = normalize_phone(self.phone)

    def __str__(self):
        return self.name


class Petitioner(BaseModel):
    """信访人: a person who brings a petition (ID number and phone are personal data)."""

    verbose_name = N_("Petitioner")

    name = CharField(max_length=50, index=True)
    alias = CharField(max_length=50, null=True)  # 化名, e.g. 刘某
    id_number = CharField(max_length=18, null=True, index=True)
    phone = CharField(max_length=30, null=True, index=True)
    address = CharField(max_length=200, null=True)
    town = ForeignKeyField(Department, null=True, backref="residents", on_delete="RESTRICT")
    village = CharField(max_length=50, null=True)
    hardship = BooleanField(default=False)  # 困难家庭
    notes = TextField(null=True)
    # 信访人合并 (schema version 11): a record merged into another stays as a stub pointing to it, so that old
    # links and audit entries still resolve; models/workflow/merge.py moves everything else.
    merged_into = ForeignKeyField("self", null=True, backref="merged_stubs", on_delete="RESTRICT")
    merged_at = DateTimeField(null=True)

    def clean(self):
        self.name = (self.name or "").strip()
        if not self.name:
            raise ValidationError(N_("The name is required."), field="name")
        self.id_number = normalize_id_number(self.id_number) if self.id_number else None
        self.phone = normalize_phone(self.phone) if self.phone else None
        if self.town_id is not None and self.town.kind != "town":
            raise ValidationError(N_("The town must be a town or subdistrict."), field="town")
        self.check_id_number_free()

    # -- one person, one record (models/workflow/petitioners.py builds on these; merge.py merges) --------------

    @classmethod
    def id_number_holder(cls, id_number, excluding=None):
        """The record not merged into another that has this (normalized) ID number, other than `excluding`."""
        if not id_number:
            return None
        query = cls.select().where((cls.id_number == id_number) & cls.merged_into.is_null())
        if excluding is not None:
            query = query.where(cls.id != excluding)
        return query.order_by(cls.id).first()

    def check_id_number_free(self):
        """Refuse an ID number that another record not merged away has (ValidationError on id_number, with
        `holder`, who that is, and `holder_id`, for the screens' links). A stub is exempt, and so is an ID number
        saved before: a database upgraded with duplicates lists them for merging (merge.duplicates) rather than
        refusing every edit of them. Run by clean(), inside every save's transaction: a form, the hotline, an
        import or the API cannot make a second record of a person."""
        if not self.id_number or self.merged_into_id is not None:
            return
        if self.id is not None:
            stored = type(self).select(type(self).id_number).where(type(self).id == self.id).first()
            if stored is not None and stored.id_number == self.id_number:
                return
        holder = type(self).id_number_holder(self.id_number, excluding=self.id)
        if holder is not None:
            raise ValidationError(ID_NUMBER_ON_RECORD, field="id_number", holder=holder.recognizable(),
                                  holder_id=holder.id)

    def recognizable(self):
        """刘德山（高桥镇后屯村，XF-2022-000123）: who a petitioner on record is, for a clerk to recognize: the name,
        where (town and village, else the address), the newest petition's number. No ID number or phone."""
        place = "".join(part for part in (self.town.name if self.town_id else "", self.village or "") if part)
        petition = self.petitions.model  # the petitions' model, through the backref (it imports this module)
        newest = (self.petitions.select(petition.number)
                  .order_by(petition.received_at.desc(), petition.id.desc()).first())
        details = [d for d in (place or self.address, newest and newest.number) if d]
        return "%s（%s）" % (self.name, "，".join(details)) if details else self.name

    def __str__(self):
        return self.alias and "%s（%s）" % (self.name, self.alias) or self.name


def check_password_strength(password):
    """Raise ValidationError unless the password has 10 characters or more and is not all digits."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationError(N_("A password has at least %(min)s characters."), field="password", min=MIN_PASSWORD_LENGTH)
    if password.isdigit():
        raise ValidationError(N_("A password cannot be only digits."), field="password")


_dummy_hash = []


def dummy_password_hash():
    """A hash of a random password, made as set_password makes them: checked for an unknown (or passwordless)
    account so that its answer takes as long as a known one's."""
    if not _dummy_hash:
        _dummy_hash.append(generate_password_hash(secrets.token_urlsafe(16)))
    return _dummy_hash[0]


def verify_password(user, password):
    """Check password against user's hash, or, when there is no such user, against a dummy hash: the same work
    (and time) either way, so the time of the answer does not tell whether a username exists."""
    if user is None or not user.password_hash:
        check_password_hash(dummy_password_hash(), password or "")
        return False
    return check_password_hash(user.password_hash, password or "")


class User(BaseModel):
    """An account of the office's staff; the role decides what it may see and do."""

    verbose_name = N_("User")

    username = CharField(max_length=50, unique=True)
    display_name = CharField(max_length=50)
    password_hash = CharField(max_length=255)
    role = CharField(max_length=20, choices=ROLES, default="staff")
    department = ForeignKeyField(Department, null=True, backref="users", on_delete="RESTRICT")
    representative = ForeignKeyField(Representative, null=True, backref="users", on_delete="RESTRICT")
    active = BooleanField(default=True)
    created_at = DateTimeField(default=now)
    failed_logins = IntegerField(default=0)  # wrong passwords in a row (schema version 4)
    locked_until = DateTimeField(null=True)

    def clean(self):
        self.username = (self.username or "").strip()
        if not self.username:
            raise ValidationError(N_("The username is required."), field="username")
        if not (self.display_name or "").strip():
            self.display_name = self.username
        if self.role not in dict(ROLES):
            raise ValidationError(N_("Unknown role."), field="role")
        if self.role == "department" and self.department_id is None:
            raise ValidationError(N_("A department user needs a department."), field="department")
        if self.role == "representative" and self.representative_id is None:
            raise ValidationError(N_("A representative user needs a representative."), field="representative")
        if not self.password_hash:
            raise ValidationError(N_("A password is required."), field="password")

    def set_password(self, password):
        """Check the password's strength and store its hash (werkzeug, salted)."""
        check_password_strength(password)
        self.password_hash = generate_password_hash(password)

    def check_password(self, password):
        return bool(self.password_hash) and check_password_hash(self.password_hash, password or "")

    def is_locked(self, at=None):
        return self.locked_until is not None and self.locked_until > (at or now())

    def login_attempt(self, attempts, minutes, at=None):
        """Count one try of the password BEFORE it is checked, in one UPDATE (atomic on SQLite and PostgreSQL: a
        burst of parallel requests cannot all read the same count). Returns None while the account is locked:
        then no password may be checked at all. Otherwise True when this try is the `attempts`-th in a row and
        has locked the account for `minutes` (a wrong password leaves it locked; a right one calls
        login_succeeded, which lifts it), else False."""
        at = at or now()
        model = type(self)
        fresh = model.locked_until.is_null(False)  # a lock that has run out (else the WHERE fails): count anew
        count = Case(None, [(fresh, 1)], model.failed_logins + 1)
        rows = list(model.update(
            failed_logins=count,
            locked_until=Case(None, [(count >= attempts, at + dt.timedelta(minutes=minutes))], None),
        ).where((model.id == self.id) & (model.locked_until.is_null() | (model.locked_until <= at)))
            .returning(model.failed_logins, model.locked_until).dicts().execute())
        if not rows:  # locked (not a user's edit: no version bump, no conflict with one)
            locked = model.get_or_none(model.id == self.id)
            self.locked_until = locked.locked_until if locked else self.locked_until
            return None
        self.failed_logins, self.locked_until = rows[0]["failed_logins"], rows[0]["locked_until"]
        return self.locked_until is not None

    def login_succeeded(self):
        """A right password: the count of wrong ones in a row starts again, a lock it completed is lifted."""
        type(self).update(failed_logins=0, locked_until=None).where(type(self).id == self.id).execute()
        self.failed_logins, self.locked_until = 0, None

    def __str__(self):
        return self.display_name or self.username
