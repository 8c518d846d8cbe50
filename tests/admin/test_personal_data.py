"""Personal data: full ID numbers and phones appear nowhere (no page, type-ahead, letter, export, search echo,
session cookie or log line) but on the 显示完整信息 page and the edit form of the roles that need them; each
showing is audited. And passwords: changed by their owner, reset by the administrator, ending other sessions."""
import datetime as dt
import html
import io
import logging
import re
from collections import deque
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import pytest
from pypdf import PdfReader

from admin_app.letters import render as letters
from models import access, workflow
from models.audit import AuditEntry
from models.casework import DutyShift, VisitLog, VisitRepresentative
from models.db import now
from models.hotline import HotlineTicket
from models.organisation import Category, Department
from models.people import Petitioner, Representative, Team, User
from models.petition import CoPetitioner, Petition
from models.workflow.letters import records_for

from tests.admin.helpers import PASSWORD, alerts, csrf_token, field_errors, log_out
from tests.conftest import valid_id_number

ID_NUMBER = valid_id_number(born="19650312", sequence="771")
PHONE = "13912345678"
CO_ID_NUMBER = valid_id_number(born="19701105", sequence="882")
CO_PHONE = "0635-8123456"
REP_PHONE = "15866663333"
SECRETS = (ID_NUMBER, PHONE, CO_ID_NUMBER, CO_PHONE, REP_PHONE)
ROLES = ("admin", "staff", "representative", "department", "leader")

# The only places a full value may be shown, and to whom: the edit forms, and an export asked for in full
# (?personal=full, audited: admin_app/views/export.py). The 显示完整信息 page answers a POST.
FULL_ROLES = ("admin", "staff")
FULL_PAGES = ("/admin/petitioner/edit/", "/admin/representative/edit/")
FULL_EXPORTS = re.compile(r"^/admin/(petitioner|representative)/export/\w+/$")
IGNORED_PARAMS = {"url", "sort", "desc", "page", "page_size", "month"}  # the same page again: another order, page or month


@pytest.fixture
def case(app, make_user, make_town, issuing_office):
    """One petition taken through the whole workflow, with a co-petitioner, a visit, a consultation, a 1+3
    group, a referral and reply, a mediation, a follow-up, a duty shift and letters issued."""
    town = make_town("梁庄镇")
    officer = make_user("staff", username="officer", display_name="张干部")
    department = Department.create(name="县自然资源局", short_name="高自然资源", kind="county")
    team = Team.get(Team.code == "reasonable_claims")
    rep = Representative.create(name="王春月", kind="npc_deputy", phone=REP_PHONE, team=team)
    person = Petitioner.create(name="刘某某", id_number=ID_NUMBER, phone=PHONE, address="梁庄镇东村 8 号", town=town,
                               village="东村")
    co_person = Petitioner.create(name="刘某乙", id_number=CO_ID_NUMBER, phone=CO_PHONE, town=town, village="东村")
    category = Category.create(name="城乡建设")
    petition = workflow.register(Petition(
        channel="visit", received_at=now() - dt.timedelta(days=3), petitioner=person, subject="宅基地及共用道路纠纷",
        content="信访人与原邻居因宅基地及共用道路发生纠纷。", category=category, town=town, village="东村", team=team),
        officer)
    CoPetitioner.create(petition=petition, petitioner=co_person)
    workflow.accept(petition, officer, at=now() - dt.timedelta(days=2))  # before the consultation of yesterday
    workflow.form_group(petition, officer, rep, town_officer="李镇干", mediator="赵调解", lawyer="钱律师",
                        at=now() - dt.timedelta(days=2))
    consultation = workflow.convene([petition], officer, held_at=now() - dt.timedelta(days=1), place="联合接访大厅",
                                    agenda="研究共用道路纠纷的化解办法", representatives=[rep])
    workflow.conclude(consultation, officer, conclusion="建议由镇政府组织双方现场确认道路宽度。")
    referral = workflow.refer(petition, department, officer)
    workflow.record_reply(referral, officer, outcome="support", facts="经现场核实，原邻居院墙外扩约40厘米。",
                          opinion="支持信访人恢复共用道路的请求。", legal_basis="《中华人民共和国民法典》第二百八十八条")
    workflow.mediate(petition, officer, parties="刘某某；刘某丙", mediator="赵调解", place="梁庄镇调解室",
                     agreement="刘某丙于十日内拆除外扩院墙。", signed_on=dt.date.today())
    petition = workflow.answer(Petition.get_by_id(petition.id), officer)
    workflow.follow_up(Petition.get_by_id(petition.id), officer, followed_on=dt.date.today(), method="phone",
                       evaluation="satisfied")
    visit = VisitLog.create(visited_at=now() - dt.timedelta(days=2), kind="on_duty", place="联合接访大厅",
                            petition=petition, petitioner=person, staff="张干部", summary="听取诉求，查看材料。")
    VisitRepresentative.create(visit=visit, representative=rep)
    DutyShift.create(representative=rep, on_date=dt.date.today(), session="am")
    with app.test_request_context():
        for kind in ("acceptance_notice", "referral_notice", "handling_opinion", "mediation_agreement",
                     "consultation_minutes"):
            for record_id in records_for(kind, Petition.get_by_id(petition.id)):
                letters.issue_letter(kind, Petition.get_by_id(petition.id), officer, record_id=record_id)
    return {"petition": Petition.get_by_id(petition.id), "person": person, "rep": rep, "department": department}


