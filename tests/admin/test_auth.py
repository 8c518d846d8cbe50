"""Login, logout, CSRF and who may open what."""
import pytest

from models.people import User

from tests.admin.helpers import PASSWORD, alerts, csrf_token


def login(client, username, password, token=True):
    page = client.get("/login").get_data(as_text=True)
    data = {"username": username, "password": password}
    if token:
        data["csrf_token"] = csrf_token(page)
    return client.post("/login", data=data)


def test_login_page_is_in_chinese(client):
    page = client.get("/login").get_data(as_text=True)
    assert "用户名" in page and "密码" in page and "登录" in page


@pytest.mark.parametrize("url", ["/admin/", "/admin/petition/", "/admin/petition/new/", "/admin/user/"])
def test_every_admin_page_needs_a_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_a_staff_member_logs_in_and_sees_the_home_page(client, make_user):
    make_user("staff", display_name="张干部")
    response = login(client, "staff", PASSWORD)
    assert response.headers["Location"] == "/admin/"
    page = client.get("/admin/").get_data(as_text=True)
    assert "张干部" in page and "退出登录" in page


def test_a_wrong_password_is_refused_in_chinese(client, make_user):
    make_user("staff")
    response = login(client, "staff", "not-the-password")
    assert response.status_code == 200
    assert "用户名或密码错误。" in alerts(response.get_data(as_text=True))
    assert client.get("/admin/").status_code == 302


def test_an_unknown_user_gets_the_same_message(client, db):
    response = login(client, "nobody", PASSWORD)
    assert "用户名或密码错误。" in alerts(response.get_data(as_text=True))


def test_a_login_without_csrf_token_is_refused(client, make_user):
    make_user("staff")
    response = login(client, "staff", PASSWORD, token=False)
    assert response.status_code == 200
    assert "表单已过期，请重新提交。" in alerts(response.get_data(as_text=True))
    assert client.get("/admin/").status_code == 302


def test_a_deactivated_account_cannot_log_in(client, make_user):
    make_user("staff", active=False)
    response = login(client, "staff", PASSWORD)
    assert "该账号已停用，请联系系统管理员。" in alerts(response.get_data(as_text=True))
    assert client.get("/admin/").status_code == 302


def test_deactivating_an_account_ends_its_session(client, login_as):
    user = login_as("staff")
    assert client.get("/admin/").status_code == 200
    User.update(active=False).where(User.id == user.id).execute()
    assert client.get("/admin/").status_code == 302


def test_logout_ends_the_session(client, login_as):
    login_as("staff")
    page = client.get("/admin/").get_data(as_text=True)
    response = client.post("/logout", data={"csrf_token": csrf_token(page)}, follow_redirects=True)
    assert "您已退出登录。" in alerts(response.get_data(as_text=True))
    assert client.get("/admin/").status_code == 302


def test_opening_the_logout_address_does_not_log_out(client, login_as):
    login_as("staff")
    response = client.get("/logout")
    assert response.status_code == 200 and "退出登录" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 200


def test_login_never_redirects_to_another_site(client, make_user):
    make_user("staff")
    page = client.get("/login?next=//evil.example/").get_data(as_text=True)
    response = client.post("/login?next=//evil.example/",
                           data={"username": "staff", "password": PASSWORD, "csrf_token": csrf_token(page)})
    assert response.headers["Location"] == "/admin/"


@pytest.mark.parametrize("role", ["staff", "representative", "department", "leader"])
def test_only_the_system_administrator_manages_users(client, login_as, role):
    login_as(role)
    response = client.get("/admin/user/")
    assert response.status_code == 403
    assert "您没有权限打开此页面。" in response.get_data(as_text=True)
    assert "/admin/user/" not in client.get("/admin/").get_data(as_text=True)


def test_the_administrator_creates_a_user_with_a_checked_password(client, login_as, form_post):
    login_as("admin")
    weak = form_post("/admin/user/new/", {"username": "li", "display_name": "李干部", "new_password": "123456789012",
                                          "role": "staff", "active": "y"})
    assert "密码不能全是数字。" in weak.get_data(as_text=True)
    assert not User.select().where(User.username == "li").exists()
    form_post("/admin/user/new/", {"username": "li", "display_name": "李干部", "new_password": "a-good-password",
                                   "role": "staff", "active": "y"})
    user = User.get(User.username == "li")
    assert user.check_password("a-good-password") and "a-good-password" not in user.password_hash
