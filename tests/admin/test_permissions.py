"""The permission table, cell by cell, against the running app; and a department sees only its own."""
import pytest

from admin_app import permissions
from models import access
from models import workflow
from models.casework import Referral
from models.documents import Document
from models.organisation import Department
from models.petition import Petition

from tests.admin.helpers import visible_text

ROLES = ("admin", "staff", "representative", "department", "leader")


def endpoints(app):
    return ["admin"] + sorted(app.extensions["office_views"])


def test_every_screen_has_a_rule(app):
    """A new screen without an entry in permissions.MATRIX fails here."""
    missing = [e for e in endpoints(app) if e not in permissions.MATRIX]
    assert missing == []


def url_of(endpoint, page="index"):
    if endpoint == "admin":
        return "/admin/"
    return {"index": "/admin/%s/", "new": "/admin/%s/new/", "details": "/admin/%s/details/?id=%d",
            "edit": "/admin/%s/edit/?id=%d"}[page] % ((endpoint,) if page in ("index", "new") else (endpoint, 1))


@pytest.fixture
def office(db, login_as):
    """The demo county; login(role) logs in a user of that role, linked to a demo department or 王春月."""
    from models.demo import seed_demo
    from models.people import Representative

    seed_demo()

    def login(role):
        links = {"department": {"department": Department.get(Department.name == "县自然资源局")},
                 "representative": {"representative": Representative.get(Representative.name == "王春月")}}
        return login_as(role, **links.get(role, {}))

    return login


@pytest.mark.parametrize("role", ROLES)
def test_the_matrix_holds_on_every_screen(app, client, office, role):
    user = office(role)
    checked = 0
    for endpoint in endpoints(app):
        view = app.extensions["office_views"].get(endpoint)
        response = client.get(url_of(endpoint))
        expected = 200 if permissions.allowed(role, endpoint, "read") else 403
        assert response.status_code == expected, (role, endpoint, response.status_code)
        checked += 1
        if view is None:
            continue
        if getattr(view, "_offers_can_create", False):
            status = client.get(url_of(endpoint, "new")).status_code
            assert status == (200 if permissions.allowed(role, endpoint, "create") else 403), (role, endpoint)
            checked += 1
        first = view.model.select().order_by(view.model.id).first()
        if first is None:
            continue
        details = client.get("/admin/%s/details/?id=%d" % (endpoint, first.id)).status_code
        if not permissions.allowed(role, endpoint, "read"):
            assert details == 403, (role, endpoint)
        else:
            in_scope = access.visible(view.model.select(), user, endpoint).where(view.model.id == first.id).exists()
            assert details == (200 if in_scope else 404), (role, endpoint, details)
        if getattr(view, "_offers_can_edit", False):
            edit = client.get("/admin/%s/edit/?id=%d" % (endpoint, first.id)).status_code
            if not permissions.allowed(role, endpoint, "edit"):
                assert edit == 403, (role, endpoint, edit)
        if getattr(view, "_offers_can_delete", False) and not permissions.allowed(role, endpoint, "delete"):
            response = client.post("/admin/%s/delete/" % endpoint, data={"id": first.id})
            assert response.status_code == 403, (role, endpoint)
            assert view.model.select().where(view.model.id == first.id).exists(), (role, endpoint)
        checked += 1
    assert checked >= len(endpoints(app))


@pytest.mark.parametrize("role", ROLES)
def test_the_menu_shows_only_what_the_role_may_open(app, client, office, role):
    office(role)
    page = client.get("/admin/").get_data(as_text=True)
    for endpoint in app.extensions["office_views"]:
        linked = 'href="/admin/%s/"' % endpoint in page
        assert linked == permissions.allowed(role, endpoint, "read"), (role, endpoint)


@pytest.mark.parametrize("role, step, allowed", [
    ("representative", "accept", False), ("representative", "follow_up", True), ("department", "refer", False),
    ("leader", "close", False), ("leader", "sign_off", True), ("staff", "void", True),
])
def test_workflow_steps_follow_the_role(client, office, role, step, allowed):
    user = office(role)
    petition = access.visible(Petition.select(), user, "petition").first()
    status = client.get("/admin/petition/step/%s/?ids=%d" % (step, petition.id)).status_code
    assert (status != 403) == allowed


@pytest.fixture
def two_departments(db, make_petition, make_user):
    """Petitions referred to 县住建局 and to 县人社局, and a user of 县住建局."""
    office = Department.create(name="县信访局", short_name="高信访", kind="county")
    ours = Department.create(name="县住建局", short_name="高住建", kind="county")
    theirs = Department.create(name="县人社局", short_name="高人社", kind="county")
    staff = make_user("staff", username="officer")
    petitions = {}
    for department, subject in ((ours, "住建局的事项"), (theirs, "人社局的事项")):
        petition = make_petition(subject=subject)
        workflow.register(petition, staff)
        workflow.accept(petition, staff)
        workflow.refer(petition, department, staff)
        petitions[department.name] = Petition.get_by_id(petition.id)
    return office, ours, theirs, petitions


