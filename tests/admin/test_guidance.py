"""Next-step guidance on the petition's page, confirmation of steps that cannot be undone, the list as it
was after a bulk step, and the letter the 条例 requires next (steps.py, guidance.py)."""
import html
import re

import pytest

from models import workflow
from models.organisation import Department
from models.petition import Petition

from tests.admin.forms import forms
from tests.admin.helpers import alerts, csrf_token, english_words, step_buttons, submission_token, visible_text


@pytest.fixture
def staff(login_as):
    return login_as("staff", display_name="张干部")


def details(client, petition):
    return client.get("/admin/petition/details/?id=%d" % petition.id).get_data(as_text=True)


def next_step(page):
    found = re.search(r'(?s)id="next-step">(.*?)</p>', page)
    return html.unescape(found.group(1)) if found else None


def greyed(page):
    """{label: reason} of the greyed steps (title of each disabled button)."""
    return {html.unescape(label.strip()): html.unescape(title) for title, label in re.findall(
        r'(?s)class="d-inline-block step-unavailable" tabindex="0" title="([^"]*)">\s*<button[^>]*disabled[^>]*>'
        r'([^<]*)</button>', page)}


def test_a_registered_petition_says_what_comes_next_and_greys_the_steps_not_possible_yet(client, staff,
                                                                                        make_petition):
    petition = workflow.register(make_petition(subject="宅基地纠纷"), staff)
    page = details(client, petition)
    assert next_step(page).startswith("下一步：受理、不予受理。应在15日内决定是否受理")
    assert "answer" not in step_buttons(page)  # greyed, not a link to the step
    assert greyed(page)["分诊"] == "请先受理该信访事项。"
    assert "分诊：请先受理该信访事项。" in visible_text(page)
    assert english_words(page) == []


def test_answer_on_an_accepted_petition_is_greyed_with_its_reason(client, staff, make_petition):
    petition = workflow.accept(workflow.register(make_petition(), staff), staff)
    page = details(client, petition)
    assert greyed(page)["答复"] == "答复需要先有办理结果：交办给职能部门，或由本局（工作室）自行办理后记录办理结果"
    assert next_step(page).startswith("下一步：分诊、自行办理并记录结果。")


def test_the_accept_button_asks_to_confirm_naming_the_petition(client, staff, make_petition):
    petition = workflow.register(make_petition(subject="宅基地纠纷"), staff)
    page = details(client, petition)
    button = [f for f in forms(page) if "/step/accept/" in (f["attrs"].get("action") or "")][0]
    assert button["attrs"]["data-confirm"] == "确认受理信访事项 %s（宅基地纠纷）？此操作不可撤销。" % petition.number
    assert "confirm(this.dataset.confirm)" in button["attrs"]["onsubmit"]
    reject = [f for f in forms(page) if "/step/reject/" in (f["attrs"].get("action") or "")]
    assert reject == []  # 不予受理 opens its form: that page is its confirmation


def list_action(client, action, ids, list_url):
    page = client.get(list_url).get_data(as_text=True)
    return client.post("/admin/petition/action/", data={
        "action": action, "rowid": ids, "csrf_token": csrf_token(page), "url": list_url,
        "submission_token": submission_token(page) or ""})


def test_a_bulk_accept_asks_to_confirm_naming_the_petitions_then_comes_back_to_the_filtered_list(
        client, staff, make_petition):
    petitions = [workflow.register(make_petition(subject="事项%d" % i), staff) for i in range(2)]
    list_url = "/admin/petition/?search=%E4%BA%8B%E9%A1%B9&flt0_0=registered"
    asked = list_action(client, "accept", [p.id for p in petitions], list_url)
    assert "/admin/petition/step/accept/" in asked.headers["Location"]
    assert Petition.select().where(Petition.status == "accepted").count() == 0  # nothing yet
    page = client.get(asked.headers["Location"]).get_data(as_text=True)
    text = visible_text(page)
    assert "确认受理以下信访事项（不可撤销）：" in text
    assert all("%s 事项%d" % (p.number, i) in text for i, p in enumerate(petitions))
    cancel = re.search(r'class="btn btn-secondary" href="([^"]*)">取消<', page).group(1)
    assert html.unescape(cancel) == list_url
    step_form = [f for f in forms(page) if f["attrs"].get("class") == "admin-form"][0]
    done = client.post(asked.headers["Location"], data=dict(step_form["fields"]))
    assert done.headers["Location"].endswith(list_url)  # the list with its search and filter
    assert Petition.select().where(Petition.status == "accepted").count() == 2


