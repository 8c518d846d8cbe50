"""People: the studio's teams and representatives, petitioners, and the office's user accounts."""
import datetime as dt

from peewee import BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField, TextField
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

    def clean(self):
        self.name = (self.name or "").strip()
        if not self.name:
            raise ValidationError(N_("The name is required."), field="name")
        self.id_number = normalize_id_number(self.id_number) if self.id_number else None
        self.phone = normalize_phone(self.phone) if self.phone else None
        if self.town_id is not None and self.town.kind != "town":
            raise ValidationError(N_("The town must be a town or subdistrict."), field="town")

    def __str__(self):
        return self.alias and "%s（%s）" % (self.name, self.alias) or self.name


def check_password_strength(password):
    """Raise ValidationError unless the password has 10 characters or more and is not all digits."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationError(N_("A password has at least %(min)s characters."), field="password", min=MIN_PASSWORD_LENGTH)
    if password.isdigit():
        raise ValidationError(N_("A password cannot be only digits."), field="password")


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

    def login_failed(self, attempts, minutes, at=None):
        """Count a wrong password; the `attempts`-th in a row locks the account for `minutes`.
        Returns True when this failure locked it."""
        at = at or now()
        self.failed_logins = (self.failed_logins or 0) + 1
        locked = self.failed_logins >= attempts
        if locked:
            self.locked_until, self.failed_logins = at + dt.timedelta(minutes=minutes), 0
        type(self).update(failed_logins=self.failed_logins, locked_until=self.locked_until).where(
            type(self).id == self.id).execute()  # not a user's edit: no version bump, no conflict with one
        return locked

    def login_succeeded(self):
        if self.failed_logins or self.locked_until:
            type(self).update(failed_logins=0, locked_until=None).where(type(self).id == self.id).execute()

    def __str__(self):
        return self.display_name or self.username
