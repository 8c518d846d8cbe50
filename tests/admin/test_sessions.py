"""Sessions that end on the server, lockout that holds under parallel requests, throttling by address, and
logins that take the same work whether the username exists or not."""
import datetime as dt
import re
import threading
import time

import pytest

from models import audit
from models import people
from models.people import User
from models.sessions import LoginSession, LoginThrottle

from tests.admin.helpers import PASSWORD, alerts, csrf_token, field_errors, visible_text


def login(client, username, password, **kwargs):
    page = client.get("/login", **kwargs).get_data(as_text=True)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": csrf_token(page)},
                       **kwargs)


def logged_in(client):
    """Does the client's cookie open the home page? (Else it is sent to the login page.)"""
    response = client.get("/admin/")
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/login")
        return False
    assert response.status_code == 200
    return True


def session_cookie(client):
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def replay(app, cookie):
    """A new browser carrying a copy of a session cookie saved earlier."""
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other


def log_out(client):
    page = client.get("/admin/").get_data(as_text=True)
    return client.post("/logout", data={"csrf_token": csrf_token(page)})


def open_sessions(user):
    return LoginSession.select().where((LoginSession.user == user.id) & LoginSession.ended_at.is_null()).count()


@pytest.fixture
def hashes(monkeypatch):
    """Counts the password hashes checked (models.people.check_password_hash), each made slow enough that
    parallel requests overlap."""
    class Calls(list):
        delay = 0

    calls = Calls()
    lock = threading.Lock()
    real = people.check_password_hash

    def counting(pwhash, password):
        with lock:
            calls.append(pwhash)
        time.sleep(calls.delay)
        return real(pwhash, password)

    monkeypatch.setattr(people, "check_password_hash", counting)
    return calls


# -- 5. lockout that parallel requests cannot beat ---------------------------------------------------------------

