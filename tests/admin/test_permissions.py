"""The permission table, cell by cell, against the running app; and a department sees only its own."""
import pytest

from admin_app import permissions
from models import access, workflow
from models.casework import Referral
from models.documents import Document
from models.organisation import Department
from models.petition import Petition

from tests.admin.helpers import step_buttons, visible_text

ROLES = ("admin", "staff", "representative", "department", "leader")

# Routes outside the permission table, and what a logged-in user gets from a GET (None: not fetched here:
# a path parameter, a POST-only route, or the logout itself). A new route outside /admin/ must be listed here.
OUTSIDE = {"root": 302, "static": None, "auth.login": 302, "auth.logout": None, "auth.change_password": 200,
           "api.openapi": 200, "api.push_tickets": None, "api.get_ticket": None,
           "public.lookup_page": 200, "public.evaluate": None}  # the petitioner's look-up (查询码), no login
PUBLIC_ADMIN = {"admin.static"}  # Flask-Admin's own assets, served to anyone

# The operation each GET route of a screen is, as the office means it (written here, not read from the views'
# route_ops, so a route that declares the wrong operation fails). A new route must be added here.
OPS = {"index": "read", "index_view": "read", "details_view": "read", "ajax_lookup": "read", "monthly_report": "read",
       "repeat_check_view": "read", "visit_view": "read", "template_view": "read",
       "create_view": "create", "import_view": "create", "edit_view": "edit", "void_view": "edit",
       "reissue_view": "edit", "conclude_view": "step", "reply_view": "step", "object_view": "step",
       "download_view": "letter", "merged_view": "letter", "letter_preview_view": "letter",
       "letter_record_view": "letter", "letters_print_view": "letter", "export": "export", "step_view": "step", "step_time_view": "edit",
       "merge_view": "edit", "duplicates_view": "edit", "revise_view": "edit",  # 信访人合并, 重复登记的信访人: staff and the administrator
       "delivery_view": "edit", "delivery_receipt_view": "letter",
       "kind_view": "read",
       "supervise_view": "create", "respond_view": "step"}  # 督办: started by the office, replied by the department  # 文书措辞: the editor of a kind's wording (its saves and previews are POSTs: "edit")  # 登记送达 as issuing letters; 送达回证 as printing
# Routes of one record (?id=): an allowed role gets 200 for a record it may see, 404 for one it may not.
ONE_RECORD = {"details_view", "edit_view", "void_view", "reissue_view", "conclude_view", "revise_view", "reply_view", "object_view",
              "download_view", "visit_view", "merged_view", "letter_preview_view", "letters_print_view", "merge_view",
              "letter_record_view", "step_time_view", "delivery_view", "delivery_receipt_view", "supervise_view",
              "respond_view"}
# The redirects an allowed role may get instead of the page (where the page is for records in another state).
REDIRECTS = {"visit_view": "/admin/visitlog/new/", "reply_view": "/admin/referral/details/",
             "object_view": "/admin/referral/details/", "conclude_view": "/admin/consultation/details/",
             "revise_view": "/admin/consultation/details/",
             "letter_preview_view": "/admin/petition/details/", "letter_record_view": "/admin/petition/details/",
             "step_time_view": "/admin/petition/details/",
             "delivery_view": "/admin/petition/details/", "delivery_receipt_view": "/admin/petition/details/",
             # 督办 of a petition that has no grounds for one (the reason shown on its page); a 督办 replied to
             "supervise_view": "/admin/petition/details/", "respond_view": "/admin/supervision/details/"}
EMPTY_IN_DEMO = {"hotlineticket", "flags", "apiclient"}  # no record of these in the demo county


def admin_views(app):
    """Every view registered with Flask-Admin (admin.add_view or add_views), the home page included."""
    (admin,) = app.extensions["admin"]
    return {view.endpoint: view for view in admin._views}


def endpoints(app):
    return sorted(admin_views(app))


