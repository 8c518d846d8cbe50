"""The petitioner's look-up page /chaxun (admin_app/public): 查询码 + last 4 digits, through the test client.

Wrong codes, wrong digits, another petition's code with this phone, the lock-out per code and per address; every
look-up response read for the petition's content, people's names and personal data (none allowed); CSRF; no
session cookie; no-store; every look-up audited with the code masked, never the digits; 评价 after the 答复."""
import datetime as dt
import re

import pytest

from models import workflow
from models.audit import AuditEntry
from models.casework import Referral
from models.evaluation import Evaluation
from models.organisation import Department
from models.petition import Petition

from tests.admin.helpers import PASSWORD

PHONE, ID_TAIL = "13812345678", None
CONTENT = "信访人与原邻居因宅基地界址及两家共用道路的使用发生纠纷，请求依法确认宅基地界址。"


def token(page, name="csrf_token"):
    match = re.search(r'name="%s" value="([^"]+)"' % name, page)
    assert match, "no %s on the page" % name
    return match.group(1)


@pytest.fixture
def clerk(make_user):
    return make_user("staff", username="clerk", display_name="王小红")


@pytest.fixture
def case(db, make_petition, make_petitioner, clerk):
    """An answered petition (registered, accepted, 交办 to 县自然资源局, replied, answered yesterday), with its
    letters, and everything the page must not show: names, address, phone, ID number, content, notes."""
    person = make_petitioner(name="刘某某", phone=PHONE, address="高桥镇后屯村12号")
    petition = workflow.register(make_petition(petitioner=person, content=CONTENT, subject="宅基地及共用道路纠纷",
                                               received_at=dt.datetime.now() - dt.timedelta(days=20)), clerk)
    petition = workflow.accept(petition, clerk, at=dt.datetime.now() - dt.timedelta(days=19))
    department = Department.create(name="县自然资源局", short_name="高自然资", kind="county")
    referral = workflow.refer(petition, department, clerk, instructions="请实地核查院墙位置（内部批示）",
                              at=dt.datetime.now() - dt.timedelta(days=18))
    workflow.record_reply(referral, clerk, "support", "经现场勘测院墙外扩四十厘米", "支持恢复通行", "土地管理法",
                          at=dt.datetime.now() - dt.timedelta(days=2))
    petition = workflow.answer(petition, clerk, at=dt.datetime.now() - dt.timedelta(days=1))
    return Petition.get_by_id(petition.id)


SECRETS = ["刘某某", "王小红", "clerk", "高桥镇后屯村12号", PHONE, "院墙", "内部批示", "土地管理法", "支持恢复通行",
           "宅基地界址"]


def secrets_of(petition):
    person = petition.petitioner
    return SECRETS + [person.id_number, person.id_number[:14], person.id_number[-4:]]


def look_up(client, code, last4, address="10.1.1.1"):
    page = client.get("/chaxun", environ_base={"REMOTE_ADDR": address}).get_data(as_text=True)
    return client.post("/chaxun", data={"code": code, "last4": last4, "csrf_token": token(page)},
                       environ_base={"REMOTE_ADDR": address})


def check_response(response, petition):
    """No-store, no session cookie, and nothing of the petition but what the page may show."""
    assert response.headers["Cache-Control"] == "no-store"
    cookies = response.headers.getlist("Set-Cookie")
    assert not any(c.startswith("session=") for c in cookies), cookies
    text = response.get_data(as_text=True)
    # the random tokens (hex, base64) may hold any 4 digits by chance: read the page without them
    readable = re.sub(r'<input type="hidden" name="(?:csrf_token|token)" value="[^"]*">', "", text)
    for secret in secrets_of(petition):
        assert secret not in readable, secret
    return text


def test_the_right_code_and_digits_show_the_steps_and_letters_only(app, client, case, clerk, issuing_office):
    from admin_app.letters import render as letters
    from models import settings

    app.config.update(LETTER_CONTACT="赵联系", LETTER_CONTACT_PHONE="0536-7654321")  # the 交办单 names them
    settings.fix(app.config)
    with app.test_request_context("/"):
        notice = letters.issue_letter("acceptance_notice", case, clerk)
        sheet = letters.issue_letter("assignment_sheet", case, clerk, Referral.get().id)
    response = look_up(client, case.query_code, PHONE[-4:])
    assert response.status_code == 200
    text = check_response(response, case)
    assert case.number in text and "宅基地及共用道路纠纷" in text
    for shown in ("登记", "受理", "交办", "县自然资源局", "答复"):
        assert shown in text, shown
    assert "评价办理情况" in text and 'name="rating"' in text
    # the letters the petitioner got, by title and number (the 交办单 went to the department: not shown)
    assert "信访事项受理告知书" in text or "受理告知书" in text
    assert notice.number in text and sheet.number not in text and "交办单" not in text
    # the digits themselves never come back, not even in a hidden field
    assert 'value="%s"' % PHONE[-4:] not in text


