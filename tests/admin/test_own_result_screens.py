"""自行办理 from the screens (issue 14): the petition page offers the step, its form records the office's (or the
studio's) result with no referral, 答复 issues a 处理意见书 naming 本局/工作室 as the handling organ, and the home
page counts it."""
import datetime as dt
import html
import re
import subprocess

import pytest

from models import workflow
from models.casework import OwnResult
from models.documents import Document
from models.organisation import Department
from models.people import Team
from models.petition import Petition

from tests.admin.helpers import alerts, csrf_token, english_words, field_errors, step_buttons, visible_text

ACCEPTED = dt.datetime(2022, 12, 9, 10, 30)
STEP_URL = "/admin/petition/step/record_own_result/?ids=%d"
RESULT = {"handled_by": "office", "team": "", "outcome": "explain",
          "facts": "经“1+3”化解小组调解，双方已就宅基地界址达成一致。", "opinion": "对信访人作出解释说明。",
          "legal_basis": "《中华人民共和国民法典》第二百八十八条", "at": ""}


@pytest.fixture
def staff(login_as, issuing_office):
    return login_as("staff", display_name="张干部")


@pytest.fixture
def accepted(make_petition, staff):
    def accepted(**fields):
        petition = workflow.register(make_petition(**fields), staff)
        return workflow.accept(petition, staff, at=ACCEPTED)

    return accepted


def details(client, petition):
    return client.get("/admin/petition/details/?id=%d" % petition.id).get_data(as_text=True)


def post_step(client, form_post, petition, **changes):
    return form_post(STEP_URL % petition.id, dict(RESULT, **changes), follow_redirects=True).get_data(as_text=True)


def pdf_text(pdf, tmp_path):
    """The letter's text as pdftotext reads it, without the layout's spaces and line breaks."""
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return re.sub(r"\s+", "", text)


def test_the_accepted_petition_offers_the_step_and_its_form_is_in_chinese(client, staff, accepted):
    petition = accepted()
    page = details(client, petition)
    assert "record_own_result" in step_buttons(page)
    assert "下一步：分诊、自行办理并记录结果。" in html.unescape(page)
    form = client.get(STEP_URL % petition.id).get_data(as_text=True)
    text = visible_text(form)
    for words in ("自行办理并记录结果", "办理主体", "本局", "“两代表一委员”工作室", "工作室团队", "合理诉求化解团队",
                  "予以支持", "作出解释说明", "不予支持", "事实", "法律依据", "办理时间"):
        assert words in text, words
    assert english_words(form) == []


def test_the_form_records_the_result_back_dated_and_the_petition_is_handled(client, form_post, staff, accepted):
    petition = accepted()
    page = post_step(client, form_post, petition, handled_by="studio",
                     team=str(Team.get(Team.code == "reasonable_claims").id), at="2022年12月20日 10:00")
    assert "自行办理并记录结果：已办理 1 件。" in alerts(page)
    result = OwnResult.get()
    assert (result.petition_id, result.handled_by, result.team.code, result.outcome) == (
        petition.id, "studio", "reasonable_claims", "explain")
    assert result.handled_at == dt.datetime(2022, 12, 20, 10, 0) and result.facts == RESULT["facts"]
    assert Petition.get_by_id(petition.id).status == "handled"
    timeline = visible_text(page.split('id="timeline"')[1].split("</table>")[0])
    assert "2022年12月20日" in timeline and "自行办理并记录结果" in timeline
    assert "本局“两代表一委员”工作室（合理诉求化解团队）：作出解释说明（已办理）" in timeline
    assert "answer" in step_buttons(page)


