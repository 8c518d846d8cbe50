"""The holes an insider found, each read back from the screens: a representative widening its own scope with a
link, type-aheads answering outside the list's scope (and rebuilding phones digit by digit), the petitioner
register and 排访 shown whole to representatives, and a department reading another department's work."""
import datetime as dt

import pytest

from admin_app import permissions
from models import access, workflow
from models.casework import Referral, VisitLog, VisitRepresentative
from models.db import now
from models.documents import Document
from models.hotline import HotlineTicket
from models.organisation import Department
from models.people import Petitioner, Representative, Team
from models.petition import Petition

from tests.admin.helpers import alerts, csrf_token, field_errors, log_out, visible_text

NOT_YOURS = "只能关联您有权查看的信访事项"  # the start of access.REFUSALS["petition"] in Chinese


@pytest.fixture
def county(db, make_petition, make_petitioner, make_user):
    """Team 1's petition "ours" (its representative 周代表, signed in as "rep") and team 2's "theirs", both accepted;
    a person met by nobody; a staff user."""
    team, other_team = Team.select().order_by(Team.id)[:2]
    rep = Representative.create(name="周代表", kind="npc_deputy", team=team)
    staff = make_user("staff", username="officer")
    ours = make_petition(subject="本团队的事项", team=team, petitioner=make_petitioner(name="本团队信访人",
                                                                                   phone="13800000101"))
    theirs = make_petition(subject="别的团队的事项", team=other_team,
                           petitioner=make_petitioner(name="别的团队信访人", phone="13800000202"))
    for petition in (ours, theirs):
        workflow.accept(petition, staff)
    stranger = make_petitioner(name="无关的人", phone="13987654321")
    return {"rep": rep, "staff": staff, "ours": Petition.get_by_id(ours.id), "theirs": Petition.get_by_id(theirs.id),
            "stranger": stranger}


def visit_form(client, url, **values):
    """Post the visit log form at `url` with its CSRF token; the representative present is 周代表."""
    page = client.get(url).get_data(as_text=True)
    rep = Representative.get(Representative.name == "周代表")
    data = {"csrf_token": csrf_token(page), "visited_at": "2024-03-01 09:00", "kind": "reception", "place": "大厅",
            "summary": "来访反映情况", "representatives_present-0-representative": str(rep.id)}
    data.update({k: str(v) for k, v in values.items()})
    return client.post(url, data=data)


# -- 1. a link that would widen the writer's own scope ---------------------------------------------------------

def test_a_representative_cannot_open_a_petition_by_logging_a_visit_to_it(client, login_as, county):
    login_as("representative", representative=county["rep"])
    theirs = county["theirs"]
    assert client.get("/admin/petition/details/?id=%d" % theirs.id).status_code == 404
    response = visit_form(client, "/admin/visitlog/new/", petition=theirs.id)
    page = response.get_data(as_text=True)
    assert response.status_code == 200, response.location  # the form again, with the reason on the field
    assert any("您无权选择" in e or NOT_YOURS in e for e in field_errors(page)), field_errors(page)
    assert VisitLog.select().count() == 0 and VisitRepresentative.select().count() == 0
    assert client.get("/admin/petition/details/?id=%d" % theirs.id).status_code == 404
    assert "别的团队的事项" not in visible_text(client.get("/admin/petition/").get_data(as_text=True))


def test_a_representative_cannot_repoint_its_own_visit_log(client, login_as, county):
    login_as("representative", representative=county["rep"])
    ours, theirs = county["ours"], county["theirs"]
    assert visit_form(client, "/admin/visitlog/new/", petition=ours.id).status_code == 302  # its own: fine
    visit = VisitLog.get()
    assert visit.petition_id == ours.id and visit.representatives_present.count() == 1
    url = "/admin/visitlog/edit/?id=%d" % visit.id
    page = client.get(url).get_data(as_text=True)
    response = client.post(url, data={
        "csrf_token": csrf_token(page), "version": str(visit.version), "visited_at": "2024-03-01 09:00",
        "kind": "reception", "place": "大厅", "summary": "改指别的事项", "petition": str(theirs.id),
        "representatives_present-0-id": str(visit.representatives_present.get().id),
        "representatives_present-0-representative": str(county["rep"].id)})
    assert response.status_code == 200 and field_errors(response.get_data(as_text=True))
    assert VisitLog.get_by_id(visit.id).petition_id == ours.id and VisitLog.get_by_id(visit.id).summary == "来访反映情况"
    assert client.get("/admin/petition/details/?id=%d" % theirs.id).status_code == 404