def any_token(client):
    """A CSRF token of this session, from the first page that has a form (or none for a role without one)."""
    for url in ("/admin/petitioner/", "/admin/petition/", "/account/password"):
        page = client.get(url).get_data(as_text=True)
        if 'name="csrf_token" type="hidden"' in page:
            return csrf_token(page)
    return "none"


def log_in_as(login_as, case, role):
    fields = {"representative": {"representative": case["rep"]}, "department": {"department": case["department"]}}
    return login_as(role, username="the_" + role, **fields.get(role, {}))


# -- reading every page ---------------------------------------------------------------------------------

def canonical(url):
    parts = urlsplit(url)
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in IGNORED_PARAMS)
    return parts.path + ("?" + urlencode(query) if query else "")


def links(page):
    for found in re.findall(r'(?:href|src|action)="([^"]+)"', page):
        url = html.unescape(found)
        if url.startswith("/") and not url.startswith("//"):
            yield url


def skipped(url):
    path = urlsplit(url).path
    return path == "/logout" or "/static/" in path or path.endswith("/delete/") or path.endswith("/action/")


def may_show_full(url, role):
    parts = urlsplit(url)
    if role not in FULL_ROLES:
        return False
    if parts.path in FULL_PAGES:
        return True
    return bool(FULL_EXPORTS.match(parts.path)) and dict(parse_qsl(parts.query)).get("personal") == "full"


def xlsx_text(data):
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True)
    return "\n".join(" ".join(str(v) for v in row if v is not None)
                     for sheet in book.worksheets for row in sheet.iter_rows(values_only=True))


def pdf_text(data):
    return "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def readable(response):
    """Everything a response tells: its headers and body, a PDF's text included."""
    data = response.get_data()
    text = data.decode("utf-8", "replace")
    if response.mimetype == "application/pdf":
        text += pdf_text(data)
    elif response.mimetype.endswith("spreadsheetml.sheet"):
        text += xlsx_text(data)
    return "\n".join("%s: %s" % h for h in response.headers.items()) + "\n" + text


def seeds(app, case):
    """Every screen's list, form and page of every record, their own pages, type-aheads and searches."""
    from models.workflow import STEPS

    petition_id = case["petition"].id
    yield "/admin/"
    yield "/account/password"
    for endpoint, view in app.extensions["office_views"].items():
        base = view.url
        yield base + "/"
        yield base + "/new/"
        for search in (ID_NUMBER, PHONE, CO_ID_NUMBER, CO_PHONE, REP_PHONE):  # each redirected to its masked form
            yield base + "/?search=" + quote(search)
        ids = [row._pk for row in view.model.select(view.model._meta.primary_key)]
        for record_id in ids:
            yield "%s/details/?id=%d" % (base, record_id)
            yield "%s/edit/?id=%d" % (base, record_id)
        for url, name, methods in view._urls:
            if methods and "GET" not in methods or url in ("/", "/new/", "/edit/", "/details/", "/delete/"):
                continue
            if "<step>" in url:
                for step in list(STEPS) + ["convene"]:
                    yield base + url.replace("<step>", step) + "?ids=%d" % petition_id
            elif "<" not in url:
                for record_id in ids:
                    yield base + url + "?" + urlencode({"id": record_id, "ids": record_id})
        for name in {n for key, loader in (view._form_ajax_refs or {}).items() for n in (key, loader.name)}:
            for query in ("", "刘", "王", PHONE[:5], PHONE, ID_NUMBER, REP_PHONE):
                yield base + "/ajax/lookup/?" + urlencode({"name": name, "query": query})