@pytest.mark.parametrize("changes, message", [
    pytest.param({"outcome": ""}, "请选择办理结果。", id="no-outcome"),
    pytest.param({"facts": "  "}, "此项为必填项。", id="no-facts"),
    pytest.param({"legal_basis": ""}, "此项为必填项。", id="no-basis"),
    pytest.param({"at": "2022年13月40日"}, None, id="unreadable-date"),
    pytest.param({"at": "2022-12-01 09:00"}, "不能早于", id="before-acceptance"),
])
def test_a_bad_value_is_refused_on_its_field_in_chinese_and_nothing_is_written(client, form_post, staff, accepted,
                                                                                 changes, message):
    petition = accepted()
    page = post_step(client, form_post, petition, **changes)
    errors = field_errors(page)
    assert errors, page
    if message is not None:
        assert any(message in e for e in errors), errors
    assert not OwnResult.select().exists() and Petition.get_by_id(petition.id).status == "accepted"


def test_a_referred_petition_is_refused_in_chinese(client, form_post, staff, accepted):
    petition = accepted()
    land = Department.create(name="县自然资源局", short_name="高自然资源", kind="county")
    workflow.refer(petition, land, staff)
    page = details(client, petition)
    assert "record_own_result" not in step_buttons(page)
    done = post_step(client, form_post, petition)
    assert any(m.startswith(petition.number) and "只有已受理且未交办职能部门的信访事项，才能由本局（工作室）自行办理。" in m
               for m in alerts(done)), alerts(done)
    assert not OwnResult.select().exists() and Petition.get_by_id(petition.id).status == "referred"


def test_the_answer_issues_a_handling_opinion_that_states_the_offices_own_result(client, form_post, staff, accepted,
                                                                                   tmp_path):
    petition = accepted(subject="宅基地及共用道路纠纷")
    post_step(client, form_post, petition)
    token = csrf_token(details(client, petition))
    page = client.post("/admin/petition/step/answer/?ids=%d" % petition.id, data={"csrf_token": token},
                       follow_redirects=True).get_data(as_text=True)
    assert "答复：已办理 1 件。" in alerts(page) and Petition.get_by_id(petition.id).status == "answered"
    document = Document.get()
    assert document.kind == "handling_opinion" and document.issuer.name == "县信访局"
    text = pdf_text(bytes(document.pdf), tmp_path)
    assert "经本局办理，现将处理意见告知如下" in text
    assert "二、查明的事实。" + RESULT["facts"] in text and "三、处理理由。" + RESULT["opinion"] in text
    assert "四、处理意见：作出解释说明。" in text and RESULT["legal_basis"] in text
    assert "县自然资源局" not in text


def test_the_studio_is_named_as_the_handling_organ_in_the_letter(client, form_post, staff, accepted, tmp_path):
    petition = accepted()
    post_step(client, form_post, petition, handled_by="studio",
              team=str(Team.get(Team.code == "unreasonable_claims").id))
    token = csrf_token(details(client, petition))
    client.post("/admin/petition/step/answer/?ids=%d" % petition.id, data={"csrf_token": token})
    text = pdf_text(bytes(Document.get().pdf), tmp_path)
    assert "经本局“两代表一委员”工作室（不合理诉求调解团队）办理" in text


def test_the_home_page_counts_what_the_office_resolved_itself(client, form_post, staff, accepted):
    post_step(client, form_post, accepted(), at="2022-12-20 10:00")
    post_step(client, form_post, accepted(), handled_by="studio", at="2022-12-21 10:00")
    page = client.get("/admin/?period=month&year=2022&month=12").get_data(as_text=True)
    found = re.search(r'id="figure-own_resolved">(.*?)</div>', page, re.S)
    assert found and visible_text(found.group(1)) == "2"
    card = page.split('id="figure-own_resolved"')[0][-600:]
    assert "本局（工作室）自行办理" in visible_text(card)
    assert "本期由本局或其“两代表一委员”工作室自行办理" in visible_text(page)  # its definition
    november = client.get("/admin/?period=month&year=2022&month=11").get_data(as_text=True)
    assert visible_text(re.search(r'id="figure-own_resolved">(.*?)</div>', november, re.S).group(1)) == "0"