def test_the_shared_save_refuses_the_link_even_when_a_type_ahead_lets_it_through(client, login_as, county,
                                                                                 monkeypatch):
    """A type-ahead that forgot the scope: SecureModelView._save still asks access.check_links, and says why."""
    from admin_app.views.fields import ActiveLoader

    monkeypatch.setattr(ActiveLoader, "get_one", lambda self, pk: self.model.get_or_none(self.model.id == int(pk)))
    login_as("representative", representative=county["rep"])
    response = visit_form(client, "/admin/visitlog/new/", petition=county["theirs"].id)
    page = response.get_data(as_text=True)
    assert response.status_code == 200, response.location
    assert any(NOT_YOURS in e for e in field_errors(page)) and any(NOT_YOURS in a for a in alerts(page))
    assert VisitLog.select().count() == 0
    assert client.get("/admin/petition/details/?id=%d" % county["theirs"].id).status_code == 404


# -- 2. type-aheads ---------------------------------------------------------------------------------------------

def lookup(client, view, name, query="", **args):
    args = "".join("&%s=%s" % item for item in args.items())
    response = client.get("/admin/%s/ajax/lookup/?name=%s&query=%s%s" % (view, name, query, args))
    assert response.status_code == 200, (view, name, response.status_code)
    return response.get_json()


@pytest.mark.parametrize("role", ["representative", "department", "leader"])
def test_the_petitioner_type_ahead_keeps_to_the_list_and_never_matches_a_part_of_a_phone(client, login_as, county,
                                                                                         role):
    fields = {"representative": {"representative": county["rep"]},
              "department": {"department": Department.create(name="县住建局", short_name="高住建", kind="county")}}
    user = login_as(role, **fields.get(role, {}))
    if role == "department":
        workflow.refer(county["ours"], user.department, county["staff"])
    listed = {p.id for p in access.visible(Petitioner.select(), user, "petitioner")}
    if not permissions.allowed(role, "petitioner", "read"):
        listed = set()  # no list at all (a department): no one to offer
    every = {row[0] for row in lookup(client, "petition", "petitioner", "", limit=100000)}
    assert every == listed and len(every) <= 50
    if role != "leader":
        assert county["stranger"].id not in every
    for digits in ("1", "139", "1398765432", "13987654321"):  # a prefix, and the whole number (not this role's)
        assert lookup(client, "petition", "petitioner", digits, limit=100000) == [], digits
    for bad in ({"offset": "-1"}, {"limit": "-5"}, {"limit": "abc", "offset": "x"}, {"offset": "99999999999999"}):
        assert isinstance(lookup(client, "petition", "petitioner", "信访人", **bad), list), bad


def test_staff_find_a_person_by_the_whole_phone_only(client, login_as, county):
    login_as("staff")
    stranger = county["stranger"]
    assert [row[0] for row in lookup(client, "petition", "petitioner", "13987654321")] == [stranger.id]
    assert "139****4321" in lookup(client, "petition", "petitioner", "13987654321")[0][1]  # shown masked
    for part in ("1", "139876", "1398765432", "987654321"):
        assert lookup(client, "petition", "petitioner", part) == [], part
    assert len(lookup(client, "petition", "petitioner", "", limit=100000, offset=-3)) <= 50


# -- 3. the petitioner register and 排访 for a representative ---------------------------------------------------

def test_a_representative_sees_only_the_people_of_its_cases(client, login_as, county):
    login_as("representative", representative=county["rep"])
    listing = visible_text(client.get("/admin/petitioner/").get_data(as_text=True))
    assert "本团队信访人" in listing
    assert "别的团队信访人" not in listing and "无关的人" not in listing
    assert client.get("/admin/petitioner/details/?id=%d" % county["stranger"].id).status_code == 404


