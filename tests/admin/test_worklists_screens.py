"""我的待办 on the home page: each role sees its groups with the right counts, every link and button of its home
page opens (no 403, no 500), an empty worklist says 暂无待办, and no role sees another's 记录接访 button."""
import datetime as dt
import html
import re
from urllib.parse import urlsplit

import pytest

from models import documents
from models.casework import (
    Consultation, ConsultationPetition, ConsultationRepresentative, DutyShift, Referral, ResolutionGroup,
)
from models.evaluation import Evaluation
from models.organisation import Department
from models.people import Representative
from models.supervision import Supervision

from tests.admin.helpers import english_words, log_out, visible_text

TODAY = dt.date.today()
NOW = dt.datetime.now().replace(microsecond=0) - dt.timedelta(hours=1)
LINK = re.compile(r'<(?:a|form)\b[^>]*?\b(?:href|action)="([^"#]*)[^"]*"', re.S)


@pytest.fixture
def office(db, make_petition):
    """A day at the office with a line of work for every role."""
    housing = Department.create(name="县住建局", short_name="县住建", kind="county")
    wang = Representative.create(name="王春月", kind="npc_deputy")
    zhao = Representative.create(name="赵明", kind="cppcc_member")
    received = NOW - dt.timedelta(days=3)
    p = {
        "registered": make_petition(received_at=received, notice_due=TODAY + dt.timedelta(days=12)),
        "accepted": make_petition(received_at=received, status="accepted", accepted_at=NOW,
                                  leader_in_charge="刘县长"),
        "referred": make_petition(received_at=received, status="referred", subject="小区地下车库漏水",
                                  content="要求开发商维修地下车库并赔偿损失。"),
        "handled": make_petition(received_at=received, status="handled"),
        "answered": make_petition(received_at=received, status="answered", answered_at=NOW,
                                  lead_representative=wang, is_collective=True, head_count=6),
    }
    referral = Referral.create(petition=p["referred"], department=housing, due_on=TODAY - dt.timedelta(days=1))
    # a 督办 of the overdue referral, its own reply overdue since yesterday (督办反馈逾期; the department's 待反馈)
    Supervision.create(petition=p["referred"], referral=referral, department=housing, grounds="overdue",
                       note="请抓紧办理。", started_at=NOW - dt.timedelta(days=2), due_on=TODAY - dt.timedelta(days=1))
    documents.archive("handling_opinion", p["handled"], housing, lambda number, at: b"%PDF-1.4", None,
                      at=NOW - dt.timedelta(days=5))  # issued 5 days ago, not delivered (送达)
    ResolutionGroup.create(petition=p["answered"], representative=wang, town_officer="张", mediator="李", lawyer="刘")
    Evaluation.create(petition=p["answered"], answered_at=NOW, rating="dissatisfied")  # 不满意 on the look-up page
    meeting = Consultation.create(held_at=NOW, place="联合接访大厅", agenda="车库漏水会诊")
    ConsultationRepresentative.create(consultation=meeting, representative=wang)
    ConsultationPetition.create(consultation=meeting, petition=p["answered"])
    mine = DutyShift.create(representative=wang, on_date=TODAY, session="am")
    theirs = DutyShift.create(representative=zhao, on_date=TODAY, session="pm")
    return {"housing": housing, "wang": wang, "petitions": p, "mine": mine, "theirs": theirs}


def roles(office):
    return {
        "staff": {},
        "department": {"department": office["housing"]},
        "representative": {"representative": office["wang"]},
        "leader": {"display_name": "刘县长"},
    }


EXPECTED = {  # group: count, for each role with the office above
    "staff": {"to_accept": 1, "notice_to_issue": 1, "awaiting_reply": 1, "to_answer": 1, "follow_up_due": 1,
              "dissatisfied": 1, "reviews": 1, "flags": 1, "to_deliver": 1, "supervisions_overdue": 1},
    "department": {"referrals": 1, "supervisions": 1},
    "representative": {"shifts": 1, "consultations": 1, "groups": 1, "follow_ups": 1},
    "leader": {"led": 1, "sign_off": 1},
}
LABELS = {"staff": "待受理/不予受理 1", "department": "待办理的转送交办 1", "representative": "本周我的值班 1",
          "leader": "待我签批 1"}


