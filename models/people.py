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
        from .workflow.petitioners import check_id_number_free  # the rule lives there (it imports this module)

        check_id_number_free(self)

    @property
    def is_merged(self):
        return self.merged_into_id is not None

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
