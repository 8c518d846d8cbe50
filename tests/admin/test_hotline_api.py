"""The hotline API: tokens and scopes, the same upsert as the import, and every response validated against the
OpenAPI document the API serves (jsonschema, draft 2020-12 as OpenAPI 3.1 uses)."""
import io
import json

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from admin_app.api.openapi import OPENAPI
from models import workflow
from models.hotline import ApiClient, HotlineTicket
from models.workflow.hotline import ticket_to_petition
from models.people import User

DOC_URI = "urn:petition-office:openapi"


@pytest.fixture
def openapi(client):
    """The document as served; a checker of a response against the schema it declares."""
    served = client.get("/api/v1/openapi.json")
    assert served.status_code == 200
    doc = served.get_json()
    assert doc == OPENAPI and doc["openapi"].startswith("3.1")
    Draft202012Validator.check_schema({"$defs": doc["components"]["schemas"]})
    registry = Registry().with_resource(DOC_URI, Resource.from_contents(doc, default_specification=DRAFT202012))

    def check(response, path, method):
        declared = doc["paths"][path][method]["responses"]
        status = str(response.status_code)
        assert status in declared, "status %s is not in the document for %s %s" % (status, method, path)
        assert response.content_type == "application/json"
        schema = declared[status]["content"]["application/json"]["schema"]
        ref = DOC_URI + schema["$ref"]
        Draft202012Validator({"$ref": ref}, registry=registry).validate(response.get_json())
        return response.get_json()

    return check


@pytest.fixture
def make_client(db):
    def make_client(scopes="tickets:write tickets:read", name=None, active=True):
        client = ApiClient(name=name or "平台%s" % scopes.replace(" ", "-"), scopes=scopes, active=active)
        client.save()
        return client.plain_token

    return make_client


def bearer(token):
    return {"Authorization": "Bearer %s" % token}


TICKET = {"number": "12345-2023-00001", "called_at": "2023-03-01 09:30:00", "caller": "赵六",
          "phone": "13912345678", "content": "反映村道坑洼。", "type": "城乡建设", "area": "梁庄镇张家村",
          "handling_unit": "县交通局", "deadline": "2023-03-08", "status": "办理中", "satisfaction": None}