def counts(page):
    return {key: int(n) for key, n in re.findall(r'id="count-work-([a-z_]+)">(\d+)<', page)}


def links(page):
    """Every href and form action of the page that stays in the application (not the log-out nor static files)."""
    found = set()
    for url in LINK.findall(page):
        url = html.unescape(url)
        if url.startswith("/") and not url.startswith(("/static", "/admin/static", "/logout")):
            found.add(url)
    return sorted(found)


@pytest.mark.parametrize("role", ["staff", "department", "representative", "leader"])
def test_each_role_sees_its_groups_with_counts_and_every_link_opens(role, office, client, login_as):
    login_as(role, **roles(office)[role])
    page = client.get("/admin/").get_data(as_text=True)
    assert counts(page) == EXPECTED[role]
    text = visible_text(page)
    assert "我的待办" in text and LABELS[role] in text
    assert not english_words(page, data=(role,))
    for url in links(page):
        response = client.get(url)
        assert response.status_code < 400, (url, response.status_code)


def test_the_lines_lead_to_where_the_work_is_done(office, client, login_as):
    p = office["petitions"]
    login_as("staff")
    page = html.unescape(client.get("/admin/").get_data(as_text=True))
    referral = Referral.get()
    for url in ("/admin/petition/step/accept/?ids=%d" % p["registered"].id,
                "/admin/petition/step/reject/?ids=%d" % p["registered"].id,
                "/admin/petition/details/?id=%d#letters" % p["accepted"].id,
                "/admin/referral/reply/?id=%d" % referral.id,
                "/admin/petition/step/answer/?ids=%d" % p["handled"].id,
                "/admin/petition/step/follow_up/?ids=%d" % p["answered"].id,
                "/admin/flags/"):
        assert 'href="%s"' % url in page
    text = visible_text(page)
    assert "已超期1天" in text  # the referral due yesterday
    assert "信访人可申请复查 剩余" in text  # just answered: the 30-day window of 复查 is open


def test_department_line_shows_the_matter_and_the_request(office, client, login_as):
    login_as("department", department=office["housing"])
    page = client.get("/admin/").get_data(as_text=True)
    text = visible_text(page)
    assert "小区地下车库漏水" in text and "诉求：要求开发商维修地下车库并赔偿损失。" in text
    assert "/admin/referral/reply/?id=%d" % Referral.get().id in page


def test_record_a_visit_only_where_the_user_may_record_it(office, client, login_as):
    """记录接访 of today's shifts: not for a department (403 there), a representative on its own shift only."""
    mine, theirs = office["mine"], office["theirs"]
    visit = "/admin/dutyshift/visit/?id=%d"
    login_as("department", department=office["housing"])
    page = client.get("/admin/").get_data(as_text=True)
    assert "记录接访" not in visible_text(page) and "/admin/dutyshift/visit/" not in page
    log_out(client)
    login_as("representative", username="wang", representative=office["wang"])
    page = client.get("/admin/").get_data(as_text=True)
    assert visit % mine.id in page and visit % theirs.id not in page
    log_out(client)
    login_as("staff")
    page = client.get("/admin/").get_data(as_text=True)
    assert visit % mine.id in page and visit % theirs.id in page


def test_a_dissatisfied_evaluation_shows_the_review_notice(office, client, login_as):
    login_as("staff")
    page = client.get("/admin/").get_data(as_text=True)
    text = visible_text(page)
    petition = office["petitions"]["answered"]
    assert "不满意评价 1" in text and "信访人不满意；可于" in text and "前申请复查" in text
    assert "/admin/petition/step/request_review/?ids=%d" % petition.id in html.unescape(page)


def test_an_empty_worklist_says_so(db, client, login_as):
    login_as("leader", display_name="刘县长")
    page = client.get("/admin/").get_data(as_text=True)
    assert counts(page) == {"led": 0, "sign_off": 0}
    assert "暂无待办" in visible_text(page)