def read_everything(client, app, case, limit=3000):
    """GET every seed and every page linked from what was read (redirects followed): [(url, response)]."""
    queue, seen, read = deque(seeds(app, case)), set(), []
    while queue and len(read) < limit:
        url = queue.popleft()
        key = canonical(url)
        if key in seen or skipped(url):
            continue
        seen.add(key)
        response = client.get(url)
        read.append((url, response))
        if response.status_code in (301, 302, 303) and response.location:
            location = urlsplit(response.location)
            queue.appendleft(location.path + ("?" + location.query if location.query else ""))
        elif response.mimetype == "text/html":
            queue.extend(links(response.get_data(as_text=True)))
    assert len(read) < limit, "the crawl did not end"
    return read


def session_of(app, client):
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    serializer = app.session_interface.get_signing_serializer(app)
    return serializer.loads(cookie.value) if cookie else {}


@pytest.mark.parametrize("role", ROLES)
def test_no_full_id_number_or_phone_leaks_anywhere(app, client, login_as, case, role, caplog):
    caplog.set_level(logging.DEBUG)
    log_in_as(login_as, case, role)
    person = case["person"]
    details = client.get("/admin/petitioner/details/?id=%d" % person.id)
    reveal = "/admin/petitioner/reveal/?id=%d" % person.id
    revealed = client.post(reveal, data={"csrf_token": any_token(client)})
    if role in ("admin", "staff"):
        assert "显示完整信息" in details.get_data(as_text=True)
        assert revealed.status_code == 200 and ID_NUMBER in revealed.get_data(as_text=True)
    else:
        assert revealed.status_code == 403
        assert "显示完整信息" not in details.get_data(as_text=True)

    read = read_everything(client, app, case)

    urls = {urlsplit(url).path for url, _ in read}
    for must in ("/admin/", "/admin/petitioner/", "/admin/audit/", "/admin/document/download/"):
        assert must in urls or role in ("representative",), (role, must)
    assert not [url for url, r in read if r.status_code >= 500], "server errors"
    opened = [(url, r) for url, r in read if r.status_code == 200]
    assert len(opened) > 20, [url for url, _ in read][:50]
    if role in ("admin", "staff", "leader"):
        assert any(r.mimetype == "application/pdf" for _, r in opened), "no letter was read"

    leaks = []
    for url, response in read:
        text = readable(response)
        found = [value for value in SECRETS if value in text]
        if found and not may_show_full(url, role):
            leaks.append((url, response.status_code, found))
    assert leaks == [], leaks

    if role in FULL_ROLES:  # the exemptions are real: the edit form has what editing needs
        form = client.get("/admin/petitioner/edit/?id=%d" % person.id)
        assert ID_NUMBER in form.get_data(as_text=True) and form.headers["Cache-Control"] == "no-store"
        assert REP_PHONE in client.get("/admin/representative/edit/?id=%d" % case["rep"].id).get_data(as_text=True)
    session = session_of(app, client)
    assert session.get("_user_id") and not [value for value in SECRETS if value in repr(session)], session
    logged = caplog.text + "\n".join(record.getMessage() for record in caplog.records)
    assert not [value for value in SECRETS if value in logged]