def test_a_bulk_step_that_applies_to_none_of_the_rows_says_why(client, staff, make_petition):
    petitions = [workflow.register(make_petition(subject="事项%d" % i), staff) for i in range(2)]
    list_url = "/admin/petition/?flt0_0=registered"
    page = client.get(list_action(client, "close", [p.id for p in petitions], list_url).headers["Location"],
                      follow_redirects=True)
    assert page.request.full_path.rstrip("?") == list_url  # back to the list as it was
    messages = alerts(page.get_data(as_text=True))
    assert "所选的 2 件信访事项均不能办结：" in messages
    assert sum("请先回访信访人（复诊）" in m for m in messages) == 2


def test_after_accepting_the_page_offers_the_acceptance_notice(client, staff, make_petition, issuing_office):
    petition = workflow.register(make_petition(), staff)
    page = details(client, petition)
    button = [f for f in forms(page) if "/step/accept/" in (f["attrs"].get("action") or "")][0]
    after = client.post(button["attrs"]["action"], data=dict(button["fields"]), follow_redirects=True)
    text = after.get_data(as_text=True)
    assert "下一步：向信访人出具信访事项受理告知书。" in alerts(text)[-1]
    offer = [f for f in forms(text) if "letter-offer" in (f["attrs"].get("class") or "")][0]
    assert "kind=acceptance_notice" in html.unescape(offer["attrs"]["action"])
    issued = client.post(html.unescape(offer["attrs"]["action"]), data=dict(offer["fields"]), follow_redirects=True)
    assert any(m.startswith("已印发") for m in alerts(issued.get_data(as_text=True)))


def test_after_a_referral_the_page_offers_the_referral_notice(client, staff, make_petition, issuing_office):
    bureau = Department.create(name="县自然资源局", short_name="高自然资源", kind="county")
    petition = workflow.accept(workflow.register(make_petition(), staff), staff)
    url = "/admin/petition/step/refer/?ids=%d" % petition.id
    form = [f for f in forms(client.get(url).get_data(as_text=True)) if f["attrs"].get("class") == "admin-form"][0]
    data = dict(form["fields"], department=bureau.id, mode="assign")
    text = client.post(url, data=data, follow_redirects=True).get_data(as_text=True)
    assert any("下一步：向信访人出具信访事项转送（交办）告知书。" in m for m in alerts(text))
    assert re.search(r'action="/admin/petition/letter/issue/\?id=%d&amp;kind=referral_notice&amp;record=\d+"'
                     % petition.id, text)


def test_a_bulk_accept_offers_to_print_the_acceptance_notices(client, staff, make_petition):
    petitions = [workflow.register(make_petition(subject="事项%d" % i), staff) for i in range(2)]
    asked = list_action(client, "accept", [p.id for p in petitions], "/admin/petition/")
    page = client.get(asked.headers["Location"]).get_data(as_text=True)
    step_form = [f for f in forms(page) if f["attrs"].get("class") == "admin-form"][0]
    text = client.post(asked.headers["Location"], data=dict(step_form["fields"]), follow_redirects=True
                       ).get_data(as_text=True)
    link = re.search(r'class="btn btn-sm btn-primary letter-offer" href="([^"]*)">打印信访事项受理告知书<', text)
    print_page = client.get(html.unescape(link.group(1))).get_data(as_text=True)
    assert re.search(r'<option selected value="acceptance_notice">|<option value="acceptance_notice" selected',
                     print_page)


def test_the_confirmation_page_names_the_rows_that_will_be_skipped_and_why(client, staff, make_petition):
    first = workflow.register(make_petition(subject="新事项"), staff)
    accepted = workflow.accept(workflow.register(make_petition(subject="已受理的事项"), staff), staff)
    asked = list_action(client, "accept", [first.id, accepted.id], "/admin/petition/")
    page = client.get(asked.headers["Location"]).get_data(as_text=True)
    text = visible_text(page)
    assert "%s 已受理的事项" % accepted.number in text and "将跳过：只有刚登记的信访事项才能受理。" in text
    assert text.count("将跳过") == 1
    assert english_words(page) == []