def test_lookup_by_the_id_number_and_in_lower_case(client, case):
    response = look_up(client, case.query_code.lower(), case.petitioner.id_number[-4:])
    assert case.number in check_response(response, case)


@pytest.mark.parametrize("what", ["code", "digits", "both", "malformed"])
def test_a_wrong_code_or_wrong_digits_get_one_message(client, case, what):
    code = {"code": "ABCDEFGH2", "digits": case.query_code, "both": "ABCDEFGH2", "malformed": "0O1I"}[what]
    digits = {"code": PHONE[-4:], "digits": "0000", "both": "0000", "malformed": PHONE[-4:]}[what]
    response = look_up(client, code, digits)
    text = check_response(response, case)
    assert "查询码或号码后四位不正确，请核对后重试。" in text
    assert case.number not in text and "县自然资源局" not in text


def test_another_petitions_code_with_this_phone_is_refused(client, case, make_petition, make_petitioner, clerk):
    other = workflow.accept(workflow.register(make_petition(petitioner=make_petitioner(phone="13900001111")),
                                              clerk), clerk)
    response = look_up(client, Petition.get_by_id(other.id).query_code, PHONE[-4:])
    text = check_response(response, case)
    assert "查询码或号码后四位不正确" in text and other.number not in text


def test_five_failures_lock_the_code(client, case):
    for n in range(5):
        assert "不正确" in look_up(client, case.query_code, "00%02d" % n, address="10.2.0.%d" % n).get_data(as_text=True)
    response = look_up(client, case.query_code, PHONE[-4:], address="10.2.0.99")  # right digits, new address
    assert response.status_code == 429
    text = check_response(response, case)
    assert "锁定15分钟" in text and case.number not in text


def test_five_failures_lock_the_address(client, case):
    for n in range(5):
        look_up(client, "ABCDEFG%d" % (n + 2), "0000", address="10.3.0.1")
    response = look_up(client, case.query_code, PHONE[-4:], address="10.3.0.1")
    assert response.status_code == 429 and case.number not in check_response(response, case)
    assert case.number in look_up(client, case.query_code, PHONE[-4:], address="10.3.0.2").get_data(as_text=True)


def test_the_lock_ends_after_15_minutes(client, case):
    from models.sessions import LoginThrottle

    for n in range(5):
        look_up(client, case.query_code, "0000", address="10.4.0.%d" % n)
    assert look_up(client, case.query_code, PHONE[-4:], address="10.4.1.1").status_code == 429
    LoginThrottle.update(blocked_until=dt.datetime.now() - dt.timedelta(seconds=1)).execute()  # 15 minutes later
    assert case.number in look_up(client, case.query_code, PHONE[-4:], address="10.4.1.1").get_data(as_text=True)


def test_every_look_up_is_audited_masked_without_the_digits(client, case):
    look_up(client, case.query_code, "0000")
    look_up(client, case.query_code, PHONE[-4:])
    entries = list(AuditEntry.select().where(AuditEntry.action == "public_lookup").order_by(AuditEntry.id))
    assert [e.summary.split()[1] for e in entries] == ["wrong", "found"]
    assert entries[1].record_id == case.id and entries[0].record_id is None
    for entry in entries:
        assert case.query_code not in entry.summary and case.query_code[:2] in entry.summary
        assert PHONE[-4:] not in (entry.summary + (entry.before or "") + (entry.after or ""))
        assert "0000" not in entry.summary


def test_a_post_without_the_csrf_token_or_its_cookie_is_refused(app, client, case):
    response = client.post("/chaxun", data={"code": case.query_code, "last4": PHONE[-4:]})
    assert response.status_code == 400 and case.number not in check_response(response, case)
    page = client.get("/chaxun").get_data(as_text=True)
    forged = app.test_client()  # another browser: the token without its cookie
    response = forged.post("/chaxun", data={"code": case.query_code, "last4": PHONE[-4:], "csrf_token": token(page)})
    assert response.status_code == 400 and case.number not in response.get_data(as_text=True)
    assert AuditEntry.select().where(AuditEntry.action == "public_lookup").count() == 0