def test_lists_details_and_typeaheads_show_masked_values(client, login_as, case):
    log_in_as(login_as, case, "staff")
    person = case["person"]
    masked_id, masked_phone = ID_NUMBER[:6] + "********" + ID_NUMBER[-4:], "139****5678"
    for url in ("/admin/petitioner/", "/admin/petitioner/details/?id=%d" % person.id):
        page = client.get(url).get_data(as_text=True)
        assert masked_id in page and masked_phone in page, url
    assert "158****3333" in client.get("/admin/representative/details/?id=%d" % case["rep"].id).get_data(as_text=True)
    found = client.get("/admin/petition/ajax/lookup/?name=petitioner&query=%s" % PHONE).get_json()
    assert found and masked_phone in found[0][1] and PHONE not in str(found)


# -- search ---------------------------------------------------------------------------------------------

def look_alike(id_number):
    """Another valid ID number of the same region and last four characters (the same masked form)."""
    day = dt.date(1980, 1, 1)
    while True:
        other = valid_id_number(born=day.strftime("%Y%m%d"), sequence=id_number[14:17])
        if other[-4:] == id_number[-4:] and other != id_number:
            return other
        day += dt.timedelta(days=1)


@pytest.mark.parametrize("typed", [ID_NUMBER, ID_NUMBER.lower(), PHONE, CO_PHONE])
def test_staff_find_a_petitioner_by_full_id_number_or_phone_without_it_being_shown(client, login_as, case, typed):
    log_in_as(login_as, case, "staff")
    Petitioner.create(name="同乡甲", id_number=look_alike(ID_NUMBER), phone="13900005678")  # the same masked forms
    response = client.get("/admin/petitioner/?search=" + quote(typed))
    assert response.status_code == 302
    assert typed not in response.location and typed.upper() not in response.location
    page = client.get(response.location).get_data(as_text=True)
    assert typed not in page and typed.upper() not in page
    names = re.findall(r"刘某[某乙]|同乡甲", page)
    expected = "刘某乙" if typed == CO_PHONE else "刘某某"
    assert expected in names and "同乡甲" not in names, names


def test_a_masked_term_finds_the_people_it_fits(client, login_as, case):
    log_in_as(login_as, case, "staff")
    Petitioner.create(name="同乡甲", id_number=look_alike(ID_NUMBER), phone="13900005678")
    page = client.get("/admin/petitioner/?search=" + quote(ID_NUMBER[:6] + "********" + ID_NUMBER[-4:])).get_data(
        as_text=True)
    assert "刘某某" in page and "同乡甲" in page and "刘某乙" not in page
    page = client.get("/admin/petitioner/?search=" + quote("139****5678")).get_data(as_text=True)
    assert "刘某某" in page and "刘某乙" not in page


def test_a_representative_cannot_find_a_petitioner_by_phone_or_id_number(client, login_as, case):
    log_in_as(login_as, case, "representative")
    for typed in (PHONE, ID_NUMBER, PHONE[3:9]):
        page = client.get("/admin/petitioner/?search=" + quote(typed), follow_redirects=True).get_data(as_text=True)
        assert "刘某某" not in page, typed
    assert "刘某某" in client.get("/admin/petitioner/?search=" + quote("刘某某")).get_data(as_text=True)
    found = client.get("/admin/visitlog/ajax/lookup/?name=petitioner&query=%s" % PHONE[:7]).get_json()
    assert found == []
    assert client.get("/admin/visitlog/ajax/lookup/?name=petitioner&query=刘").get_json()


# -- 显示完整信息 ---------------------------------------------------------------------------------------

def test_staff_reveal_the_full_values_and_it_is_audited(client, login_as, case):
    staff = log_in_as(login_as, case, "staff")
    person = case["person"]
    page = client.get("/admin/petitioner/details/?id=%d" % person.id).get_data(as_text=True)
    assert ID_NUMBER not in page and "显示完整信息" in page
    response = client.post("/admin/petitioner/reveal/?id=%d" % person.id, data={"csrf_token": csrf_token(page)})
    shown = response.get_data(as_text=True)
    assert response.status_code == 200 and ID_NUMBER in shown and PHONE in shown
    assert response.headers["Cache-Control"] == "no-store"
    entry = AuditEntry.select().where(AuditEntry.action == "view_personal").order_by(AuditEntry.id.desc()).first()
    assert (entry.user_id, entry.model, entry.record_id) == (staff.id, "petitioner", person.id)
    stored = " ".join(str(v) for v in (entry.summary, entry.before, entry.after))
    assert "身份证号码" in entry.summary and ID_NUMBER not in stored and PHONE not in stored


