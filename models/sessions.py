"""Login sessions kept in the database, and the throttling of logins by client address.

A session is a row: the browser's cookie carries a random token, the table keeps only its SHA-256, so a copy
of the table opens nothing. Ending a session (logout, a changed or reset password, a deactivated account, a
session left idle) marks its row ended: a copy of the cookie saved before then opens nothing either.

Every login attempt from an address is counted before the password is checked, in one UPDATE of the address's
row (atomic on SQLite and PostgreSQL alike), so parallel requests cannot all slip under the limit; a right
password gives its count back.
"""
import datetime as dt
import hashlib
import secrets

from peewee import JOIN, Case, CharField, DateTimeField, ForeignKeyField, IntegerField

from .db import BaseModel, now
from .errors import N_
from .people import User

TOUCH_SECONDS = 60  # last_seen_at is written at most once a minute per session (not a write per request)
END_REASONS = ("logout", "password", "reset", "deactivated", "idle", "locked")


class LoginSession(BaseModel):
    """One login of one user, from its start to its end."""

    verbose_name = N_("Login session")

    token_hash = CharField(max_length=64, unique=True)  # SHA-256 of the cookie's token; never the token
    user = ForeignKeyField(User, backref="login_sessions", on_delete="CASCADE", index=True)
    created_at = DateTimeField(default=now)
    last_seen_at = DateTimeField(default=now)
    ended_at = DateTimeField(null=True)
    end_reason = CharField(max_length=20, null=True)


class LoginThrottle(BaseModel):
    """Login attempts counted per client address: too many failures within a window block the address."""

    verbose_name = N_("Login throttle")

    address = CharField(max_length=64, unique=True)
    failures = IntegerField(default=0)  # failed (or still running) attempts in the present window
    window_started_at = DateTimeField(null=True)
    blocked_until = DateTimeField(null=True)


def token_hash(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# -- sessions ---------------------------------------------------------------------------------------------------

def start(user, at=None):
    """Open a session for user; return its token (for the cookie only: the table keeps its hash)."""
    at = at or now()
    token = secrets.token_urlsafe(32)
    LoginSession.create(token_hash=token_hash(token), user=user, created_at=at, last_seen_at=at)
    return token


def find(token, idle_minutes, at=None):
    """(session, state) for a cookie's token: state is "open" (the session, with its user, goes on), "idle"
    (it was left unused longer than idle_minutes and has ended now), "ended" or "unknown"."""
    if not token or not isinstance(token, str):
        return None, "unknown"
    at = at or now()
    found = (LoginSession.select(LoginSession, User).join(User, JOIN.INNER)
             .where(LoginSession.token_hash == token_hash(token)).first())
    if found is None:
        return None, "unknown"
    if found.ended_at is not None:
        return found, "ended"
    if found.last_seen_at < at - dt.timedelta(minutes=idle_minutes):
        end(found, "idle", at)
        return found, "idle"
    if (at - found.last_seen_at).total_seconds() >= TOUCH_SECONDS:
        LoginSession.update(last_seen_at=at).where(
            (LoginSession.id == found.id) & LoginSession.ended_at.is_null()).execute()
        found.last_seen_at = at
    return found, "open"


def end(found, reason, at=None):
    """End one session (a LoginSession or a cookie's token); True when it was still open."""
    if isinstance(found, str):
        where = LoginSession.token_hash == token_hash(found)
    else:
        where = LoginSession.id == found.id
    return bool(LoginSession.update(ended_at=at or now(), end_reason=reason).where(
        where & LoginSession.ended_at.is_null()).execute())


def end_all(user, reason, keep=None, at=None):
    """End every open session of user, except the one whose token is keep; return how many ended."""
    where = (LoginSession.user == user) & LoginSession.ended_at.is_null()
    if keep:
        where &= LoginSession.token_hash != token_hash(keep)
    return LoginSession.update(ended_at=at or now(), end_reason=reason).where(where).execute()


def open_sessions(user):
    return LoginSession.select().where((LoginSession.user == user) & LoginSession.ended_at.is_null())


# -- throttling by address ----------------------------------------------------------------------------------------

def address_attempt(address, attempts, window_minutes, block_minutes, at=None):
    """Count one login attempt from address, before its password is checked. Returns (allowed, blocked_until,
    blocked_now): allowed is False while the address is blocked (check no password then); blocked_now is True
    when this attempt reached the limit (a wrong password now leaves the address blocked until blocked_until)."""
    at = at or now()
    address = (address or "unknown")[:64]
    LoginThrottle.insert(address=address, failures=0).on_conflict_ignore().execute()
    T = LoginThrottle
    fresh = (T.window_started_at.is_null() | (T.window_started_at <= at - dt.timedelta(minutes=window_minutes))
             | T.blocked_until.is_null(False))  # a new window, or a block that has run out: counting restarts
    count = Case(None, [(fresh, 1)], T.failures + 1)
    until = at + dt.timedelta(minutes=block_minutes)
    rows = list(T.update(
        failures=count,
        window_started_at=Case(None, [(fresh, at)], T.window_started_at),
        blocked_until=Case(None, [(count >= attempts, until)], None),
    ).where((T.address == address) & (T.blocked_until.is_null() | (T.blocked_until <= at)))
        .returning(T.failures, T.blocked_until).dicts().execute())
    if not rows:
        row = T.get_or_none(T.address == address)
        return False, row.blocked_until if row else None, False
    return True, rows[0]["blocked_until"], rows[0]["blocked_until"] is not None


def address_succeeded(address, attempts):
    """A right password: the attempt counted by address_attempt is given back (only that one: a login to one's
    own account must not wash away the failures of guesses at others), and a block it alone completed is lifted."""
    address = (address or "unknown")[:64]
    T = LoginThrottle
    left = Case(None, [(T.failures > 0, T.failures - 1)], 0)
    T.update(failures=left, blocked_until=Case(None, [(left >= attempts, T.blocked_until)], None)).where(
        T.address == address).execute()
