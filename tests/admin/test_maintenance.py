"""Maintenance (issue 12): while the flag file is up every write is answered 503 in Chinese and nothing is
written; reading goes on. And the audit log's daily anchor, written after the first audited write of a day."""
import json
import os

import pytest

from models.audit import AuditEntry
from models.petition import Petition

from tests.admin.helpers import csrf_token

MESSAGE = "系统正在维护（恢复数据库），本次操作未保存"


def new_petition(n=1):
    return {"channel": "visit", "received_at": "2022-12-09 09:30:00", "petitioner": "",
            "new_petitioner_name": "维护人%d" % n, "new_petitioner_id_number": "", "new_petitioner_phone": "",
            "new_petitioner_address": "", "head_count": "1", "subject": "维护期间的事项%d" % n,
            "content": "维护期间登记的信访事项。", "request_summary": "请求依法处理。", "classification": "unclassified",
            "category": "", "town": ""}


@pytest.fixture
def flag(app):
    path = app.config["MAINTENANCE_FILE"]
    yield path
    if os.path.exists(path):
        os.remove(path)


def test_a_write_during_maintenance_is_refused_in_chinese_and_nothing_is_written(app, client, login_as, flag):
    login_as("staff")
    page = client.get("/admin/petition/new/").get_data(as_text=True)
    entries = AuditEntry.select().count()
    open(flag, "w").close()
    response = client.post("/admin/petition/new/", data=dict(new_petition(), csrf_token=csrf_token(page)))
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert MESSAGE in response.get_data(as_text=True)
    assert Petition.select().count() == 0 and AuditEntry.select().count() == entries
    assert client.get("/admin/petition/").status_code == 200  # reading goes on
    assert client.get("/admin/petition/new/").status_code == 200
    os.remove(flag)
    response = client.post("/admin/petition/new/", data=dict(new_petition(), csrf_token=csrf_token(page)))
    assert response.status_code == 302 and Petition.select().count() == 1


def test_the_api_answers_json_during_maintenance(client, flag):
    open(flag, "w").close()
    response = client.post("/api/v1/tickets", json={"tickets": []}, headers={"Authorization": "Bearer x"})
    assert response.status_code == 503
    assert response.get_json()["error"] == "maintenance" and MESSAGE in response.get_json()["message"]
    assert client.get("/api/v1/openapi.json").status_code == 200


def test_the_first_audited_write_of_a_day_anchors_the_log(app, client, login_as, audit_settings):
    login_as("staff")
    page = client.get("/admin/petition/new/").get_data(as_text=True)
    for n in (1, 2):
        assert client.post("/admin/petition/new/", data=dict(new_petition(n), csrf_token=csrf_token(page))
                           ).status_code == 302
    with open(audit_settings["anchors"], encoding="utf-8") as f:
        anchors = [json.loads(line) for line in f]
    assert len(anchors) == 1 and anchors[0]["reason"] == "daily"  # once a day, not at every write
    assert anchors[0]["count"] >= 1 and AuditEntry.get_by_id(anchors[0]["id"]).hash == anchors[0]["hash"]
    assert os.stat(audit_settings["anchors"]).st_mode & 0o777 == 0o600


def test_the_anchors_name_their_database_without_its_password():
    from admin_app.maintenance import database_name

    assert database_name("postgresql://office:s3cret@db.local:5432/petitions?options=x") == (
        "postgresql://office@db.local:5432/petitions?options=x")
    assert database_name("sqlite:///instance/../instance/petitions.db") == "sqlite:///" + os.path.realpath(
        "instance/petitions.db")
