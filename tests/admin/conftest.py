"""Fixtures for the screens: an app on the test database, a client, and login_as(role)."""
import re

import pytest
from playhouse.test_utils import count_queries

from admin_app import create_app
from models.organisation import Department
from models.people import Representative, User

from tests.admin.helpers import PASSWORD, csrf_token

@pytest.fixture
def app(db, db_url):
    app = create_app({"DATABASE_URL": db_url, "SECRET_KEY": "test-secret", "TESTING": True})
    yield app


@pytest.fixture
def issuing_office(db):
    """县信访局 (高信访): the organ that issues the office's letters (LETTER_ISSUER's default)."""
    return Department.create(name="县信访局", short_name="高信访", kind="county")


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_user(db):
    def make_user(role="staff", username=None, **fields):
        if role == "department" and "department" not in fields:
            fields["department"] = Department.create(name="县住建局", short_name="县住建", kind="county")
        if role == "representative" and "representative" not in fields:
            fields["representative"] = Representative.create(name="王春月", kind="npc_deputy")
        user = User(username=username or role, display_name=fields.pop("display_name", username or role),
                    role=role, **fields)
        user.set_password(PASSWORD)
        user.save()
        return user

    return make_user


@pytest.fixture
def login_as(client, make_user):
    """login_as(role) creates a user of that role and logs the client in; returns the user."""

    def login_as(role="staff", **fields):
        user = make_user(role, **fields)
        page = client.get("/login").get_data(as_text=True)
        response = client.post("/login", data={"username": user.username, "password": PASSWORD,
                                               "csrf_token": csrf_token(page)})
        assert response.status_code == 302, "login failed"
        return user

    return login_as


@pytest.fixture
def form_post(client):
    """form_post(url, data): GET the form page for its CSRF token, then POST data with it."""

    def form_post(url, data, form_url=None, **kwargs):
        page = client.get(form_url or url).get_data(as_text=True)
        hidden = dict(re.findall(r'name="(version|opened_at|submission_token)" type="hidden" value="([^"]*)"', page))  # as a browser
        return client.post(url, data=dict(hidden, **dict(data, csrf_token=csrf_token(page))), **kwargs)

    return form_post


@pytest.fixture
def query_counter(db):
    return count_queries