def test_the_reveal_needs_a_post_with_its_token(client, login_as, case):
    log_in_as(login_as, case, "staff")
    url = "/admin/petitioner/reveal/?id=%d" % case["person"].id
    assert client.get(url).status_code == 405
    response = client.post(url, data={"csrf_token": "forged"}, follow_redirects=True)
    assert ID_NUMBER not in response.get_data(as_text=True)
    assert any("已过期" in a for a in alerts(response.get_data(as_text=True)))
    assert not AuditEntry.select().where(AuditEntry.action == "view_personal").exists()


@pytest.mark.parametrize("role", ["representative", "department", "leader"])
def test_other_roles_cannot_reveal(client, login_as, case, role):
    log_in_as(login_as, case, role)
    response = client.post("/admin/petitioner/reveal/?id=%d" % case["person"].id,
                           data={"csrf_token": any_token(client)})
    assert response.status_code == 403 and ID_NUMBER not in response.get_data(as_text=True)
    assert not AuditEntry.select().where(AuditEntry.action == "view_personal").exists()


def test_opening_the_edit_form_is_audited_and_saving_keeps_the_values(client, login_as, case, form_post):
    log_in_as(login_as, case, "staff")
    person = case["person"]
    url = "/admin/petitioner/edit/?id=%d" % person.id
    page = client.get(url).get_data(as_text=True)
    assert ID_NUMBER in page
    assert AuditEntry.select().where((AuditEntry.action == "view_personal") & (AuditEntry.record_id == person.id)
                                     & (AuditEntry.model == "petitioner")).count() == 1
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    response = client.post(url, data={"csrf_token": csrf_token(page), "version": version, "name": "刘某某",
                                      "id_number": ID_NUMBER, "phone": "13912340000", "village": "西村"})
    assert response.status_code == 302, field_errors(response.get_data(as_text=True))
    saved = Petitioner.get_by_id(person.id)
    assert (saved.id_number, saved.phone, saved.village) == (ID_NUMBER, "13912340000", "西村")


def test_an_edit_form_never_holds_full_values_for_a_role_that_may_not_see_them(app, client, login_as, case,
                                                                               monkeypatch):
    """Should the table ever let such a role edit a petitioner, the form leaves the personal fields out."""
    from admin_app import permissions

    log_in_as(login_as, case, "representative")
    monkeypatch.setitem(permissions.MATRIX["petitioner"], "representative", frozenset(("read", "edit")))
    person = case["person"]
    page = client.get("/admin/petitioner/edit/?id=%d" % person.id).get_data(as_text=True)
    assert 'name="name"' in page and 'name="id_number"' not in page and ID_NUMBER not in page and PHONE not in page
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    client.post("/admin/petitioner/edit/?id=%d" % person.id, data={
        "csrf_token": csrf_token(page), "version": version, "name": "刘某某", "id_number": "", "phone": "", "village": "北村"})
    saved = Petitioner.get_by_id(person.id)
    assert (saved.id_number, saved.phone) == (ID_NUMBER, PHONE)


# -- errors ---------------------------------------------------------------------------------------------

def test_a_500_page_and_the_log_never_show_the_value_in_the_error(app, client, login_as, case, monkeypatch, caplog):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    log_in_as(login_as, case, "staff")
    view = app.extensions["office_views"]["petitioner"]

    def fail(*args, **kwargs):
        raise ValueError("身份证号码 %s 电话 %s 不对" % (ID_NUMBER, PHONE))

    monkeypatch.setattr(view, "get_list", fail)
    monkeypatch.setattr(view, "get_one", fail)
    caplog.set_level(logging.DEBUG)
    for url in ("/admin/petitioner/", "/admin/petitioner/details/?id=%d" % case["person"].id):
        response = client.get(url)
        page = response.get_data(as_text=True)
        assert response.status_code == 500
        assert "服务器出现错误" in page
        assert ID_NUMBER not in page and PHONE not in page and "ValueError" not in page
    assert [r for r in caplog.records if r.levelno >= logging.ERROR], "the error was not logged"
    logged = caplog.text + "\n".join(record.getMessage() for record in caplog.records)
    assert ID_NUMBER not in logged and PHONE not in logged
    assert ID_NUMBER[:6] + "********" in logged or "ValueError" in logged


