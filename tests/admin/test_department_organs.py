"""Who issues what, from the screens: a department's 复查机关 and 复核机关 on its form (Chinese labels), a 文号简称
another organ uses refused, and the 答复 of a case whose department has no 文号简称 refused in Chinese, nothing
written."""
from models import workflow
from models.audit import AuditEntry
from models.documents import Document
from models.organisation import Department
from models.petition import NumberSeries, Petition, StepRecord

from tests.admin.helpers import alerts, csrf_token, english_words, field_errors, visible_text


def test_the_department_form_names_its_review_and_recheck_organs(client, login_as, form_post):
    login_as("staff")
    page = client.get("/admin/department/new/").get_data(as_text=True)
    text = visible_text(page)
    assert "复查机关" in text and "复核机关" in text and "“系统设置”中的复查机关" in text and "LETTER_" not in text
    assert not [w for w in english_words(page) if w in ("Review", "organ", "Re-examination")]
    form_post("/admin/department/new/", {"name": "县自然资源局", "short_name": "高自然资", "kind": "county",
                                         "review_organ": " 市自然资源和规划局 ", "recheck_organ": "",
                                         "active": "y"})
    department = Department.get(Department.name == "县自然资源局")
    assert (department.review_organ, department.recheck_organ) == ("市自然资源和规划局", None)
    page = client.get("/admin/department/edit/?id=%d" % department.id).get_data(as_text=True)
    assert 'value="市自然资源和规划局"' in page


def test_a_short_name_another_organ_uses_is_refused(client, login_as, form_post, issuing_office):
    login_as("staff")
    page = form_post("/admin/department/new/", {"name": "县住建局", "short_name": "高信访", "kind": "county",
                                                "active": "y"}).get_data(as_text=True)
    assert any("文号简称“高信访”已被其他单位" in m for m in alerts(page) + field_errors(page))
    assert not Department.select().where(Department.name == "县住建局").exists()


def test_the_answer_of_a_case_whose_department_has_no_short_name_is_refused_and_writes_nothing(
        client, login_as, make_petition, issuing_office):
    staff = login_as("staff")
    bureau = Department.create(name="县住建局", kind="county")
    petition = workflow.register(make_petition(), staff)
    workflow.accept(petition, staff)
    referral = workflow.refer(petition, bureau, staff)
    workflow.record_reply(referral, staff, outcome="support", facts="属实。", opinion="予以支持。",
                          legal_basis="《信访工作条例》第三十二条")
    before = (Document.select().count(), AuditEntry.select().count(), StepRecord.select().count(),
              [(s.prefix, s.last) for s in NumberSeries.select()])

    token = csrf_token(client.get("/admin/petition/details/?id=%d" % petition.id).get_data(as_text=True))
    response = client.post("/admin/petition/step/answer/?ids=%d" % petition.id, data={"csrf_token": token},
                           follow_redirects=True)

    assert response.status_code == 200
    messages = alerts(response.get_data(as_text=True))
    assert any("“县住建局”未设置文号简称" in m and "请在职能部门中设置其文号简称" in m for m in messages), messages
    assert not any("已印发" in m for m in messages), messages
    assert Petition.get_by_id(petition.id).status == "handled"
    assert (Document.select().count(), AuditEntry.select().count(), StepRecord.select().count(),
            [(s.prefix, s.last) for s in NumberSeries.select()]) == before