def test_the_document_describes_both_endpoints_and_their_errors():
    paths = OPENAPI["paths"]
    assert set(paths["/tickets"]["post"]["responses"]) == {"200", "400", "401", "403", "413"}
    assert set(paths["/tickets/{number}"]["get"]["responses"]) == {"200", "400", "401", "403", "404"}
    assert OPENAPI["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_push_one_ticket_then_again_unchanged_then_changed(client, make_client, openapi):
    token = make_client()
    first = openapi(client.post("/api/v1/tickets", json=TICKET, headers=bearer(token)), "/tickets", "post")
    assert first["results"] == [{"index": 0, "number": TICKET["number"], "result": "added"}]
    assert first["summary"] == {"added": 1, "updated": 0, "unchanged": 0, "skipped": 0}
    ticket = HotlineTicket.get()
    assert (ticket.kind, ticket.caller, ticket.area) == ("城乡建设", "赵六", "梁庄镇张家村")
    again = openapi(client.post("/api/v1/tickets", json=TICKET, headers=bearer(token)), "/tickets", "post")
    assert again["results"][0]["result"] == "unchanged" and HotlineTicket.get().version == 1
    changed = openapi(client.post("/api/v1/tickets", json={"number": TICKET["number"], "status": "已办结",
                                                           "satisfaction": "满意"}, headers=bearer(token)),
                      "/tickets", "post")
    assert changed["results"][0]["result"] == "updated"
    assert changed["results"][0]["changed"] == ["status", "satisfaction"]
    assert HotlineTicket.get().area == "梁庄镇张家村"  # fields not pushed are left alone


def test_push_many_a_bad_one_does_not_stop_the_others(client, make_client, openapi):
    token = make_client("tickets:write")
    tickets = [dict(TICKET, number="A-1"), dict(TICKET, number="A-2", called_at="下周一"), "not a ticket",
               dict(TICKET, number="A-3", content=""), {"number": "A-4", "status": "办理中"},
               dict(TICKET, number="A-5", caller={"name": "x"}), dict(TICKET, number="A-6")]
    body = openapi(client.post("/api/v1/tickets", json={"tickets": tickets}, headers=bearer(token)),
                   "/tickets", "post")
    assert [(r["index"], r["result"]) for r in body["results"]] == [
        (0, "added"), (1, "skipped"), (2, "skipped"), (3, "skipped"), (4, "skipped"), (5, "skipped"), (6, "added")]
    reasons = [r.get("reason") for r in body["results"]]
    assert reasons[1] == "来电时间不是有效的日期：下周一" and reasons[3] == "缺少诉求内容。"
    assert reasons[4] == "新工单须有来电时间和诉求内容。"
    assert all(reason for reason in reasons[1:6])
    assert sorted(t.number for t in HotlineTicket.select()) == ["A-1", "A-6"]


def test_read_a_ticket_and_its_petition_status(client, make_client, openapi, db):
    token = make_client()
    client.post("/api/v1/tickets", json=TICKET, headers=bearer(token))
    body = openapi(client.get("/api/v1/tickets/%s" % TICKET["number"], headers=bearer(token)),
                   "/tickets/{number}", "get")
    assert body["petition"] is None and body["ticket"]["type"] == "城乡建设"
    assert body["ticket"]["phone"] == "139****5678" and body["ticket"]["called_at"] == "2023-03-01 09:30:00"
    staff = User(username="officer", display_name="李敏", role="staff")
    staff.set_password("correct-horse-1")
    staff.save()
    petition = ticket_to_petition(HotlineTicket.get(), staff)
    workflow.accept(petition, staff)
    body = openapi(client.get("/api/v1/tickets/%s" % TICKET["number"], headers=bearer(token)),
                   "/tickets/{number}", "get")
    assert body["petition"]["number"] == petition.number
    assert (body["petition"]["status"], body["petition"]["status_label"]) == ("accepted", "已受理")
    missing = openapi(client.get("/api/v1/tickets/NOPE", headers=bearer(token)), "/tickets/{number}", "get")
    assert missing["error"] == "not_found" and "NOPE" in missing["message"]


@pytest.mark.parametrize("headers, message", [
    ({}, "缺少访问令牌"),
    ({"Authorization": "Bearer xf_wrong-token"}, "访问令牌无效或已停用"),
    ({"Authorization": "Basic YWRtaW46YWRtaW4="}, "Bearer"),
    ({"Authorization": "Bearer "}, "Bearer"),
])
def test_a_missing_or_wrong_token_is_refused(client, make_client, openapi, headers, message):
    make_client()
    for path, method, call in (("/tickets", "post", lambda: client.post("/api/v1/tickets", json=TICKET,
                                                                         headers=headers)),
                               ("/tickets/{number}", "get", lambda: client.get("/api/v1/tickets/X", headers=headers))):
        response = call()
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        body = openapi(response, path, method)
        assert body["error"] == "unauthorized" and message in body["message"]
        assert "Set-Cookie" not in response.headers  # no session
    assert HotlineTicket.select().count() == 0


def test_a_deactivated_client_is_refused(client, make_client, openapi):
    token = make_client()
    ApiClient.update(active=False).execute()
    body = openapi(client.post("/api/v1/tickets", json=TICKET, headers=bearer(token)), "/tickets", "post")
    assert body["error"] == "unauthorized"


def test_a_token_without_the_scope_is_forbidden(client, make_client, openapi):
    reader, writer = make_client("tickets:read"), make_client("tickets:write")
    body = openapi(client.post("/api/v1/tickets", json=TICKET, headers=bearer(reader)), "/tickets", "post")
    assert body["error"] == "forbidden" and "tickets:write" in body["message"] and "推送工单" in body["message"]
    body = openapi(client.get("/api/v1/tickets/X", headers=bearer(writer)), "/tickets/{number}", "get")
    assert body["error"] == "forbidden" and "tickets:read" in body["message"]
    assert HotlineTicket.select().count() == 0


def test_a_logged_in_session_is_no_substitute_for_a_token(client, login_as, openapi):
    login_as("admin")
    body = openapi(client.post("/api/v1/tickets", json=TICKET), "/tickets", "post")
    assert body["error"] == "unauthorized"


@pytest.mark.parametrize("data, status", [
    ("not json", 400), ("[1, 2]", 400), ('{"tickets": []}', 400), ('{"tickets": "x"}', 400),
])
def test_a_malformed_body_is_a_400(client, make_client, openapi, data, status):
    token = make_client()
    response = client.post("/api/v1/tickets", data=data, content_type="application/json", headers=bearer(token))
    body = openapi(response, "/tickets", "post")
    assert response.status_code == status and body["error"] == "bad_request"


def test_too_many_tickets_or_too_large_a_body_is_a_413(app, client, make_client, openapi):
    token = make_client()
    many = {"tickets": [dict(TICKET, number="N-%d" % i) for i in range(501)]}
    body = openapi(client.post("/api/v1/tickets", json=many, headers=bearer(token)), "/tickets", "post")
    assert body["error"] == "too_large" and "500" in body["message"]
    app.config["HOTLINE_API_MAX_BYTES"] = 1024 * 1024
    huge = dict(TICKET, content="很" * 400000)
    body = openapi(client.post("/api/v1/tickets", json=huge, headers=bearer(token)), "/tickets", "post")
    assert body["error"] == "too_large"
    assert HotlineTicket.select().count() == 0


def test_a_body_sent_without_its_length_is_cut_off_at_the_limit(app, client, make_client, openapi):
    app.config["HOTLINE_API_MAX_BYTES"] = 1024 * 1024
    token = make_client()
    body = ('{"number": "C-1", "called_at": "2023-03-01 09:30:00", "content": "%s"}' % ("很" * 400000)).encode()

    response = client.post("/api/v1/tickets", input_stream=io.BytesIO(body), content_type="application/json",
                           headers=dict(bearer(token), **{"Transfer-Encoding": "chunked"}),
                           environ_overrides={"wsgi.input_terminated": True})  # as waitress gives a chunked body
    assert openapi(response, "/tickets", "post")["error"] == "too_large"
    assert HotlineTicket.select().count() == 0
    small = json.dumps(TICKET).encode()
    response = client.post("/api/v1/tickets", input_stream=io.BytesIO(small), content_type="application/json",
                           headers=dict(bearer(token), **{"Transfer-Encoding": "chunked"}),
                           environ_overrides={"wsgi.input_terminated": True})
    assert openapi(response, "/tickets", "post")["summary"]["added"] == 1  # a chunked body within the limit is read


# -- NUL characters and deep JSON (the security issue's point 16), on both databases ---------------------------

@pytest.mark.parametrize("bad", [
    pytest.param({"content": "反映\x00村道坑洼。"}, id="nul-in-the-content"),
    pytest.param({"number": "A-\x002"}, id="nul-in-the-number"),
    pytest.param({"caller": "赵\ud800六"}, id="a-lone-surrogate"),
])
def test_a_ticket_that_cannot_be_stored_is_skipped_by_its_index_and_the_others_kept(client, make_client, openapi,
                                                                                    bad):
    token = make_client("tickets:write")
    tickets = [dict(TICKET, number="A-1"), dict(TICKET, **dict({"number": "A-2"}, **bad)), dict(TICKET, number="A-3")]
    body = json.dumps({"tickets": tickets}, ensure_ascii=True)  # \u0000 and \ud800 as JSON writes them
    response = client.post("/api/v1/tickets", data=body, content_type="application/json", headers=bearer(token))
    assert response.status_code == 200
    result = openapi(response, "/tickets", "post")
    assert [(r["index"], r["result"]) for r in result["results"]] == [(0, "added"), (1, "skipped"), (2, "added")]
    assert "不能保存的字符" in result["results"][1]["reason"]
    assert result["summary"] == {"added": 2, "updated": 0, "unchanged": 0, "skipped": 1}
    assert sorted(t.number for t in HotlineTicket.select()) == ["A-1", "A-3"]


def test_json_nested_a_hundred_thousand_deep_is_a_400_in_chinese(client, make_client, openapi):
    token = make_client()
    for data in ('{"tickets": ' + "[" * 100000 + "]" * 100000 + "}", "[" * 100000 + "]" * 100000,
                 '{"tickets": [{"number": ' + '{"a": ' * 100000 + "1" + "}" * 100000 + "}]}"):
        response = client.post("/api/v1/tickets", data=data, content_type="application/json", headers=bearer(token))
        body = openapi(response, "/tickets", "post")
        assert response.status_code == 400 and body["error"] == "bad_request" and "JSON" in body["message"]
    assert HotlineTicket.select().count() == 0


def test_a_nul_in_the_address_of_the_api_is_a_400_in_json(client, make_client, openapi):
    token = make_client()
    response = client.get("/api/v1/tickets/A-1%00%0Ax", headers=bearer(token))
    body = openapi(response, "/tickets/{number}", "get")
    assert response.status_code == 400 and body["error"] == "bad_request" and "空字符" in body["message"]
    response = client.post("/api/v1/tickets?x=%00", json=TICKET, headers=bearer(token))
    assert openapi(response, "/tickets", "post")["error"] == "bad_request"
    assert HotlineTicket.select().count() == 0