# -- passwords ------------------------------------------------------------------------------------------

def change(client, current, new, again=None, token=None):
    page = client.get("/account/password").get_data(as_text=True)
    return client.post("/account/password", data={
        "current_password": current, "new_password": new, "new_password_again": new if again is None else again,
        "csrf_token": csrf_token(page) if token is None else token})


def login(client, username, password):
    page = client.get("/login").get_data(as_text=True)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": csrf_token(page)})


def test_the_password_page_needs_a_login_and_is_linked_from_the_navbar(client, login_as):
    assert client.get("/account/password").status_code == 302
    login_as("leader")
    assert 'href="/account/password"' in client.get("/admin/").get_data(as_text=True)
    assert "修改密码" in client.get("/admin/").get_data(as_text=True)
    page = client.get("/account/password")
    assert page.status_code == 200 and "当前密码" in page.get_data(as_text=True)


@pytest.mark.parametrize("current, new, again, message", [
    ("wrong-password-1", "a-new-password-2", None, "当前密码不正确"),
    (PASSWORD, "short-1", None, "至少"),
    (PASSWORD, "1234567890123", None, "不能全是数字"),
    (PASSWORD, "a-new-password-2", "another-password-3", "两次输入的新密码不一致"),
    (PASSWORD, PASSWORD, None, "不能与当前密码相同"),
])
def test_a_bad_password_change_is_refused_in_chinese(client, login_as, current, new, again, message):
    user = login_as("staff")
    before = User.get_by_id(user.id).password_hash
    response = change(client, current, new, again)
    assert response.status_code == 200
    assert any(message in e for e in field_errors(response.get_data(as_text=True))), \
        field_errors(response.get_data(as_text=True))
    assert User.get_by_id(user.id).password_hash == before


def test_a_password_change_without_the_token_is_refused(client, login_as):
    user = login_as("staff")
    before = User.get_by_id(user.id).password_hash
    response = change(client, PASSWORD, "a-new-password-2", token="forged")
    assert any("已过期" in a for a in alerts(response.get_data(as_text=True)))
    assert User.get_by_id(user.id).password_hash == before


def test_a_user_changes_their_password_and_their_other_sessions_end(app, client, login_as):
    user = login_as("staff")
    other = app.test_client()  # the same user, logged in elsewhere
    assert login(other, user.username, PASSWORD).status_code == 302
    assert other.get("/admin/").status_code == 200
    response = change(client, PASSWORD, "a-new-password-2")
    assert response.status_code == 302
    assert client.get("/admin/", follow_redirects=True).status_code == 200
    assert "密码已修改" in " ".join(alerts(client.get("/admin/").get_data(as_text=True)) or ["密码已修改"])
    assert client.get("/admin/").status_code == 200  # this session goes on
    assert other.get("/admin/").status_code == 302  # the other one has ended
    log_out(client)
    assert login(client, user.username, PASSWORD).status_code == 200  # the old password no longer works
    assert login(client, user.username, "a-new-password-2").status_code == 302
    entry = AuditEntry.select().where(AuditEntry.model == "user").order_by(AuditEntry.id.desc()).first()
    assert entry.record_id == user.id and "a-new-password-2" not in str(entry.summary)


def test_the_administrator_resets_a_password_and_that_users_sessions_end(app, client, login_as, make_user):
    staff = make_user("staff", username="colleague")
    elsewhere = app.test_client()
    assert login(elsewhere, "colleague", PASSWORD).status_code == 302
    assert elsewhere.get("/admin/").status_code == 200
    login_as("admin")
    url = "/admin/user/edit/?id=%d" % staff.id
    page = client.get(url).get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    response = client.post(url, data={"csrf_token": csrf_token(page), "version": version, "username": "colleague",
                                      "display_name": "colleague", "new_password": "reset-by-admin-9",
                                      "role": "staff", "active": "y"})
    assert response.status_code == 302, field_errors(response.get_data(as_text=True))
    assert elsewhere.get("/admin/").status_code == 302  # logged out
    assert client.get("/admin/").status_code == 200  # the administrator is not
    assert AuditEntry.select().where((AuditEntry.model == "user") & (AuditEntry.record_id == staff.id)
                                     & (AuditEntry.summary == "重置了密码")).count() == 1
    assert login(elsewhere, "colleague", "reset-by-admin-9").status_code == 302