def test_a_department_user_sees_only_its_own_referrals_and_petitions(client, login_as, two_departments):
    _, ours, theirs, petitions = two_departments
    login_as("department", department=ours)
    mine, other = petitions["县住建局"], petitions["县人社局"]
    listing = visible_text(client.get("/admin/petition/").get_data(as_text=True))
    assert "住建局的事项" in listing and "人社局的事项" not in listing
    referrals = visible_text(client.get("/admin/referral/").get_data(as_text=True))
    assert "县住建局" in referrals and "县人社局" not in referrals
    assert client.get("/admin/petition/details/?id=%d" % mine.id).status_code == 200
    other_referral = Referral.get(Referral.petition == other)
    for url in ("/admin/petition/details/?id=%d" % other.id,
                "/admin/referral/details/?id=%d" % other_referral.id,
                "/admin/referral/reply/?id=%d" % other_referral.id,
                "/admin/referral/object/?id=%d" % other_referral.id,
                "/admin/petition/letter/preview/?id=%d&kind=referral_notice&record=%d" % (other.id, other_referral.id)):
        response = client.get(url)
        assert response.status_code in (403, 404), url
        assert "人社局的事项" not in response.get_data(as_text=True), url
    for url in ("/admin/petition/edit/?id=%d" % mine.id, "/admin/petitioner/", "/admin/visitlog/", "/admin/user/",
                "/admin/audit/", "/admin/department/"):
        assert client.get(url).status_code == 403, url


def test_a_department_cannot_download_another_departments_letter(client, login_as, two_departments, app):
    from admin_app.letters import render as letters
    from models.people import User

    office, ours, theirs, petitions = two_departments
    staff = User.get(User.username == "officer")
    with app.test_request_context("/"):
        document = letters.issue_letter("referral_notice", petitions["县人社局"], staff,
                                        record_id=Referral.get(Referral.petition == petitions["县人社局"]).id)
    login_as("department", department=ours)
    for url in ("/admin/document/download/?id=%d" % document.id, "/admin/document/details/?id=%d" % document.id,
                "/admin/document/merged/?ids=%d" % document.id):
        response = client.get(url)
        assert response.status_code == 404, url
        assert not response.get_data().startswith(b"%PDF")
    assert document.number not in client.get("/admin/document/").get_data(as_text=True)
    assert Document.select().count() == 1


def test_a_department_records_the_reply_to_its_own_referral(client, login_as, form_post, two_departments):
    _, ours, _, petitions = two_departments
    login_as("department", department=ours)
    referral = Referral.get(Referral.petition == petitions["县住建局"])
    form_post("/admin/referral/reply/?id=%d" % referral.id, {
        "outcome": "explain", "facts": "经核查……", "opinion": "已向信访人解释说明。", "legal_basis": "《城乡规划法》"})
    assert Referral.get_by_id(referral.id).state == "replied"
    assert Petition.get_by_id(petitions["县住建局"].id).status == "handled"


def test_a_leader_reads_everything_and_only_adds_instructions(client, login_as, form_post, two_departments):
    _, _, _, petitions = two_departments
    login_as("leader")
    petition = petitions["县住建局"]
    assert client.get("/admin/petition/details/?id=%d" % petition.id).status_code == 200
    assert client.get("/admin/petition/edit/?id=%d" % petition.id).status_code == 403
    assert client.get("/admin/petition/new/").status_code == 403
    form_post("/admin/petition/step/sign_off/?ids=%d" % petition.id, {"note": "请县住建局抓紧办理，月底前报结果。"})
    text = visible_text(client.get("/admin/petition/details/?id=%d" % petition.id).get_data(as_text=True))
    assert "领导签批" in text and "请县住建局抓紧办理" in text
    assert Petition.get_by_id(petition.id).status == "referred"


def test_a_representative_sees_the_petitions_of_their_team_cases_and_duty_days(db, make_petition, make_user):
    """Team, 会诊 participant, 坐诊 on the day a petitioner came in person; nothing else."""
    import datetime as dt

    from models.casework import DutyShift
    from models.people import Representative, Team

    team, other_team = Team.select().order_by(Team.id)[:2]
    rep = Representative.create(name="周代表", kind="npc_deputy", team=team)
    colleague = Representative.create(name="吴委员", kind="cppcc_member", team=other_team)
    user = make_user("representative", representative=rep)
    staff = make_user("staff")
    day = dt.datetime(2024, 3, 5, 10, 0)
    of_team = make_petition(subject="本团队的事项", team=team)
    consulted = make_petition(subject="参加会诊的事项", team=other_team)
    workflow.accept(consulted, staff)
    workflow.convene([consulted], staff, held_at=day, place="工作室", agenda="研判", representatives=[rep])
    DutyShift.create(representative=rep, on_date=day.date(), session="am")
    on_duty = make_petition(subject="坐诊当天来访", channel="visit", received_at=day, team=other_team)
    by_letter = make_petition(subject="当天来信", channel="letter", received_at=day, team=other_team)
    next_day = make_petition(subject="次日来访", channel="visit", received_at=day + dt.timedelta(days=1),
                             team=other_team)
    colleagues = make_petition(subject="别的团队的事项", team=other_team, lead_representative=colleague)

    seen = {p.subject for p in access.visible(Petition.select(), user, "petition")}
    assert seen == {"本团队的事项", "参加会诊的事项", "坐诊当天来访"}
    assert not {by_letter.subject, next_day.subject, colleagues.subject} & seen
    assert of_team.subject in seen and on_duty.subject in seen