def test_every_screen_and_route_has_a_rule(app):
    """A new screen or route without an entry in permissions.MATRIX (or in OUTSIDE) fails here."""
    views = admin_views(app)
    assert {"admin", "petition", "petition_import"} <= set(views)
    assert [e for e in views if e not in permissions.MATRIX] == []
    unruled, outside = [], []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ADMIN:
            continue
        if rule.rule.startswith("/admin/") or rule.rule == "/admin":
            screen = rule.endpoint.split(".")[0]
            if screen not in views or screen not in permissions.MATRIX:
                unruled.append(rule.rule)
        elif rule.endpoint not in OUTSIDE:
            outside.append(rule.rule)
    assert unruled == [] and outside == []


def url_of(endpoint, page="index"):
    if endpoint == "admin":
        return "/admin/"
    return {"index": "/admin/%s/", "new": "/admin/%s/new/", "details": "/admin/%s/details/?id=%d",
            "edit": "/admin/%s/edit/?id=%d"}[page] % ((endpoint,) if page in ("index", "new") else (endpoint, 1))


def tiny_pdf():
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def office(db, login_as):
    """The demo county (and one archived letter, about a petition referred to 县自然资源局); login(role) logs in a
    user of that role, linked to a demo department or 王春月."""
    import hashlib

    from models.demo import seed_demo
    from models.people import Representative

    seed_demo()
    referral = Referral.select().join(Department).where(Department.name == "县自然资源局").first()
    pdf = tiny_pdf()
    Document.create(kind="referral_notice", petition=referral.petition_id, issuer=Department.select().first(),
                    number="高信访〔2023〕99号", prefix="高信访", year=2023, sequence=99, record_id=referral.id,
                    pdf=pdf, sha256=hashlib.sha256(pdf).hexdigest())

    # a 督办 of 县自然资源局 (the department user's) and one of another department
    from models.supervision import Supervision

    for supervised in (referral, Referral.select().join(Department).where(Department.name != "县自然资源局").first()):
        Supervision.create(petition=supervised.petition_id, referral=supervised, department=supervised.department_id,
                           kind="written", grounds="overdue", note="请抓紧办理。", due_on=referral.sent_at.date())

    def login(role):
        links = {"department": {"department": Department.get(Department.name == "县自然资源局")},
                 "representative": {"representative": Representative.get(Representative.name == "王春月")}}
        return login_as(role, **links.get(role, {}))

    return login


def records_of(view, screen, user):
    """(a record this user may see, one it may not) of the view's table; either may be None."""
    if getattr(view, "model", None) is None:
        return None, None
    model = view.model
    ordered = model.select().order_by(model.id)
    seen = access.visible(ordered, user, screen).first()
    unseen = ordered.where(model.id.not_in(access.visible(model.select(model.id), user, screen))).first()
    return seen, unseen


def query_of(route, screen, view, record):
    """The query string that opens the route on this record."""
    if route == "ajax_lookup":
        names = sorted(getattr(view, "_form_ajax_refs", None) or {})
        return "?name=%s&query=a" % (names[0] if names else "none")
    if route == "repeat_check_view":
        from models.people import Petitioner

        return "?petitioner=%d" % Petitioner.select().first().id
    if route in ("merged_view", "letters_print_view"):
        return "?ids=%d" % record.id
    if route in ("letter_preview_view", "letter_record_view"):
        return "?id=%d&kind=acceptance_notice" % record.id
    if route == "supervise_view":  # 督办 of the petition of a 督办 (the record the role may or may not see)
        return "?petition=%d" % record.petition_id
    if route in ONE_RECORD:
        return "?id=%d" % record.id
    return ""


def expected_when_allowed(route, view):
    """(status, where a redirect goes) for a role that may use the route, on a record it may see."""
    index = "/admin/%s/" % view.endpoint
    if route == "create_view" and not getattr(view, "_offers_can_create", True):
        return 302, index
    if route == "edit_view" and not getattr(view, "_offers_can_edit", True):
        return 302, index
    if route == "export" and not getattr(view, "_offers_can_export", True):
        return 302, index
    if route == "ajax_lookup" and not getattr(view, "_form_ajax_refs", None):
        return 404, None  # a view without type-aheads has no lookup to answer
    return 200, None