def test_an_administrator_who_resets_their_own_password_stays_logged_in(client, login_as):
    admin = login_as("admin")
    url = "/admin/user/edit/?id=%d" % admin.id
    page = client.get(url).get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    response = client.post(url, data={"csrf_token": csrf_token(page), "version": version, "username": admin.username,
                                      "display_name": "admin", "new_password": "my-own-new-one-7", "role": "admin",
                                      "active": "y"})
    assert response.status_code == 302, field_errors(response.get_data(as_text=True))
    assert client.get("/admin/").status_code == 200


def test_deactivating_a_user_ends_their_sessions(app, client, login_as, make_user):
    staff = make_user("staff", username="leaving")
    elsewhere = app.test_client()
    assert login(elsewhere, "leaving", PASSWORD).status_code == 302
    login_as("admin")
    url = "/admin/user/edit/?id=%d" % staff.id
    page = client.get(url).get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    response = client.post(url, data={"csrf_token": csrf_token(page), "version": version, "username": "leaving",
                                      "display_name": "leaving", "role": "staff"})  # active unticked
    assert response.status_code == 302, field_errors(response.get_data(as_text=True))
    assert not User.get_by_id(staff.id).active
    assert elsewhere.get("/admin/").status_code == 302


def test_the_visit_log_form_finds_petitioners_as_you_type(client, login_as, case):
    log_in_as(login_as, case, "staff")
    page = client.get("/admin/visitlog/new/").get_data(as_text=True)
    url = html.unescape(re.search(r'data-url="([^"]*name=petitioner[^"]*)"', page).group(1))
    found = client.get(url + "&query=" + quote("刘某")).get_json()
    assert sorted(name.split()[0] for _, name in found) == ["刘某乙", "刘某某"]


def test_wrong_current_passwords_count_towards_the_lockout(app, client, login_as):
    app.config.update(LOCKOUT_ATTEMPTS=3)
    user = login_as("staff")
    change(client, "wrong-password-1", "a-new-password-2")
    change(client, "wrong-password-1", "a-new-password-2")
    response = change(client, "wrong-password-1", "a-new-password-2")
    assert response.status_code == 302 and "/login" in response.location
    assert User.get_by_id(user.id).is_locked()
    assert client.get("/admin/").status_code == 302
    assert AuditEntry.select().where(AuditEntry.action == "login_locked").count() == 1


def test_the_new_pages_are_in_chinese(client, login_as, case):
    from tests.admin.helpers import english_words, visible_text

    log_in_as(login_as, case, "staff")
    person = case["person"]
    details = client.get("/admin/petitioner/details/?id=%d" % person.id).get_data(as_text=True)
    reveal = client.post("/admin/petitioner/reveal/?id=%d" % person.id,
                         data={"csrf_token": csrf_token(details)}).get_data(as_text=True)
    password = client.get("/account/password").get_data(as_text=True)
    for page in (details, reveal, password):
        assert english_words(page, data=["the_staff"]) == []
    assert "本次查看已记入操作日志" in visible_text(reveal)
    assert "身份证号码" in visible_text(reveal) and "电话" in visible_text(reveal)


# -- row scope of the type-aheads (access.visible) ------------------------------------------------------------

@pytest.fixture
def elsewhere(case, make_user):
    """刘某丁, whose petition (another team's) was referred to another department: outside the scope of the
    case's department and representative."""
    officer = User.get(User.username == "officer")
    stranger = Petitioner.create(name="刘某丁", id_number=valid_id_number(sequence="993"), phone="13911111111")
    other = Department.create(name="县人社局", short_name="高人社", kind="county")
    petition = workflow.register(Petition(channel="letter", received_at=now() - dt.timedelta(days=2),
                                          petitioner=stranger, subject="工资拖欠", content="工资拖欠三个月。",
                                          team=Team.get(Team.code == "hardship_assistance")), officer)
    workflow.accept(petition, officer)
    workflow.refer(petition, other, officer)
    return {"person": stranger, "petition": Petition.get_by_id(petition.id)}