def test_an_idle_clerks_session_neither_redirects_nor_is_saved(client, case, login_as):
    """A clerk's session left idle is ended by the back-office's next page; the public page leaves it alone."""
    from models.sessions import LoginSession

    login_as("staff", username="other")
    LoginSession.update(last_seen_at=dt.datetime.now() - dt.timedelta(hours=2)).execute()
    response = client.get("/chaxun")
    assert response.status_code == 200
    assert not any(c.startswith("session=") for c in response.headers.getlist("Set-Cookie"))


def test_no_session_cookie_even_for_a_logged_in_clerk(client, case, login_as):
    login_as("staff", username="other")
    for response in (client.get("/chaxun"), look_up(client, case.query_code, PHONE[-4:])):
        assert not any(c.startswith("session=") for c in response.headers.getlist("Set-Cookie"))
        assert response.headers["Cache-Control"] == "no-store"
    assert client.get("/admin/").status_code == 200  # the clerk's own session is untouched


def test_the_page_is_chinese_phone_sized_and_local(client):
    response = client.get("/chaxun?code=abcdefgh2")
    text = response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    assert 'name="viewport"' in text and "信访事项查询" in text and 'value="ABCDEFGH2"' in text
    assert "http" not in text  # no CDN, nothing remote
    assert client.get("/static/public.css").status_code == 200


def evaluate(client, page, rating, comment=""):
    return client.post("/chaxun/pingjia", data={"csrf_token": token(page), "token": token(page, "token"),
                                                "rating": rating, "comment": comment})


def test_evaluating_an_answer_and_changing_it(client, case):
    page = look_up(client, case.query_code, PHONE[-4:]).get_data(as_text=True)
    response = evaluate(client, page, "dissatisfied", "还没有解决")
    text = check_response(response, case)
    assert "感谢你的评价" in text and "还没有解决" in text
    found = Evaluation.get()
    assert (found.rating, found.comment, found.answered_at) == ("dissatisfied", "还没有解决", case.answered_at)
    response = evaluate(client, response.get_data(as_text=True), "satisfied")
    assert Evaluation.select().count() == 1 and Evaluation.get().rating == "satisfied"
    assert [e.action for e in AuditEntry.select().where(AuditEntry.model == "evaluation")] == ["create", "update"]


def test_an_evaluation_needs_a_fresh_look_up_and_the_window(client, case):
    page = look_up(client, case.query_code, PHONE[-4:]).get_data(as_text=True)
    forged = page.replace(token(page, "token"), token(page, "token")[:-2] + "xx")
    assert evaluate(client, forged, "satisfied").status_code == 400
    Petition.update(answered_at=dt.datetime.now() - dt.timedelta(days=31)).where(Petition.id == case.id).execute()
    response = evaluate(client, page, "satisfied")
    assert response.status_code == 400 and "不能再评价" in response.get_data(as_text=True)
    assert Evaluation.select().count() == 0
    assert 'name="rating"' not in look_up(client, case.query_code, PHONE[-4:]).get_data(as_text=True)


def test_a_comment_over_500_characters_is_refused(client, case):
    page = look_up(client, case.query_code, PHONE[-4:]).get_data(as_text=True)
    response = evaluate(client, page, "satisfied", "字" * 501)
    assert response.status_code == 400 and "最多500个字" in response.get_data(as_text=True)
    assert Evaluation.select().count() == 0


def test_the_clerk_sees_the_evaluation_on_the_timeline_and_in_the_worklist(app, client, case, login_as):
    from tests.admin.helpers import visible_text

    page = look_up(client, case.query_code, PHONE[-4:]).get_data(as_text=True)
    evaluate(client, page, "dissatisfied", "还没有解决")
    clerk = app.test_client()
    login = clerk.get("/login").get_data(as_text=True)
    login_as("staff", username="desk")  # the fixture's client logs in too; this one is the clerk's own browser
    from tests.admin.helpers import csrf_token

    assert clerk.post("/login", data={"username": "desk", "password": PASSWORD,
                                      "csrf_token": csrf_token(login)}).status_code == 302
    text = visible_text(clerk.get("/admin/petition/details/?id=%d" % case.id).get_data(as_text=True))
    assert "信访人评价" in text and "不满意（查询页面评价）" in text and "还没有解决" in text
    home = visible_text(clerk.get("/admin/").get_data(as_text=True))
    assert "不满意评价 1" in home and "前申请复查" in home