def check(response, expected, route, label):
    status, location = expected
    if status == 200 and route in REDIRECTS and response.status_code == 302:
        status, location = 302, REDIRECTS[route]
    assert response.status_code == status, (label, response.status_code, status)
    if status == 302:
        assert response.location.startswith(location), (label, response.location)
    if status == 200 and route in ("download_view", "merged_view", "letter_preview_view", "delivery_receipt_view"):
        assert response.data.startswith(b"%PDF"), label


@pytest.mark.parametrize("role", ROLES)
def test_the_matrix_holds_on_every_route(app, client, office, role):
    """Every GET route of every registered screen, against the table: an allowed role gets the page (200 or its
    redirect), 404 for a record outside its scope; a refused one 403; nothing else (a 500 is never allowed)."""
    user = office(role)
    views = admin_views(app)
    checked, unchecked = [], set()
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint in PUBLIC_ADMIN:
            continue
        if not rule.rule.startswith("/admin/"):
            expected = OUTSIDE[rule.endpoint]
            if expected is not None and not rule.arguments:
                response = client.get(rule.rule)
                assert response.status_code == expected, (role, rule.rule, response.status_code)
            continue
        screen, route = rule.endpoint.split(".", 1)
        view = views[screen]
        assert route in OPS, "say which operation %s is in OPS" % rule.endpoint
        if rule.arguments - {"export_type"}:
            continue  # the step route: test_every_step_follows_the_table
        path = rule.rule.replace("<export_type>", "csv")
        allowed = permissions.allowed(role, screen, OPS[route])
        seen, unseen = records_of(view, screen, user)
        needs_record = route in ONE_RECORD
        if needs_record and seen is None and unseen is None:
            unchecked.add(screen)
            continue
        label = (role, rule.endpoint)
        if not allowed:
            record = seen or unseen
            response = client.get(path + query_of(route, screen, view, record))
            assert response.status_code == 403, (label, response.status_code)
            checked.append(rule.endpoint)
            continue
        if seen is not None or not needs_record:
            response = client.get(path + query_of(route, screen, view, seen))
            check(response, expected_when_allowed(route, view), route, label)
            checked.append(rule.endpoint)
        if needs_record and unseen is not None and route != "visit_view":
            response = client.get(path + query_of(route, screen, view, unseen))
            status = expected_when_allowed(route, view)[0]  # a screen that does not offer it redirects first
            assert response.status_code == (404 if status == 200 else status), (label, "out of scope",
                                                                               response.status_code)
            checked.append(rule.endpoint)
    assert unchecked <= EMPTY_IN_DEMO, unchecked
    assert {"petition_import.index", "petition_import.template_view", "petition.details_view",
            "document.download_view", "admin.monthly_report"} <= set(checked)


@pytest.mark.parametrize("role", ROLES)
def test_the_matrix_holds_on_every_screen(app, client, office, role):
    user = office(role)
    checked = 0
    for endpoint in endpoints(app):
        view = admin_views(app)[endpoint]
        response = client.get(url_of(endpoint))
        expected = 200 if permissions.allowed(role, endpoint, "read") else 403
        assert response.status_code == expected, (role, endpoint, response.status_code)
        checked += 1
        if getattr(view, "model", None) is None:
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
            else:
                assert edit in ((200,) if in_scope else (404,)), (role, endpoint, edit)
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
    for endpoint in admin_views(app):
        if endpoint == "admin":
            continue
        linked = 'href="/admin/%s/"' % endpoint in page
        assert linked == permissions.allowed(role, endpoint, "read"), (role, endpoint)


def visible_petition(user):
    return access.visible(Petition.select(), user, "petition").order_by(Petition.id).first()


@pytest.mark.parametrize("role, step, allowed", [
    ("representative", "accept", False), ("representative", "follow_up", True), ("department", "refer", False),
    ("leader", "close", False), ("leader", "sign_off", True), ("staff", "void", True),
])
def test_workflow_steps_follow_the_role(client, office, role, step, allowed):
    user = office(role)
    petition = visible_petition(user)
    response = client.get("/admin/petition/step/%s/?ids=%d" % (step, petition.id))
    assert response.status_code == (200 if allowed else 403), response.status_code
    if allowed:  # the step's own form, for this petition
        page = response.get_data(as_text=True)
        assert 'id="step-petitions"' in page and petition.number in visible_text(page)


