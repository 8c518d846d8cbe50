"""Accounts and sessions, headers, logs without personal data, and saves that never overwrite each other."""
import datetime as dt
import logging

import pytest

from models import audit
from models.people import User
from models.petition import Petition
from models.sessions import LoginSession

from tests.admin.helpers import PASSWORD, alerts, csrf_token


def login(client, username, password):
    page = client.get("/login").get_data(as_text=True)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": csrf_token(page)})


def test_five_wrong_passwords_lock_the_account_for_15_minutes(client, make_user):
    make_user("staff")
    for _ in range(4):
        assert "用户名或密码错误。" in alerts(login(client, "staff", "wrong-password").get_data(as_text=True))
    assert User.get(User.username == "staff").locked_until is None
    login(client, "staff", "wrong-password")
    user = User.get(User.username == "staff")
    assert user.locked_until is not None
    assert dt.timedelta(minutes=14) < user.locked_until - dt.datetime.now() <= dt.timedelta(minutes=15)
    messages = alerts(login(client, "staff", PASSWORD).get_data(as_text=True))
    assert any("账号已锁定" in m for m in messages), messages
    assert client.get("/admin/").status_code == 302
    assert audit.AuditEntry.select().where(audit.AuditEntry.action == "login_locked").count() == 1


def test_the_lock_ends_after_its_time_and_a_good_login_resets_the_count(client, make_user):
    user = make_user("staff")
    User.update(locked_until=dt.datetime.now() - dt.timedelta(seconds=1), failed_logins=3).where(
        User.id == user.id).execute()
    assert login(client, "staff", PASSWORD).status_code == 302
    assert User.get_by_id(user.id).failed_logins == 0


def test_the_lockout_is_configurable(app, client, make_user):
    app.config.update(LOCKOUT_ATTEMPTS=2, LOCKOUT_MINUTES=1)
    make_user("staff")
    login(client, "staff", "wrong-password")
    login(client, "staff", "wrong-password")
    assert User.get(User.username == "staff").is_locked()


def test_a_session_idle_for_30_minutes_ends(client, login_as):
    login_as("staff")
    assert client.get("/admin/").status_code == 200
    LoginSession.update(last_seen_at=dt.datetime.now() - dt.timedelta(minutes=31)).execute()
    response = client.get("/admin/", follow_redirects=True)
    assert "30 分钟未操作" in " ".join(alerts(response.get_data(as_text=True)))
    assert client.get("/admin/").status_code == 302


def test_a_session_in_use_goes_on(client, login_as):
    login_as("staff")
    client.get("/admin/")
    LoginSession.update(last_seen_at=dt.datetime.now() - dt.timedelta(minutes=29)).execute()
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("url", ["/login", "/admin/", "/admin/petition/", "/admin/no-such-page/"])
def test_security_headers_on_every_response(client, login_as, url):
    login_as("staff")
    response = client.get(url)
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "http" not in csp and "frame-ancestors 'none'" in csp


def test_session_cookies_are_httponly_lax_and_secure_over_https(client, make_user):
    make_user("staff")
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", base_url="https://localhost", data={
        "username": "staff", "password": PASSWORD, "csrf_token": csrf_token(page)})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    plain = client.get("/login").headers.get("Set-Cookie", "")
    assert "Secure" not in plain


def test_the_second_of_two_concurrent_edits_is_refused_and_shows_what_changed(client, login_as, form_post,
                                                                              make_petition, make_user):
    login_as("staff")
    petition = make_petition(subject="原来的事由")
    url = "/admin/petition/edit/?id=%d" % petition.id
    first_page = client.get(url).get_data(as_text=True)  # the first officer opens the form...
    other = Petition.get_by_id(petition.id)  # ...and a colleague saves in the meantime
    other.subject = "同事改过的事由"
    other.save()
    audit.record("update", other, other.id, by=make_user("staff", username="colleague"), before={"subject": "原来的事由"},
                 after={"subject": "同事改过的事由"})
    import re

    version = re.search(r'id="version" name="version" type="hidden" value="(\d+)"', first_page).group(1)
    opened = re.search(r'id="opened_at" name="opened_at" type="hidden" value="([\d.]+)"', first_page).group(1)
    response = client.post(url, data={
        "csrf_token": csrf_token(first_page), "version": version, "opened_at": opened, "channel": "visit",
        "received_at": "2022-12-09 09:30:00", "petitioner": petition.petitioner_id, "head_count": "1",
        "subject": "我改的事由", "content": "内容"})
    messages = " ".join(alerts(response.get_data(as_text=True)))
    assert "其他人已保存了这条记录" in messages and "colleague" in messages and "事由" in messages
    assert Petition.get_by_id(petition.id).subject == "同事改过的事由"


def test_id_numbers_and_phones_never_reach_the_logs(client, login_as, make_petitioner, caplog):
    login_as("staff")
    person = make_petitioner(phone="13912345678")
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("werkzeug").info("GET /admin/petitioner/?search=%s HTTP/1.1", person.id_number)
        logging.getLogger("peewee").debug(("SELECT * FROM petitioner WHERE phone = ?", ["13912345678"]))
        client.get("/admin/petitioner/?search=" + person.id_number)
        try:
            raise ValueError("bad value 13912345678")
        except ValueError:
            logging.getLogger("admin_app").exception("failed for %s", person.id_number)
    text = caplog.text + " ".join(r.getMessage() for r in caplog.records)
    assert person.id_number not in text and "13912345678" not in text
    assert person.id_number[:6] + "********" in text
