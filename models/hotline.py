"""12345 热线联动: hotline work orders as the hotline exports them, the clients of the hotline API, and the
dismissals of early-sign flags (排访). Import is in hotline_import.py, the flags in early_signs.py.

Schema version 5 (new tables only).
"""
import hashlib
import re
import secrets

from peewee import BooleanField, CharField, DateTimeField, ForeignKeyField, TextField

from . import audit, workflow
from .db import BaseModel, database, now
from .errors import N_, NotAllowed, ValidationError
from .organisation import Category, Department
from .people import Petitioner, User
from .petition import FUTURE_TOLERANCE, Petition
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


# -- ticket -> petition ---------------------------------------------------------------------------

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


def match_petitioner(ticket):
    """The petitioner on record for a ticket's caller: by ID number, else by phone (the one of the same name
    first when several share the phone); None when there is none."""
    id_number = id_number_key(ticket.caller_id_number)
    if id_number:
        found = Petitioner.select().where(Petitioner.id_number == id_number).order_by(Petitioner.id).first()
        if found is not None:
            return found
    phone = phone_key(ticket.phone)
    if not phone:
        return None
    candidates = list(Petitioner.select().where(Petitioner.phone == phone).order_by(Petitioner.id))
    same_name = [p for p in candidates if p.name == (ticket.caller or "").strip()]
    return (same_name or candidates or [None])[0]


def split_area(area):
    """(town, village) of a hotline area such as 梁庄镇张家村: the town whose name it begins with, the rest."""
    area = re.sub(r"\s+", "", area or "")
    if not area:
        return None, None
    towns = Department.select().where((Department.kind == "town") & (Department.active == True))  # noqa: E712
    best = None
    for town in towns:
        if area.startswith(town.name) and (best is None or len(town.name) > len(best.name)):
            best = town
    if best is None:
        return None, area[:50]
    return best, (area[len(best.name):] or None) and area[len(best.name):][:50]


def subject_of(content, limit=40):
    """The subject of a petition made from a ticket: the first line of its content, shortened."""
    first = next((line.strip() for line in (content or "").splitlines() if line.strip()), "")
    return first if len(first) <= limit else first[:limit - 1] + "…"


def ticket_to_petition(ticket, by, at=None):
    """转为信访事项: register a petition from a ticket in one step and link the two.

    The petitioner is the one on record with the caller's ID number or phone, or a new one with the caller's
    name; the content is carried over; the channel is 12345 热线; the category is the one named like the
    ticket's type, the town and village are read from its area. Returns the petition."""
    with database.atomic():
        ticket = HotlineTicket.get_by_id(ticket.id)  # as it is now
        if ticket.petition_id is not None:
            raise NotAllowed(N_("This ticket was already turned into petition %(number)s."),
                             number=ticket.petition.number)
        petitioner = match_petitioner(ticket)
        town, village = split_area(ticket.area)
        if petitioner is None:
            petitioner = Petitioner.create(
                name=(ticket.caller or "").strip() or "12345来电人", phone=phone_key(ticket.phone),
                id_number=id_number_key(ticket.caller_id_number), town=town, village=village)
        active = Category.active == True  # noqa: E712
        category = Category.get_or_none((Category.name == (ticket.kind or "").strip()) & active)
        received = ticket.called_at
        if received > (at or now()) + FUTURE_TOLERANCE:
            received = at or now()
        petition = Petition(channel="hotline", received_at=received, petitioner=petitioner,
                            subject=subject_of(ticket.content), content=ticket.content.strip(),
                            category=category, town=town, village=village)
        workflow.register(petition, by)
        before = audit.snapshot(ticket)
        ticket.petition = petition
        ticket.updated_at = now()
        ticket.save()
        old, new = audit.changes(before, audit.snapshot(ticket))
        audit.record("update", ticket, ticket.id, by=by, summary=petition.number, before=old, after=new)
        return petition