@pytest.mark.parametrize("role", ROLES)
def test_every_step_follows_the_table(client, office, role):
    """Every step's page, for a petition the role may see: 200 where the tables allow it, 403 elsewhere."""
    from admin_app.views.petitions.steps import STEPS

    user = office(role)
    petition = visible_petition(user)
    for step in sorted(set(STEPS) | {"convene"}):
        allowed = permissions.allowed(role, "petition", "step") and permissions.may_take_step(role, step)
        response = client.get("/admin/petition/step/%s/?ids=%d" % (step, petition.id))
        assert response.status_code == (200 if allowed else 403), (role, step, response.status_code)
        if allowed:
            assert petition.number in visible_text(response.get_data(as_text=True)), (role, step)


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
    for url, status in (("/admin/petition/details/?id=%d" % other.id, 404),
                        ("/admin/referral/details/?id=%d" % other_referral.id, 404),
                        ("/admin/referral/reply/?id=%d" % other_referral.id, 404),
                        ("/admin/referral/object/?id=%d" % other_referral.id, 404),
                        # a department previews no petition's letters (no "letter" on the petition screen)
                        ("/admin/petition/letter/preview/?id=%d&kind=referral_notice&record=%d"
                         % (other.id, other_referral.id), 403)):
        response = client.get(url)
        assert response.status_code == status, url  # 404: not there for this department, as if unknown
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
    page = client.get("/admin/petition/details/?id=%d" % petition.id).get_data(as_text=True)
    assert step_buttons(page) == {"sign_off"}  # 领导签批, and no other step
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
    workflow.accept(consulted, staff, at=day - dt.timedelta(days=1))  # steps in the order they happened
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


def every_lookup(app):
    """(view, name, loader) of every type-ahead of every registered view, the inline forms' included."""
    for endpoint, view in sorted(admin_views(app).items()):
        for name, loader in sorted((getattr(view, "_form_ajax_refs", None) or {}).items()):
            yield view, name, loader


@pytest.mark.parametrize("role", ROLES)
def test_every_type_ahead_answers_within_the_roles_list_scope(app, client, office, role):
    """Each lookup of each view, asked for everything: a subset of the list of its kind this role may open (none
    when it may not open that list), 50 rows at most, and never a 500 for odd paging."""
    user = office(role)
    answered = 0
    for view, name, loader in every_lookup(app):
        label = (role, view.endpoint, name)
        url = "/admin/%s/ajax/lookup/?name=%s&query=&limit=100000" % (view.endpoint, name)
        response = client.get(url)
        if not permissions.allowed(role, view.endpoint, "read"):
            assert response.status_code == 403, label
            continue
        assert response.status_code == 200, label
        kind = getattr(loader, "kind", None)
        assert kind is not None, ("a type-ahead without a row scope", label)
        model = loader.model
        scope = set()
        if permissions.allowed(role, kind, "read"):
            scope = {i for (i,) in access.visible(model.select(model.id), user, kind).tuples()}
        found = {row[0] for row in response.get_json()}
        assert found <= scope and len(found) <= 50, (label, found - scope)
        answered += bool(found)
        for odd in ("&offset=-1", "&limit=-1", "&limit=x&offset=y", "&offset=99999999999999999999"):
            odd_response = client.get(url + odd)
            assert odd_response.status_code == 200 and isinstance(odd_response.get_json(), list), (label, odd)
    assert answered or role == "department", role  # the test reads real answers, not only empty lists


def test_the_office_settings_are_the_administrator_s_alone():
    """系统设置 (views/settings.py): its one route reads (GET) and saves (POST, checked as edit)."""
    assert [role for role in ROLES if permissions.allowed(role, "officesettings", "read")] == ["admin"]
    assert [role for role in ROLES if permissions.allowed(role, "officesettings", "edit")] == ["admin"]
