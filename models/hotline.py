"""12345 热线联动: hotline work orders as the hotline exports them, the clients of the hotline API, and the
dismissals of early-sign flags (排访). Import is in imports/hotline.py, the flags in reports/early_signs.py, a
ticket made into a petition in workflow/hotline.py.

Schema version 5 (new tables only).
"""
import hashlib
import re
import secrets

from peewee import BooleanField, CharField, DateTimeField, ForeignKeyField, TextField

from .db import BaseModel, now
from .errors import N_, ValidationError
from .people import User
from .petition import Petition
from .validation import normalize_id_number, normalize_phone

# What the hotline calls each field, and how long each may be (the import refuses longer values).
TICKET_FIELDS = (
    # field, msgid of its label, max length (None: text)
    ("number", N_("Ticket number"), 40),
    ("called_at", N_("Call time"), None),
    ("caller", N_("Caller"), 50),
    ("phone", N_("Phone"), 30),
    ("caller_id_number", N_("ID number"), 18),
    ("content", N_("Request"), None),
    ("kind", N_("Request type"), 50),
    ("area", N_("Area"), 100),
    ("handling_unit", N_("Handling unit"), 100),
    ("deadline", N_("Time limit"), None),
    ("status", N_("Ticket status"), 30),
    ("satisfaction", N_("Satisfaction"), 20),
)
FIELD_LABELS = {name: label for name, label, _ in TICKET_FIELDS}
MAX_LENGTHS = {name: length for name, _, length in TICKET_FIELDS if length}

# API scopes: what a client's token lets it do.
SCOPES = (
    ("tickets:write", N_("Push tickets")),
    ("tickets:read", N_("Read tickets and their petitions")),
)
TOKEN_PREFIX = "xf_"


class HotlineTicket(BaseModel):
    """12345 工单: one work order of the citizen hotline, shared with the office (联动共享)."""

    verbose_name = N_("Hotline ticket")

    number = CharField(max_length=40, unique=True)  # 工单编号, the hotline's own
    called_at = DateTimeField(index=True)  # 来电时间
    caller = CharField(max_length=50, null=True)  # 来电人
    phone = CharField(max_length=30, null=True, index=True)  # 联系电话 (personal data)
    caller_id_number = CharField(max_length=18, null=True, index=True)  # 身份证号, when the hotline has it
    content = TextField()  # 诉求内容
    kind = CharField(max_length=50, null=True, index=True)  # 诉求类型
    area = CharField(max_length=100, null=True, index=True)  # 所属区域
    handling_unit = CharField(max_length=100, null=True)  # 承办单位
    deadline = DateTimeField(null=True)  # 办理时限
    status = CharField(max_length=30, null=True)  # 工单状态, the hotline's words
    satisfaction = CharField(max_length=20, null=True)  # 满意度
    petition = ForeignKeyField(Petition, null=True, backref="hotline_tickets", on_delete="RESTRICT")
    created_at = DateTimeField(default=now)
    updated_at = DateTimeField(default=now)

    def clean(self):
        self.number = (self.number or "").strip()
        if not self.number:
            raise ValidationError(N_("The ticket number is required."), field="number")
        if not (self.content or "").strip():
            raise ValidationError(N_("The content is required."), field="content")
        if self.called_at is None:
            raise ValidationError(N_("The call time is required."), field="called_at")
        if self.phone:  # as petitioners' phones are kept, so that the two can be matched
            self.phone = phone_key(self.phone) or re.sub(r"\s+", "", self.phone) or None

    def __str__(self):
        return self.number


def hash_token(token):
    """The SHA-256 of a token, as stored: the token itself is never kept."""
    return hashlib.sha256((token or "").encode("utf-8")).hexdigest()


class ApiClient(BaseModel):
    """A program allowed to use the hotline API (the 12345 platform), with a token and its scopes."""

    verbose_name = N_("API client")

    name = CharField(max_length=100, unique=True)
    token_hash = CharField(max_length=64, unique=True)  # SHA-256 hex of the token, shown once at creation
    token_hint = CharField(max_length=12, null=True)  # the token's first characters, to tell tokens apart
    scopes = CharField(max_length=200, default="")  # space-separated, e.g. "tickets:write tickets:read"
    active = BooleanField(default=True, index=True)
    created_by = ForeignKeyField(User, null=True, backref="api_clients", on_delete="RESTRICT")
    created_at = DateTimeField(default=now)
    last_used_at = DateTimeField(null=True)

    def clean(self):
        self.name = (self.name or "").strip()
        if not self.name:
            raise ValidationError(N_("The name is required."), field="name")
        unknown = set(self.scope_list()) - set(dict(SCOPES))
        if unknown:
            raise ValidationError(N_("Unknown scope: %(scope)s"), field="scopes", scope=" ".join(sorted(unknown)))
        if not self.token_hash:
            self.new_token()

    def scope_list(self):
        return [s for s in (self.scopes or "").split() if s]

    def has_scope(self, scope):
        return scope in self.scope_list()

    def new_token(self):
        """Give the client a new random token; returns it (the only time it is known: only its hash is kept)."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        self.token_hash, self.token_hint = hash_token(token), token[:8]
        self.plain_token = token
        return token

    @classmethod
    def by_token(cls, token):
        """The active client of a token, or None."""
        if not token or len(token) > 200:
            return None
        return cls.get_or_none((cls.token_hash == hash_token(token)) & (cls.active == True))  # noqa: E712

    def __str__(self):
        return self.name


class FlagDismissal(BaseModel):
    """An early-sign flag put aside in 排访, with the reason. `evidence` lists the records the flag rested on
    when it was dismissed: the flag stays away until a record it did not know of joins it."""

    verbose_name = N_("Dismissed flag")

    flag_key = CharField(max_length=200, index=True)
    kind = CharField(max_length=30)
    summary = CharField(max_length=300, null=True)  # the flag as shown when it was dismissed
    evidence = TextField(default="")  # space-separated references: p12 (petition), t5 (ticket)
    reason = TextField()
    by = ForeignKeyField(User, null=True, backref="flag_dismissals", on_delete="RESTRICT")
    at = DateTimeField(default=now, index=True)

    def clean(self):
        self.reason = (self.reason or "").strip()
        if not self.reason:
            raise ValidationError(N_("Give the reason for dismissing the flag."), field="reason")
        if len(self.reason) > 500:
            raise ValidationError(N_("The reason has at most %(max)s characters."), field="reason", max=500)


# -- the caller's numbers as petitioners' are stored -------------------------------------------------

def phone_key(value):
    """A phone as petitioners' phones are stored (normalized), or None when it is not a phone number."""
    if not value:
        return None
    for candidate in (value, value.replace("-", "")):  # 139-1234-5678 is a mobile too
        try:
            return normalize_phone(candidate)
        except ValidationError:
            continue
    return None


def id_number_key(value):
    if not value:
        return None
    try:
        return normalize_id_number(value)
    except ValidationError:
        return None
