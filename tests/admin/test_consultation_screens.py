"""会诊 is one meeting, on the screens (issue 14): one 会诊纪要 and one number whichever petition's page issues it,
issued and printed on the 会诊's page (the PDF read back: who took part, with 身份 and 单位); participants as
rows; corrections refused once concluded; the "1+3" group fills the 会诊 and 调解 forms."""
import datetime as dt
import re
import subprocess

import pytest

from models import workflow
from models.casework import Consultation
from models.db import now
from models.documents import Document
from models.organisation import Department
from models.people import Representative
from models.petition import Petition

from tests.admin.helpers import alerts, csrf_token, log_out, submission_token, visible_text


@pytest.fixture
def staff(login_as):
    return login_as("staff", display_name="张干事")


@pytest.fixture
def deputy(db):
    return Representative.create(name="王春月", kind="npc_deputy", work_unit="高桥镇人大")


@pytest.fixture
def petitions(make_petition, staff):
    received = now() - dt.timedelta(days=3)
    return [workflow.register(make_petition(received_at=received, subject=subject), staff)
            for subject in ("征地补偿款分配", "宅基地界址纠纷")]


def convene_page(client, petitions):
    return client.get("/admin/petition/step/convene/?ids=%s" % ",".join(str(p.id) for p in petitions))


def post_convene(client, petitions, representatives, rows):
    """The 会诊 form of the petitions' list, posted as a browser does: the rows as participants-N-field."""
    page = convene_page(client, petitions).get_data(as_text=True)
    data = {"held_at": (now() - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"), "place": "联合接访大厅",
            "agenda": "研究补偿款分配方案", "representatives": ",".join(str(r.id) for r in representatives),
            "csrf_token": csrf_token(page), "submission_token": submission_token(page)}
    for i, (name, role, unit) in enumerate(rows):
        data.update({"participants-%d-name" % i: name, "participants-%d-role" % i: role,
                     "participants-%d-unit" % i: unit})
    return client.post("/admin/petition/step/convene/?ids=%s" % ",".join(str(p.id) for p in petitions), data=data,
                       follow_redirects=True)


@pytest.fixture
def meeting(client, petitions, deputy):
    """A 会诊 on both petitions convened on the screen, with 赵明 of 明正律师事务所 as the lawyer."""
    post_convene(client, petitions, [deputy], [("赵明", "lawyer", "明正律师事务所")])
    return Consultation.get()


def conclude(client, meeting):
    page = client.get("/admin/consultation/conclude/?id=%d" % meeting.id).get_data(as_text=True)
    return client.post("/admin/consultation/conclude/?id=%d" % meeting.id, follow_redirects=True, data={
        "conclusion": "按人口平均分配补偿款。", "csrf_token": csrf_token(page),
        "submission_token": submission_token(page)})


def issue_from_petition(client, petition, meeting):
    page = client.get("/admin/petition/details/?id=%d" % petition.id).get_data(as_text=True)
    return client.post("/admin/petition/letter/issue/?id=%d&kind=consultation_minutes&record=%d" % (
        petition.id, meeting.id), data={"csrf_token": csrf_token(page)}, follow_redirects=True)


def issue_on_meeting_page(client, meeting):
    page = client.get("/admin/consultation/details/?id=%d" % meeting.id).get_data(as_text=True)
    return client.post("/admin/consultation/minutes/?id=%d" % meeting.id, data={"csrf_token": csrf_token(page)},
                       follow_redirects=True)


def pdf_text(pdf, tmp_path):
    path = tmp_path / "minutes.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True,
                          timeout=120).stdout
    return re.sub(r"\s+", "", text)  # lines broken at 28 characters: read as one text


def test_one_minutes_one_number_whichever_petition_page_issues_it(client, petitions, meeting, issuing_office):
    conclude(client, meeting)
    first = issue_from_petition(client, petitions[1], meeting)
    assert any("已印发" in a for a in alerts(first.get_data(as_text=True)))
    issue_from_petition(client, petitions[0], meeting)
    issue_on_meeting_page(client, meeting)
    minutes = list(Document.select().where(Document.kind == "consultation_minutes"))
    assert len(minutes) == 1
    number = minutes[0].number
    for petition in petitions:  # each petition's page names the one letter and sends to the 会诊's page
        page = client.get("/admin/petition/details/?id=%d" % petition.id).get_data(as_text=True)
        letters = page.split('id="letters"', 1)[1].split("</table>", 1)[0]
        assert number in letters and "/admin/consultation/details/?id=%d" % meeting.id in letters
        assert "到会诊页面印发和打印" in visible_text(letters)
        assert number in page.split('id="documents"', 1)[1].split("</table>", 1)[0]


def test_the_minutes_are_issued_and_printed_on_the_meeting_page_listing_who_took_part(
        client, petitions, meeting, issuing_office, tmp_path):
    page = client.get("/admin/consultation/details/?id=%d" % meeting.id).get_data(as_text=True)
    assert "记录会诊结论后即可印发会诊纪要。" in visible_text(page) and 'id="issue-minutes"' not in page
    conclude(client, meeting)
    page = issue_on_meeting_page(client, meeting).get_data(as_text=True)
    document = Document.get(Document.kind == "consultation_minutes")
    section = page.split('id="minutes-letter"', 1)[1]
    assert document.number in visible_text(section) and 'id="print-minutes"' in section
    printed = client.get(re.search(r'id="print-minutes" href="([^"]+)"', section).group(1).replace("&amp;", "&"))
    assert printed.mimetype == "application/pdf"
    text = pdf_text(printed.data, tmp_path)
    assert "会诊纪要" in text and document.number in text
    assert "王春月（人大代表，高桥镇人大）" in text  # the representative: 身份 and 单位
    assert "赵明（律师，明正律师事务所）" in text  # typed as a row: never 其他
    for petition in petitions:
        assert petition.number in text
    participants = visible_text(page.split('id="participants"', 1)[1].split("</table>", 1)[0])
    assert "赵明 律师 明正律师事务所" in participants and "王春月 代表委员 高桥镇人大" in participants


