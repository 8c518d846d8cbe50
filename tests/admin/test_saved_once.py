"""A form is saved once (issue 13): the same create, step or action form posted again — the browser's Back then
保存, a double click, a retried request, two at the same moment — makes one record, and the second answer says
so with the way to the record."""
import datetime as dt

import pytest

from models import workflow
from models.audit import AuditEntry
from models.casework import Mediation
from models.db import now
from models.people import Petitioner, Representative
from models.petition import Petition, StepRecord
from models.submissions import Submission

from tests.admin.forms import forms, model_form
from tests.admin.helpers import alerts, at_once, concurrent_clients, csrf_token, submission_token

SAVED = "此表单已保存，未重复登记。"


@pytest.fixture
def staff(login_as):
    return login_as("staff", display_name="张干部")


def filled_petition_form(client, name="刘某某"):
    """The new-petition form as the browser has it, filled in (a new petitioner typed in)."""
    data = model_form(client.get("/admin/petition/new/").get_data(as_text=True))
    data.update({"channel": ["roving_reception"], "received_at": ["2022-12-09 09:30:00"], "petitioner": [""],
                 "new_petitioner_name": [name], "new_petitioner_phone": ["13812345678"], "head_count": ["1"],
                 "subject": ["宅基地及共用道路纠纷"], "content": ["信访人反映与原邻居之间的宅基地纠纷。"],
                 "request_summary": ["请求依法处理。"]})
    return data


def test_the_petition_form_posted_again_registers_nothing_more_and_links_to_the_petition(client, staff):
    data = filled_petition_form(client)
    assert data["submission_token"][0]  # drawn into the form
    first = client.post("/admin/petition/new/", data=data)
    assert first.status_code == 302
    petition = Petition.get()
    again = client.post("/admin/petition/new/", data=data)  # Back, then 保存 again
    assert again.status_code == 302
    assert again.headers["Location"].endswith("/admin/petition/details/?id=%d" % petition.id)
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert SAVED in alerts(page) and petition.number in page
    assert Petition.select().count() == 1 and Petitioner.select().count() == 1
    stored = Submission.get()
    assert (stored.kind, stored.record_id, stored.user_id) == ("petition", petition.id, staff.id)
    assert data["submission_token"][0] not in stored.key  # only its hash is kept


def test_a_new_form_registers_a_new_petition_and_a_form_without_token_still_saves(client, staff):
    client.post("/admin/petition/new/", data=filled_petition_form(client))
    # opened again: a new form (another person: the same name and phone would ask 使用该信访人 / 仍然新建)
    client.post("/admin/petition/new/", data=filled_petition_form(client, name="刘某乙"))
    no_token = filled_petition_form(client, name="刘某丙")
    del no_token["submission_token"]  # an old page or a script: saved as before
    assert client.post("/admin/petition/new/", data=no_token).status_code == 302
    assert Petition.select().count() == 3


def test_a_refused_form_corrected_and_posted_again_is_saved(client, staff):
    data = filled_petition_form(client)
    refused = client.post("/admin/petition/new/", data=dict(data, subject=[""]))
    assert refused.status_code == 200 and Petition.select().count() == 0  # the token is not spent
    assert client.post("/admin/petition/new/", data=data).status_code == 302
    assert Petition.select().count() == 1


def registered(staff, make_petition, count=1):
    petitions = [make_petition(subject="事项%d" % i) for i in range(count)]
    for petition in petitions:
        workflow.register(petition, staff)
    return petitions


def step_form(client, step, ids):
    """The step's URL and its form page (as the browser drew it)."""
    url = "/admin/petition/step/%s/?ids=%s" % (step, ",".join(str(i) for i in ids))
    return url, client.get(url).get_data(as_text=True)


MEDIATION = {"committee": "高桥镇人民调解委员会", "party_particulars": "刘某某，男，汉族，1970年5月3日，371526197005031234，高桥镇后屯村12号，13800138000", "dispute_facts": "院墙外扩占用共用道路。", "disputed_matters": "院墙应否恢复原址。", "parties": "刘某某、张某", "mediator": "人民调解员 赵某", "lawyer": "律师 孙某", "place": "高桥镇一站式矛调中心",
             "agreement": "双方确认界址，恢复共用道路通行。", "signed_on": dt.date.today().isoformat(),
             "judicial_confirmation": "none"}


def test_the_mediation_step_form_posted_again_records_one_mediation(client, staff, make_petition):
    petition, = registered(staff, make_petition)
    url, page = step_form(client, "mediate", [petition.id])
    data = dict(MEDIATION, csrf_token=csrf_token(page), submission_token=submission_token(page))
    assert client.post(url, data=data).status_code == 302
    again = client.post(url, data=data)  # Back, then 确定 again
    assert again.headers["Location"].endswith("/admin/petition/details/?id=%d" % petition.id)
    assert SAVED in alerts(client.get(again.headers["Location"]).get_data(as_text=True))
    assert Mediation.select().count() == 1


def test_the_mediation_screen_form_posted_again_records_one_mediation(client, staff, make_petition):
    petition, = registered(staff, make_petition)
    data = model_form(client.get("/admin/mediation/new/").get_data(as_text=True))
    data.update({name: [value] for name, value in MEDIATION.items()}, petition=[str(petition.id)])
    assert client.post("/admin/mediation/new/", data=data).status_code == 302
    mediation = Mediation.get()
    again = client.post("/admin/mediation/new/", data=data)
    assert again.headers["Location"].endswith("/admin/mediation/details/?id=%d" % mediation.id)
    assert Mediation.select().count() == 1


def sign_offs():
    return StepRecord.select().where(StepRecord.step == "sign_off").count()


