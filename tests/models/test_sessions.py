"""Login sessions in the database, the account's count of tries, and the throttling of an address (no HTTP)."""
import datetime as dt

from models import schema, sessions
from models.people import User
from models.sessions import LoginSession, LoginThrottle

AT = dt.datetime(2026, 12, 5, 9, 0, 0)


def make_user(username="staff1"):
    user = User(username=username, display_name="接访员")
    user.set_password("ten-chars!")
    user.save()
    return user


def test_a_try_is_counted_before_the_check_and_the_fifth_locks(db):
    user = make_user()
    assert [user.login_attempt(5, 15, at=AT) for _ in range(4)] == [False] * 4
    assert User.get_by_id(user.id).failed_logins == 4
    assert user.login_attempt(5, 15, at=AT) is True  # the fifth try locks, before its password is known
    assert User.get_by_id(user.id).locked_until == AT + dt.timedelta(minutes=15)
    assert user.login_attempt(5, 15, at=AT + dt.timedelta(minutes=14)) is None  # locked: no check at all
    assert User.get_by_id(user.id).failed_logins == 5  # and not counted
    assert user.login_attempt(5, 15, at=AT + dt.timedelta(minutes=15)) is False  # run out: counting anew
    stored = User.get_by_id(user.id)
    assert (stored.failed_logins, stored.locked_until) == (1, None)


def test_a_right_password_lifts_a_lock_its_own_try_set(db):
    user = make_user()
    for _ in range(4):
        user.login_attempt(5, 15, at=AT)
    assert user.login_attempt(5, 15, at=AT) is True
    user.login_succeeded()
    stored = User.get_by_id(user.id)
    assert (stored.failed_logins, stored.locked_until) == (0, None)


def test_a_session_is_found_by_its_token_until_it_ends(db):
    user = make_user()
    token = sessions.start(user, at=AT)
    found, state = sessions.find(token, 30, at=AT + dt.timedelta(minutes=5))
    assert state == "open" and found.user.id == user.id
    assert found.last_seen_at == AT + dt.timedelta(minutes=5)  # seen: moved on
    assert sessions.find("not-a-token", 30, at=AT) == (None, "unknown")
    assert sessions.find(None, 30, at=AT) == (None, "unknown")
    assert sessions.end(token, "logout", at=AT + dt.timedelta(minutes=6)) is True
    assert sessions.end(token, "logout") is False  # once
    assert sessions.find(token, 30, at=AT + dt.timedelta(minutes=7))[1] == "ended"


def test_last_seen_is_written_at_most_once_a_minute(db):
    user = make_user()
    token = sessions.start(user, at=AT)
    found, _ = sessions.find(token, 30, at=AT + dt.timedelta(seconds=59))
    assert LoginSession.get().last_seen_at == AT


def test_an_idle_session_ends_when_next_seen(db):
    user = make_user()
    token = sessions.start(user, at=AT)
    assert sessions.find(token, 30, at=AT + dt.timedelta(minutes=30))[1] == "open"
    assert sessions.find(token, 30, at=AT + dt.timedelta(minutes=61))[1] == "idle"
    row = LoginSession.get()
    assert (row.end_reason, row.ended_at) == ("idle", AT + dt.timedelta(minutes=61))
    assert sessions.find(token, 30, at=AT + dt.timedelta(minutes=62))[1] == "ended"


def test_end_all_keeps_only_the_one_asked(db):
    user, other = make_user(), make_user("staff2")
    tokens = [sessions.start(user, at=AT) for _ in range(3)]
    theirs = sessions.start(other, at=AT)
    assert sessions.end_all(user, "password", keep=tokens[0]) == 2
    assert [sessions.find(t, 30, at=AT)[1] for t in tokens] == ["open", "ended", "ended"]
    assert sessions.end_all(user, "reset") == 1
    assert sessions.find(theirs, 30, at=AT)[1] == "open"
    assert LoginSession.select().where(LoginSession.token_hash.in_(tokens)).count() == 0  # hashes only


def test_an_address_is_blocked_at_its_limit_and_freed_after(db):
    for i in range(2):
        assert sessions.address_attempt("10.0.0.9", 3, 10, 20, at=AT) == (True, None, False)
    assert sessions.address_attempt("10.0.0.9", 3, 10, 20, at=AT) == (True, AT + dt.timedelta(minutes=20), True)
    assert sessions.address_attempt("10.0.0.9", 3, 10, 20, at=AT + dt.timedelta(minutes=19)) == (
        False, AT + dt.timedelta(minutes=20), False)
    assert sessions.address_attempt("10.0.0.8", 3, 10, 20, at=AT)[0]  # another address
    assert sessions.address_attempt("10.0.0.9", 3, 10, 20, at=AT + dt.timedelta(minutes=20)) == (True, None, False)
    assert LoginThrottle.get(LoginThrottle.address == "10.0.0.9").failures == 1


def test_failures_outside_the_window_do_not_add_up(db):
    for minute in (0, 11, 22, 33):
        assert sessions.address_attempt("10.0.0.9", 2, 10, 20, at=AT + dt.timedelta(minutes=minute))[2] is False


def test_a_right_password_gives_back_its_own_try(db):
    sessions.address_attempt("10.0.0.9", 3, 10, 20, at=AT)
    sessions.address_attempt("10.0.0.9", 3, 10, 20, at=AT)
    assert sessions.address_attempt("10.0.0.9", 3, 10, 20, at=AT)[2] is True  # this try would block...
    sessions.address_succeeded("10.0.0.9", 3)  # ...but its password was right
    row = LoginThrottle.get()
    assert (row.failures, row.blocked_until) == (2, None)


def test_the_sessions_migration_is_idempotent(db):
    db.drop_tables([LoginSession, LoginThrottle])
    schema.SchemaVersion.update(version=8).execute()
    assert schema.upgrade(db) == (8, schema.LATEST)
    assert db.table_exists("login_session") and db.table_exists("login_throttle")
    schema.MIGRATIONS[8](db)  # once more: nothing to do, nothing fails
    user = make_user()
    assert sessions.find(sessions.start(user), 30)[1] == "open"
