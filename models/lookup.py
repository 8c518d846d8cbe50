"""查询码 and the petitioner's look-up (《信访工作条例》第二十一条): the code given at 受理, the check of a code with
the last 4 digits of the petitioner's phone or ID number, the throttle of look-ups, and what a look-up shows.

A code is random (secrets), never derived from the petition's number or id: ALPHABET leaves out 0/O and 1/I, and
CODE_LENGTH characters of it are 32^9 ≈ 3.5e13 codes. The unique index decides a clash (a new code is drawn).

Look-ups are throttled in the login throttle's table (models/sessions.py), under keys of their own: ATTEMPTS
failures for a code, or from a client address, within WINDOW_MINUTES lock that look-up for BLOCK_MINUTES. Every
attempt is counted before the digits are checked (atomic), a right one gives its count back.

What a look-up shows is public(): the petition's number, 事由, the steps with their dates (and the department
of a referral), the current deadline, the letters' titles and numbers sent to the petitioner. Nothing else: no
content, no names of people, no notes, no personal data.
"""
import re
import secrets

from peewee import IntegrityError

from . import sessions
from .casework import REFERRAL_MODES, Referral
from .db import database
from .delivery import TO_DEPARTMENT
from .documents import KINDS, Document
from .errors import N_
from .petition import Petition, StepRecord

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, no 1/I
CODE_LENGTH = 9
TRIES = 10  # draws before giving up (a clash is a one-in-trillions event)
ATTEMPTS, WINDOW_MINUTES, BLOCK_MINUTES = 5, 15, 15
PRINTED_ON = ("acceptance_notice", "referral_notice")  # the letters that print the code
CODE_FORM = re.compile(r"^[%s]{8,10}$" % ALPHABET)


def new_code():
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalize(code):
    """A code as typed: spaces and dashes dropped, upper case."""
    return re.sub(r"[\s\-]", "", code or "").upper()[:20]


def give_code(petition):
    """The petition's 查询码, drawn now when it has none (kept when it has); a clash on the unique index draws
    again. Runs in a savepoint so a clash leaves the caller's transaction usable."""
    existing = Petition.select(Petition.query_code).where(Petition.id == petition.id).scalar()
    if existing:
        petition.query_code = existing
        return existing
    for _ in range(TRIES):
        code = new_code()
        try:
            with database.atomic():
                Petition.update(query_code=code).where(
                    (Petition.id == petition.id) & Petition.query_code.is_null()).execute()
        except IntegrityError:
            continue
        petition.query_code = Petition.select(Petition.query_code).where(Petition.id == petition.id).scalar()
        return petition.query_code
    raise RuntimeError("no free query code after %d draws" % TRIES)


def masked(code):
    """A code as the audit log keeps it: its first 2 and last 2 characters."""
    code = code or ""
    return code[:2] + "*" * max(len(code) - 4, 0) + code[-2:] if len(code) > 4 else "*" * len(code)


def _digits(value):
    return re.sub(r"[^0-9X]", "", (value or "").upper())


def matches(petition, last4):
    """True when last4 are the last 4 characters of the petitioner's phone or ID number."""
    last4 = (last4 or "").strip().upper()
    if not re.fullmatch(r"[0-9X]{4}", last4):
        return False
    person = petition.petitioner
    found = False
    for value in (person.phone, person.id_number):
        value = _digits(value)
        if len(value) >= 4 and secrets.compare_digest(value[-4:], last4):
            found = True
    return found


def _key(kind, value):
    return ("chaxun-%s:%s" % (kind, value or "unknown"))[:64]


def attempt(code, address):
    """Count a look-up before its digits are checked: (allowed, code key or None). Refused while the address or
    the code is locked; a code that is not of the code's form is counted by address only."""
    allowed, _, _ = sessions.address_attempt(_key("addr", address), ATTEMPTS, WINDOW_MINUTES, BLOCK_MINUTES)
    if not allowed:
        return False, None
    if not CODE_FORM.match(code or ""):
        return True, None
    code_key = _key("code", code)
    allowed, _, _ = sessions.address_attempt(code_key, ATTEMPTS, WINDOW_MINUTES, BLOCK_MINUTES)
    if not allowed:
        sessions.address_succeeded(_key("addr", address), ATTEMPTS)  # a locked code costs the address nothing
        return False, code_key
    return True, code_key


def succeeded(code_key, address):
    sessions.address_succeeded(_key("addr", address), ATTEMPTS)
    if code_key:
        sessions.address_succeeded(code_key, ATTEMPTS)


def find(code, last4, address):
    """(petition or None, state): state "found", "wrong" (the code or the digits: never said which) or "locked"."""
    code = normalize(code)
    allowed, code_key = attempt(code, address)
    if not allowed:
        return None, "locked"
    petition = None
    if CODE_FORM.match(code):
        petition = Petition.select().where((Petition.query_code == code) & (Petition.status != "void")).first()
    if petition is None or not matches(petition, last4):
        return None, "wrong"
    succeeded(code_key, address)
    return petition, "found"


# -- what a look-up shows -------------------------------------------------------------------------------------

PUBLIC_STEPS = {  # the steps shown, and their names on the public page
    "register": N_("Look-up step: registered"), "accept": N_("Look-up step: accepted"),
    "reject": N_("Look-up step: not accepted"), "refer": N_("Look-up step: referred"),
    "answer": N_("Look-up step: answered"), "follow_up": N_("Look-up step: followed up"),
    "close": N_("Look-up step: closed"),
}
PETITIONER_LETTERS = tuple(k for k in KINDS if k not in TO_DEPARTMENT + ("consultation_minutes",))


def public(petition):
    """What the look-up page shows of a petition, as plain values: {number, subject, steps: [(at, step msgid,
    department or None, mode msgid or None)], due_on, letters: [(kind msgid, number)]}."""
    steps = []
    referrals = list(Referral.select(Referral.sent_at, Referral.mode, Referral.department)
                     .where(Referral.petition == petition.id).order_by(Referral.sent_at, Referral.id))
    for step in (StepRecord.select(StepRecord.step, StepRecord.at)
                 .where((StepRecord.petition == petition.id) & StepRecord.step.in_(list(PUBLIC_STEPS)))
                 .order_by(StepRecord.at, StepRecord.id)):
        if step.step == "refer":
            continue  # from the referrals themselves, with their department
        steps.append((step.at, PUBLIC_STEPS[step.step], None, None))
    for referral in referrals:
        steps.append((referral.sent_at, PUBLIC_STEPS["refer"], referral.department.name,
                      dict(REFERRAL_MODES).get(referral.mode)))
    steps.sort(key=lambda s: s[0])
    letters = [(KINDS[d.kind], d.external_number or d.number) for d in (
        Document.select(Document.kind, Document.number, Document.external_number)
        .where((Document.petition == petition.id) & Document.voided_at.is_null()
               & Document.kind.in_(PETITIONER_LETTERS)).order_by(Document.issued_at, Document.id))]
    open_ = petition.status not in ("closed", "void", "not_accepted")
    return {"number": petition.number, "subject": petition.subject, "steps": steps,
            "due_on": petition.due_on if open_ else None, "letters": letters}