def burst(app, username, passwords, **kwargs):
    """Log in with each password at once, one thread each; return the alerts of each answer."""
    clients = []
    for password in passwords:
        client = app.test_client()
        page = client.get("/login", **kwargs).get_data(as_text=True)
        clients.append((client, password, csrf_token(page)))
    barrier = threading.Barrier(len(clients))
    answers = [None] * len(clients)

    def attempt(i, client, password, token):
        barrier.wait()
        response = client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                               **kwargs)
        answers[i] = (response.status_code, alerts(response.get_data(as_text=True)), client)

    threads = [threading.Thread(target=attempt, args=(i,) + c) for i, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return answers


def test_a_burst_of_wrong_passwords_checks_no_more_than_the_lockout_allows(app, make_user, hashes):
    user = make_user("staff")
    hashes.delay = 0.05
    answers = burst(app, "staff", ["wrong-password-%d" % i for i in range(24)])
    assert len(hashes) <= app.config["LOCKOUT_ATTEMPTS"] == 5
    assert all(status == 200 for status, _, _ in answers)
    wrong = [a for _, a, _ in answers if "用户名或密码错误。" in a]
    locked = [a for _, a, _ in answers if any("账号已锁定" in m for m in a)]
    assert len(wrong) == len(hashes) and len(wrong) + len(locked) == 24
    stored = User.get_by_id(user.id)
    assert stored.is_locked()
    assert audit.AuditEntry.select().where(audit.AuditEntry.action == "login_locked").count() == 1

    checked = len(hashes)
    client = app.test_client()
    response = login(client, "staff", PASSWORD)  # the right password, during the lock
    assert any("账号已锁定" in m for m in alerts(response.get_data(as_text=True)))
    assert len(hashes) == checked  # not even checked
    assert not logged_in(client)
    assert User.get_by_id(user.id).locked_until == stored.locked_until  # and the lock stays
    assert open_sessions(user) == 0


def test_a_burst_with_the_right_password_in_it_opens_no_more_than_the_lockout_allows(app, make_user, hashes):
    """However the threads interleave: at most 5 checks, and the right password is only ever accepted as one of
    them (never after the lock)."""
    user = make_user("staff")
    hashes.delay = 0.05
    passwords = ["wrong-password-%d" % i for i in range(20)]
    passwords[12] = PASSWORD
    answers = burst(app, "staff", passwords)
    assert len(hashes) <= 5
    in_ = [client for status, _, client in answers if status == 302]
    assert len(in_) <= 1 and all(logged_in(client) for client in in_)
    assert open_sessions(user) == len(in_)


def test_a_locked_account_refuses_the_right_password_without_checking_it(client, make_user, hashes):
    user = make_user("staff")
    for _ in range(5):
        login(client, "staff", "wrong-password")
    assert User.get_by_id(user.id).is_locked() and len(hashes) == 5
    response = login(client, "staff", PASSWORD)
    assert "密码错误次数过多，账号已锁定至" in " ".join(alerts(response.get_data(as_text=True)))
    assert len(hashes) == 5 and not logged_in(client)


def test_the_count_starts_again_when_a_lock_has_run_out(client, make_user):
    user = make_user("staff")
    User.update(locked_until=dt.datetime.now() - dt.timedelta(seconds=1), failed_logins=5).where(
        User.id == user.id).execute()
    login(client, "staff", "wrong-password")
    stored = User.get_by_id(user.id)
    assert (stored.failed_logins, stored.locked_until) == (1, None)


def test_failures_from_one_address_block_it_for_any_account(app, make_user, hashes):
    app.config.update(LOGIN_ADDRESS_ATTEMPTS=3, LOGIN_ADDRESS_WINDOW_MINUTES=10, LOGIN_ADDRESS_BLOCK_MINUTES=20)
    make_user("staff")
    make_user("leader")
    here = {"environ_base": {"REMOTE_ADDR": "10.1.2.3"}}
    attacker = app.test_client()
    for name in ("staff", "nobody", "admin"):  # wrong passwords at three accounts, known or not
        assert "用户名或密码错误。" in alerts(login(attacker, name, "wrong-password", **here).get_data(as_text=True))
    response = login(attacker, "leader", PASSWORD, **here)  # even a right password is refused now
    message = " ".join(alerts(response.get_data(as_text=True)))
    assert "本机登录失败次数过多，请于" in message and "之后再试" in message
    assert len(hashes) == 3 and not logged_in(attacker)
    row = LoginThrottle.get(LoginThrottle.address == "10.1.2.3")
    assert dt.timedelta(minutes=19) < row.blocked_until - dt.datetime.now() <= dt.timedelta(minutes=20)
    assert audit.AuditEntry.select().where((audit.AuditEntry.action == "login_locked")
                                           & (audit.AuditEntry.model == "login_throttle")).count() == 1
    assert User.get(User.username == "staff").failed_logins == 1  # the accounts were not locked by it

    colleague = app.test_client()  # another computer is not blocked
    assert login(colleague, "leader", PASSWORD, environ_base={"REMOTE_ADDR": "10.1.2.4"}).status_code == 302

    LoginThrottle.update(blocked_until=dt.datetime.now() - dt.timedelta(seconds=1)).execute()  # the block ends
    assert login(attacker, "leader", PASSWORD, **here).status_code == 302


def test_a_burst_from_one_address_checks_no_more_than_its_limit(app, make_user, hashes):
    app.config.update(LOGIN_ADDRESS_ATTEMPTS=4)
    hashes.delay = 0.05
    answers = burst(app, "nobody", ["wrong-password-%d" % i for i in range(16)])
    assert len(hashes) <= 4
    assert sum(any("本机登录失败次数过多" in m for m in a) for _, a, _ in answers) >= 12


def test_right_passwords_from_a_shared_address_do_not_add_up(app, make_user):
    """A whole office behind one address: its good logins give their count back, its few mistakes do not block it."""
    app.config.update(LOGIN_ADDRESS_ATTEMPTS=3)
    make_user("staff")
    client = app.test_client()
    for _ in range(2):
        login(client, "staff", "wrong-password")
    for _ in range(6):
        client = app.test_client()
        assert login(client, "staff", PASSWORD).status_code == 302
    row = LoginThrottle.get()
    assert (row.failures, row.blocked_until) == (2, None)


# -- 6. sessions that end on the server ----------------------------------------------------------------------------

def test_a_cookie_saved_before_logout_opens_nothing_after_it(app, client, login_as):
    user = login_as("staff")
    assert logged_in(client)
    saved = session_cookie(client)
    response = log_out(client)
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "您已退出登录。" in alerts(client.get("/login").get_data(as_text=True))
    assert not logged_in(client)
    assert not logged_in(replay(app, saved))
    row = LoginSession.get(LoginSession.user == user.id)
    assert row.ended_at is not None and row.end_reason == "logout"


def test_logout_is_a_post_with_the_csrf_token(app, client, login_as):
    user = login_as("staff")
    page = client.get("/admin/").get_data(as_text=True)
    form = re.search(r'(?s)<form method="post" action="/logout"[^>]*>(.*?)</form>', page)
    assert form and 'name="csrf_token"' in form.group(1) and "退出登录" in form.group(1)
    assert 'href="/logout"' not in page

    shown = client.get("/logout")  # a link or an image pointing at /logout logs no one out
    assert shown.status_code == 200 and "确定退出信访工作管理系统吗？" in visible_text(shown.get_data(as_text=True))
    refused = client.post("/logout", data={})  # nor does a POST from another site (no token)
    assert "表单已过期，请重新提交。" in alerts(refused.get_data(as_text=True))
    assert logged_in(client) and open_sessions(user) == 1

    token = csrf_token(shown.get_data(as_text=True))  # the page's own button works
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert not logged_in(client) and open_sessions(user) == 0


def test_a_new_login_gets_a_new_session(app, client, login_as):
    user = login_as("staff")
    first = session_cookie(client)
    log_out(client)
    login(client, "staff", PASSWORD)
    assert logged_in(client) and not logged_in(replay(app, first))
    assert LoginSession.select().where(LoginSession.user == user.id).count() == 2 and open_sessions(user) == 1


def test_the_token_is_stored_only_as_its_hash(client, login_as):
    login_as("staff")
    with client.session_transaction() as session:
        token = session["session_token"]
    assert len(token) >= 40
    assert not LoginSession.select().where(LoginSession.token_hash == token).exists()


def test_changing_ones_password_ends_the_other_sessions(app, client, login_as, make_user):
    user = login_as("staff")
    other = app.test_client()
    login(other, "staff", PASSWORD)
    saved = session_cookie(other)
    page = client.get("/account/password").get_data(as_text=True)
    response = client.post("/account/password", data={
        "csrf_token": csrf_token(page), "current_password": PASSWORD, "new_password": "a-new-password-2",
        "new_password_again": "a-new-password-2"})
    assert response.status_code == 302, field_errors(response.get_data(as_text=True))
    assert logged_in(client)  # this one goes on
    assert not logged_in(other) and not logged_in(replay(app, saved))
    ended = LoginSession.select().where(LoginSession.end_reason == "password")
    assert [row.user_id for row in ended] == [user.id] and open_sessions(user) == 1


def edit_user(client, user, **changes):
    url = "/admin/user/edit/?id=%d" % user.id
    page = client.get(url).get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    data = {"csrf_token": csrf_token(page), "version": version, "username": user.username,
            "display_name": user.display_name, "role": user.role, "active": "y"}
    data.update(changes)
    data = {k: v for k, v in data.items() if v is not None}
    response = client.post(url, data=data)
    assert response.status_code == 302, field_errors(response.get_data(as_text=True))


def test_deactivating_an_account_ends_its_sessions_for_good(app, login_as, make_user):
    staff = make_user("staff")
    theirs = app.test_client()
    login(theirs, "staff", PASSWORD)
    saved = session_cookie(theirs)
    admin = app.test_client()
    make_user("admin")
    login(admin, "admin", PASSWORD)
    edit_user(admin, staff, active=None)  # unticked
    assert not User.get_by_id(staff.id).active
    assert not logged_in(replay(app, saved))
    edit_user(admin, User.get_by_id(staff.id))  # active again: the old session does not come back
    assert User.get_by_id(staff.id).active
    assert not logged_in(replay(app, saved)) and not logged_in(theirs)
    assert open_sessions(staff) == 0
    assert LoginSession.get(LoginSession.user == staff.id).end_reason == "deactivated"


def test_a_password_reset_by_the_administrator_ends_every_session_of_the_user(app, make_user):
    staff = make_user("staff")
    cookies = []
    for _ in range(2):
        theirs = app.test_client()
        login(theirs, "staff", PASSWORD)
        cookies.append(session_cookie(theirs))
    admin = app.test_client()
    make_user("admin")
    login(admin, "admin", PASSWORD)
    edit_user(admin, staff, new_password="a-reset-password-3")
    assert all(not logged_in(replay(app, cookie)) for cookie in cookies)
    assert open_sessions(staff) == 0 and logged_in(admin)
    assert {row.end_reason for row in LoginSession.select().where(LoginSession.user == staff.id)} == {"reset"}


def test_an_administrator_resetting_their_own_password_stays_logged_in_elsewhere_not(app, make_user):
    me = make_user("admin")
    here, there = app.test_client(), app.test_client()
    login(here, "admin", PASSWORD)
    login(there, "admin", PASSWORD)
    edit_user(here, me, new_password="a-reset-password-3")
    assert logged_in(here) and not logged_in(there)


def test_an_idle_session_ends_on_the_server(app, client, login_as):
    user = login_as("staff")
    saved = session_cookie(client)
    LoginSession.update(last_seen_at=dt.datetime.now() - dt.timedelta(minutes=31)).execute()
    response = client.get("/admin/petition/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")
    assert "30 分钟未操作" in " ".join(alerts(client.get(response.headers["Location"]).get_data(as_text=True)))
    row = LoginSession.get(LoginSession.user == user.id)
    assert row.end_reason == "idle"
    LoginSession.update(last_seen_at=dt.datetime.now()).execute()  # even seen again, it stays ended
    assert not logged_in(replay(app, saved)) and not logged_in(client)


def test_a_session_in_use_is_kept_alive(app, client, login_as):
    app.config.update(SESSION_IDLE_MINUTES=120)
    login_as("staff")
    LoginSession.update(last_seen_at=dt.datetime.now() - dt.timedelta(minutes=119)).execute()
    assert logged_in(client)
    seen = LoginSession.get().last_seen_at
    assert dt.datetime.now() - seen < dt.timedelta(minutes=1)  # the request moved it on
    LoginSession.update(last_seen_at=dt.datetime.now() - dt.timedelta(minutes=121)).execute()
    assert not logged_in(client)


# -- 7. the same work for an unknown username ---------------------------------------------------------------------

@pytest.mark.parametrize("case", ["unknown", "known, wrong password", "deactivated, wrong password",
                                  "deactivated, right password", "known, right password"])
def test_every_login_checks_exactly_one_password_hash(client, make_user, hashes, case):
    make_user("staff", active=not case.startswith("deactivated"))
    username = "nobody" if case == "unknown" else "staff"
    password = PASSWORD if case.endswith("right password") else "wrong-password"
    response = login(client, username, password)
    assert len(hashes) == 1
    if case == "unknown":
        assert "用户名或密码错误。" in alerts(response.get_data(as_text=True))


def test_the_dummy_hash_is_made_as_real_ones_are(db, make_user):
    user = make_user("staff")
    assert people.dummy_password_hash().split("$")[0] == user.password_hash.split("$")[0]
    assert not people.verify_password(None, PASSWORD)


def test_behind_a_trusted_proxy_the_forwarded_address_is_throttled(db, db_url, make_user):
    from admin_app import create_app

    app = create_app({"DATABASE_URL": db_url, "SECRET_KEY": "test-secret", "TESTING": True, "TRUSTED_PROXIES": 1,
                      "LOGIN_ADDRESS_ATTEMPTS": 2})
    make_user("staff")
    proxy = {"environ_base": {"REMOTE_ADDR": "127.0.0.1"}}
    for _ in range(2):
        login(app.test_client(), "staff", "wrong-password", headers={"X-Forwarded-For": "10.9.8.7"}, **proxy)
    assert LoginThrottle.get().address == "10.9.8.7" and LoginThrottle.get().blocked_until is not None
    assert login(app.test_client(), "staff", PASSWORD, headers={"X-Forwarded-For": "10.9.8.6"},
                 **proxy).status_code == 302