def test_a_participant_row_without_a_role_is_refused_on_the_form(client, petitions, deputy):
    response = post_convene(client, petitions, [deputy], [("赵明律师明正律师事务所", "", "")])
    page = response.get_data(as_text=True)
    assert "请选择参加人员的身份。" in alerts(page)
    assert Consultation.select().count() == 0 and 'id="participants"' in page


def test_the_meeting_is_corrected_until_its_conclusion(client, meeting, deputy):
    url = "/admin/consultation/revise/?id=%d" % meeting.id
    page = client.get(url).get_data(as_text=True)
    assert 'value="赵明"' in page and 'value="明正律师事务所"' in page and "修改会诊" in page
    data = {"held_at": meeting.held_at.strftime("%Y-%m-%dT%H:%M"), "place": "领导接访室", "agenda": meeting.agenda,
            "representatives": str(deputy.id), "participants-0-name": "赵明", "participants-0-role": "lawyer",
            "participants-0-unit": "明正律师事务所", "participants-1-name": "孙丽", "participants-1-role": "mediator",
            "participants-1-unit": "高桥镇人民调解委员会", "csrf_token": csrf_token(page),
            "submission_token": submission_token(page)}
    text = visible_text(client.post(url, data=data, follow_redirects=True).get_data(as_text=True))
    assert "已修改会诊。" in text and "领导接访室" in text and "孙丽 人民调解员 高桥镇人民调解委员会" in text
    conclude(client, meeting)
    details = client.get("/admin/consultation/details/?id=%d" % meeting.id).get_data(as_text=True)
    assert 'id="revise"' not in details
    refused = client.post(url, data=dict(data, place="心理咨询室"), follow_redirects=True).get_data(as_text=True)
    assert "该会诊已记录结论，不能再修改；如需更正，请作废并重新印发会诊纪要。" in alerts(refused)
    assert Consultation.get_by_id(meeting.id).place == "领导接访室"


def test_the_group_of_the_petition_fills_the_consultation_and_mediation_forms(client, petitions, deputy, staff):
    petition = petitions[0]
    workflow.form_group(petition, staff, deputy, town_officer="刘干事", mediator="孙丽", lawyer="赵明")
    page = convene_page(client, [petition]).get_data(as_text=True)
    rows = page.split('id="participants"', 1)[1].split("</table>", 1)[0]
    for i, (name, role) in enumerate((("刘干事", "department_staff"), ("孙丽", "mediator"), ("赵明", "lawyer"))):
        assert re.search(r'name="participants-%d-name"[^>]*value="%s"' % (i, name), rows) or \
            re.search(r'value="%s"[^>]*name="participants-%d-name"' % (name, i), rows)
        select = rows.split('name="participants-%d-role"' % i, 1)[1].split("</select>", 1)[0]
        assert re.search(r'<option selected value="%s"|<option value="%s" selected' % (role, role), select)
    chosen = re.search(r'<input[^>]*name="representatives"[^>]*>', page).group(0)
    assert 'value="%d"' % deputy.id in chosen and "\\u738b\\u6625\\u6708" in chosen  # 王春月, chosen already
    mediate = client.get("/admin/petition/step/mediate/?ids=%d" % petition.id).get_data(as_text=True)
    assert re.search(r'id="mediator"[^>]*value="孙丽"|value="孙丽"[^>]*id="mediator"', mediate)
    assert re.search(r'id="lawyer"[^>]*value="赵明"|value="赵明"[^>]*id="lawyer"', mediate)
    other = convene_page(client, [petitions[1]]).get_data(as_text=True)  # no group: empty rows
    assert "孙丽" not in other


def test_a_department_that_sees_one_petition_of_the_meeting_sees_its_minutes(client, petitions, meeting, staff,
                                                                             issuing_office, login_as):
    conclude(client, meeting)
    issue_on_meeting_page(client, meeting)
    document = Document.get(Document.kind == "consultation_minutes")
    assert document.petition_id == petitions[0].id  # kept on the meeting's first petition
    housing = Department.create(name="县住建局", short_name="县住建", kind="county")
    second = workflow.accept(Petition.get_by_id(petitions[1].id), staff)
    workflow.refer(second, housing, staff)  # the department sees the second petition only
    log_out(client)
    login_as("department", username="housing", department=housing)
    assert client.get("/admin/petition/details/?id=%d" % petitions[0].id).status_code == 404
    page = client.get("/admin/petition/details/?id=%d" % second.id).get_data(as_text=True)
    assert document.number in page.split('id="documents"', 1)[1].split("</table>", 1)[0]
    printed = client.get("/admin/document/download/?id=%d" % document.id)
    assert printed.mimetype == "application/pdf" and printed.data == bytes(document.pdf)