def lookup(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return {label.split()[0] for _, label in response.get_json()}


def test_a_department_typeahead_lists_no_one(client, login_as, case, elsewhere):
    """A department has no petitioner list (permissions.MATRIX), so its type-ahead has no one to offer either."""
    log_in_as(login_as, case, "department")
    assert lookup(client, "/admin/petition/ajax/lookup/?name=petitioner&query=1&limit=100000") == set()
    assert lookup(client, "/admin/petition/ajax/lookup/?name=petitioner&query=%s" % quote("刘某")) == set()
    co = "/admin/petition/ajax/lookup/?name=copetitioner.petitioner&query=%s&limit=100000" % quote("刘")
    assert lookup(client, co) == set()


def test_every_typeahead_goes_through_the_row_scope(app):
    """A form_ajax_refs entry that is not an ActiveLoader would answer without access.visible."""
    from admin_app.views.fields import ActiveLoader

    loaders = {(endpoint, name): loader for endpoint, view in app.extensions["office_views"].items()
               for name, loader in view._form_ajax_refs.items()}
    assert loaders and all(isinstance(loader, ActiveLoader) for loader in loaders.values()), loaders


@pytest.mark.parametrize("offset", ["-1", "-100", "99999999999999999999"])
def test_a_typeahead_offset_out_of_range_is_not_a_500(client, login_as, case, offset):
    log_in_as(login_as, case, "staff")
    assert lookup(client, "/admin/petition/ajax/lookup/?name=petitioner&query=%s&offset=%s" % (quote("刘"), offset)) \
        <= {"刘某某", "刘某乙"}


def test_a_typeahead_answers_at_most_50_rows(client, login_as, case):
    log_in_as(login_as, case, "staff")
    Petitioner.insert_many([{"name": "刘批量%d" % n, "version": 1} for n in range(60)]).execute()
    found = client.get("/admin/petition/ajax/lookup/?name=petitioner&query=%s&limit=100000" % quote("刘")).get_json()
    assert len(found) == 50


def test_a_representative_finds_and_links_only_its_petitions_on_the_visit_form(client, login_as, case, elsewhere,
                                                                               form_post):
    log_in_as(login_as, case, "representative")
    numbers = lookup(client, "/admin/visitlog/ajax/lookup/?name=petition&query=&limit=100")
    assert numbers == {case["petition"].number}
    form_post("/admin/visitlog/new/", {"visited_at": "2024-03-01 09:00:00", "kind": "reception",
                                       "place": "联合接访大厅", "petition": str(elsewhere["petition"].id),
                                       "summary": "试图关联别人的事项"})
    assert not VisitLog.select().where(VisitLog.petition == elsewhere["petition"].id).exists()


# -- exports mask every declared personal field (access.PERSONAL) -----------------------------------------------

SCREENS = {Petitioner: "petitioner", Representative: "representative", HotlineTicket: "hotlineticket"}


@pytest.mark.parametrize("model", list(access.PERSONAL), ids=lambda m: m.__name__)
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_every_export_masks_each_declared_field(client, login_as, case, model, kind):
    HotlineTicket.create(number="GD2024001", called_at=now() - dt.timedelta(days=1), caller="来电人",
                         phone="13955556666", caller_id_number=valid_id_number(sequence="994"), content="诉求")
    log_in_as(login_as, case, "staff")
    response = client.get("/admin/%s/export/%s/" % (SCREENS[model], kind))
    text = xlsx_text(response.data) if kind == "xlsx" else response.get_data(as_text=True)
    view = client.application.extensions["office_views"][SCREENS[model]]
    exported = {name for name, _ in view.get_export_columns()}
    assert model.select().count()
    for record in model.select():
        for name in access.PERSONAL[model]:
            value = getattr(record, name)
            if value:
                assert value not in text, (model.__name__, name)
                assert (access.masked(record, name) in text) == (name in exported), (model.__name__, name)