def test_a_bulk_step_form_posted_again_takes_the_step_once_per_petition(client, staff, make_petition):
    petitions = registered(staff, make_petition, 3)
    url, page = step_form(client, "sign_off", [p.id for p in petitions])
    data = {"note": "请尽快化解", "csrf_token": csrf_token(page), "submission_token": submission_token(page)}
    client.post(url, data=data)
    again = client.post(url, data=data, follow_redirects=True)
    assert SAVED in alerts(again.get_data(as_text=True))
    assert sign_offs() == 3


def test_a_list_action_posted_again_is_answered_saved_and_the_same_list_serves_other_rows(client, staff,
                                                                                           make_petition):
    petitions = [make_petition(subject="事项%d" % i) for i in range(3)]
    for petition in petitions:
        workflow.register(petition, staff)
    page = client.get("/admin/petition/").get_data(as_text=True)
    action_form = [f for f in forms(page) if f["attrs"].get("id") == "action_form"][0]
    token = dict(action_form["fields"])["submission_token"]
    assert token

    def confirmed(ids):
        """受理 from the list asks first (a page naming the petitions); its 确认 is the step's form."""
        confirm_page = client.post("/admin/petition/action/", data={
            "action": "accept", "rowid": ids, "csrf_token": csrf_token(page), "submission_token": token},
            follow_redirects=True)
        html = confirm_page.get_data(as_text=True)
        step_form = [f for f in forms(html) if f["attrs"].get("class") == "admin-form"][0]
        url = confirm_page.request.full_path
        return lambda: client.post(url, data=dict(step_form["fields"]), follow_redirects=True)

    first = confirmed([petitions[0].id, petitions[1].id])
    assert "受理：已办理 2 件。" in alerts(first().get_data(as_text=True))
    assert SAVED in alerts(first().get_data(as_text=True))  # the same confirmation posted again
    other = confirmed([petitions[2].id])  # Back to the list, other rows chosen: another use of the list's form
    assert "受理：已办理 1 件。" in alerts(other().get_data(as_text=True))
    assert Petition.select().where(Petition.status == "accepted").count() == 3


def test_a_step_button_of_the_petition_page_posted_again_is_answered_saved(client, staff, make_petition):
    petition, = registered(staff, make_petition)
    page = client.get("/admin/petition/details/?id=%d" % petition.id).get_data(as_text=True)
    button = [f for f in forms(page) if "/step/accept/" in (f["attrs"].get("action") or "")][0]
    data = dict(button["fields"])
    assert data["submission_token"]
    client.post(button["attrs"]["action"], data=data)
    again = client.post(button["attrs"]["action"], data=data, follow_redirects=True)
    assert SAVED in alerts(again.get_data(as_text=True))
    assert StepRecord.select().where(StepRecord.step == "accept").count() == 1


def test_a_consultation_conclusion_posted_again_is_recorded_once(client, staff, make_petition):
    petition, = registered(staff, make_petition)
    deputy = Representative.create(name="王春月", kind="npc_deputy")
    consultation = workflow.convene([petition], staff, held_at=now(), place="联合接访大厅", agenda="补偿款分配方案",
                                    representatives=[deputy])
    url = "/admin/consultation/conclude/?id=%d" % consultation.id
    page = client.get(url).get_data(as_text=True)
    data = {"conclusion": "按人口平均分配补偿款。", "csrf_token": csrf_token(page),
            "submission_token": submission_token(page)}
    client.post(url, data=data)
    again = client.post(url, data=data)
    assert again.headers["Location"].endswith("/admin/consultation/details/?id=%d" % consultation.id)
    assert SAVED in alerts(client.get(again.headers["Location"]).get_data(as_text=True))
    assert AuditEntry.select().where(AuditEntry.summary == "conclude").count() == 1


def test_the_same_petition_form_posted_at_the_same_moment_registers_one(app, client, staff, monkeypatch):
    from admin_app.views.petitions import screens

    register = screens.workflow.register

    def slow_register(*args, **kwargs):  # both posts are inside their save at once, not one after the other
        import time

        time.sleep(0.3)
        return register(*args, **kwargs)

    monkeypatch.setattr(screens.workflow, "register", slow_register)
    clients = concurrent_clients(app, 2)
    data = filled_petition_form(client)
    token = data["submission_token"]

    def post(other):
        fields = filled_petition_form(other)  # its own session's CSRF token, the same form's submission token
        fields["submission_token"] = token
        return other.post("/admin/petition/new/", data=fields)

    results = at_once(clients, post)
    assert all(not isinstance(r, Exception) and r.status_code == 302 for r in results), results
    assert Petition.select().count() == 1 and Petitioner.select().count() == 1
    petition = Petition.get()
    messages = [alerts(other.get(r.headers["Location"]).get_data(as_text=True)) for other, r in zip(clients, results)]
    assert sorted(SAVED in m for m in messages) == [False, True], messages  # one saved it, the other was told
    duplicate = results[[SAVED in m for m in messages].index(True)]
    assert duplicate.headers["Location"].endswith("/admin/petition/details/?id=%d" % petition.id)


def test_the_same_step_form_posted_at_the_same_moment_takes_the_step_once(app, client, staff, make_petition):
    petition, = registered(staff, make_petition)
    url, page = step_form(client, "sign_off", [petition.id])
    token = submission_token(page)
    clients = concurrent_clients(app, 4)
    tokens = [csrf_token(step_form(c, "sign_off", [petition.id])[1]) for c in clients]
    results = at_once(clients, lambda c: c.post(url, data={
        "note": "请尽快化解", "csrf_token": tokens[clients.index(c)], "submission_token": token}))
    assert all(not isinstance(r, Exception) and r.status_code == 302 for r in results), results
    assert sign_offs() == 1
