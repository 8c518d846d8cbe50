"""Optimistic locking on every edit screen: an edit form carries the version of the record it was opened on, and a
post without it (a stale or hand-made page) or with a value that is not a version is refused in Chinese, with
nothing written. The screens are read from the app: every registered view that offers editing."""
import pytest

from admin_app import permissions
from models.audit import AuditEntry

from tests.admin.forms import model_form
from tests.admin.helpers import alerts, log_out

REFUSED = "表单缺少打开时的记录版本"


@pytest.fixture
def demo(db, make_user):
    from models.demo import seed_demo

    seed_demo(admin_user=make_user("admin", username="seed"))


def editable_views(app):
    return [view for view in app.extensions["office_views"].values() if getattr(view, "_offers_can_edit", False)]


def editor_role(endpoint):
    return next((role for role in permissions.ROLES if permissions.allowed(role, endpoint, "edit")), None)


def test_every_edit_screen_refuses_a_form_without_its_version(app, client, demo, login_as):
    checked = []
    logged_in = {}
    for view in editable_views(app):
        role = editor_role(view.endpoint)
        record = view.model.select().order_by(view.model._meta.primary_key).first()
        if role is None or record is None:
            continue
        if role not in logged_in:
            log_out(client)
            logged_in.clear()
            logged_in[role] = login_as(role, username="editor_" + role)
        url = "/admin/%s/edit/?id=%d" % (view.endpoint, record.id)
        page = client.get(url)
        if page.status_code != 200:  # this role may not edit this row (its scope): not an edit screen for it
            continue
        form = model_form(page.get_data(as_text=True))
        assert form.get("version"), "%s: the edit form does not carry the record's version" % view.endpoint
        version = int(form["version"][0])
        entries = AuditEntry.select().count()
        for bad in (None, "", "abc", "2x", "-1"):
            data = {k: v for k, v in form.items() if k != "version"}
            if bad is not None:
                data["version"] = bad
            response = client.post(url, data=data, follow_redirects=True)
            assert response.status_code == 200, (view.endpoint, bad)
            messages = " ".join(alerts(response.get_data(as_text=True)))
            assert REFUSED in messages, (view.endpoint, bad, messages)
            assert type(record).get_by_id(record.id).version == version, (view.endpoint, bad)  # nothing written
        assert AuditEntry.select().count() == entries, view.endpoint
        checked.append(view.endpoint)
    assert {"petition", "petitioner", "department", "user"} <= set(checked), checked


def test_a_stale_form_posted_without_its_version_does_not_overwrite_a_newer_edit(client, login_as, make_petition):
    from models.petition import Petition

    login_as("staff")
    petition = make_petition(subject="原来的事由")
    url = "/admin/petition/edit/?id=%d" % petition.id
    stale = model_form(client.get(url).get_data(as_text=True))  # opened before the colleague's save...
    newer = model_form(client.get(url).get_data(as_text=True))
    newer["subject"] = ["同事改过的事由"]
    assert client.post(url, data=newer).status_code == 302
    assert Petition.get_by_id(petition.id).subject == "同事改过的事由"

    del stale["version"]  # ...and posted without its version (an old page, a script)
    stale["subject"] = ["我改的事由"]
    response = client.post(url, data=stale, follow_redirects=True)
    assert REFUSED in " ".join(alerts(response.get_data(as_text=True)))
    assert Petition.get_by_id(petition.id).subject == "同事改过的事由"


def test_an_edit_with_its_version_is_saved(client, login_as, make_petition):
    from models.petition import Petition

    login_as("staff")
    petition = make_petition(subject="原来的事由")
    url = "/admin/petition/edit/?id=%d" % petition.id
    form = model_form(client.get(url).get_data(as_text=True))
    form["subject"] = ["改过的事由"]
    assert client.post(url, data=form).status_code == 302
    saved = Petition.get_by_id(petition.id)
    assert saved.subject == "改过的事由" and saved.version == int(form["version"][0]) + 1