def test_the_screening_page_shows_a_representative_only_its_own_signs(client, login_as, county, make_petitioner):
    ours, theirs = county["ours"], county["theirs"]
    for petition in (ours, theirs):
        Petition.update(is_collective=True, head_count=6).where(Petition.id == petition.id).execute()
    HotlineTicket.create(number="12345-2024-77777", called_at=now() - dt.timedelta(days=1), caller="柳某来电",
                         phone=theirs.petitioner.phone, content="又来电")  # its caller has petition "theirs"
    login_as("representative", representative=county["rep"])
    text = visible_text(client.get("/admin/flags/").get_data(as_text=True))
    assert ours.number in text
    assert theirs.number not in text and "12345-2024-77777" not in text and "柳某来电" not in text
    log_out(client)
    login_as("staff", username="staff2")
    text = visible_text(client.get("/admin/flags/").get_data(as_text=True))
    assert ours.number in text and theirs.number in text and "12345-2024-77777" in text


# -- 4. a department and another department's work on the same petition ---------------------------------------

@pytest.fixture
def two_referrals(db, make_petition, make_user, app):
    """Referred to 县住建局, which objected, then to 县人社局, which replied; the assignment sheet of each."""
    from admin_app.letters import render as letters

    app.config.update(LETTER_CONTACT="王小红", LETTER_CONTACT_PHONE="0536-7654321")  # a 交办单 names them
    issuing = Department.create(name="县信访局", short_name="高信访", kind="county")
    first = Department.create(name="县住建局", short_name="高住建", kind="county")
    second = Department.create(name="县人社局", short_name="高人社", kind="county")
    staff = make_user("staff", username="officer")
    start = now() - dt.timedelta(hours=6)
    petition = make_petition(subject="两个部门办过的事项", received_at=start)
    workflow.accept(petition, staff, at=start + dt.timedelta(hours=1))
    sheets = {}

    def sheet(referral):  # issued while the referral stands (an objected one has no sheet to issue)
        with app.test_request_context("/"):
            sheets[referral.department.name] = letters.issue_letter("assignment_sheet", petition, staff,
                                                                    record_id=referral.id)

    objected = workflow.refer(petition, first, staff, at=start + dt.timedelta(hours=2))
    sheet(objected)
    workflow.object_to_referral(objected, staff, "本局无权处理，建议交人社局", at=start + dt.timedelta(hours=3))
    replied = workflow.refer(petition, second, staff, at=start + dt.timedelta(hours=4))
    sheet(replied)
    workflow.record_reply(replied, staff, "support", "欠薪属实", "责令用人单位补发工资", "《劳动合同法》",
                          at=start + dt.timedelta(hours=5))
    assert issuing.short_name == "高信访"
    return Petition.get_by_id(petition.id), first, second, sheets


def test_a_department_does_not_read_another_departments_objection_or_reply(client, login_as, two_referrals):
    petition, first, second, sheets = two_referrals
    login_as("department", username="renshe", department=second)
    page = client.get("/admin/petition/details/?id=%d" % petition.id).get_data(as_text=True)
    text = visible_text(page)
    assert "两个部门办过的事项" in text and "县人社局" in text and sheets["县人社局"].number in text
    assert "本局无权处理" not in text and "县住建局" not in text and sheets["县住建局"].number not in text
    documents = visible_text(client.get("/admin/document/").get_data(as_text=True))
    assert sheets["县人社局"].number in documents and sheets["县住建局"].number not in documents
    assert client.get("/admin/document/download/?id=%d" % sheets["县住建局"].id).status_code == 404
    log_out(client)
    login_as("department", username="zhujian", department=first)
    text = visible_text(client.get("/admin/petition/details/?id=%d" % petition.id).get_data(as_text=True))
    assert "本局无权处理" in text and sheets["县住建局"].number in text  # its own objection and letter
    assert "县人社局" not in text and "予以支持" not in text and sheets["县人社局"].number not in text
    referral = Referral.get(Referral.department == second)
    assert client.get("/admin/referral/details/?id=%d" % referral.id).status_code == 404
    assert Document.select().count() == 2
