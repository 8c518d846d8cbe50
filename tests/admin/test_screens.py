"""Every screen opens, in Chinese, for the administrator; records that others point to are not deleted."""
import pytest

from models.organisation import Department
from models.people import Petitioner

from tests.admin.helpers import alerts, csrf_token, english_words, field_errors

SCREENS = ["petition", "petitioner", "visitlog", "representative", "team", "department", "category", "user"]


@pytest.fixture
def demo(db, login_as):
    from models.demo import seed_demo

    admin = login_as("admin", display_name="管理员")
    seed_demo(admin_user=admin)
    return admin


def pages_of(client, screen):
    yield "/admin/%s/" % screen
    if screen != "team":
        yield "/admin/%s/new/" % screen
    record_id = 1
    yield "/admin/%s/details/?id=%d" % (screen, record_id)
    yield "/admin/%s/edit/?id=%d" % (screen, record_id)


@pytest.mark.parametrize("screen", SCREENS)
def test_every_screen_is_in_chinese(client, demo, screen):
    for url in pages_of(client, screen):
        response = client.get(url)
        assert response.status_code == 200, url
        assert english_words(response.get_data(as_text=True), data=["admin"]) == [], url  # a username


def test_the_home_page_is_in_chinese_and_links_counts_to_the_list(client, demo):
    page = client.get("/admin/").get_data(as_text=True)
    assert english_words(page) == []
    assert "/admin/petition/?flt0_0=registered" in page


def test_the_menu_is_grouped_the_way_the_office_works(client, demo):
    page = client.get("/admin/").get_data(as_text=True)
    for group, items in {"信访事项": ("事项", "信访人", "接访记录"), "代表委员": ("团队",), "单位": ("职能部门", "问题类别"),
                         "系统": ("用户",)}.items():
        assert group in page and all(item in page for item in items)


def test_a_department_with_petitions_is_not_deleted_but_can_be_deactivated(client, login_as, make_petition, make_town):
    login_as("staff")
    town = make_town("梁庄镇")
    make_petition(town=town)
    token = csrf_token(client.get("/admin/department/").get_data(as_text=True))
    response = client.post("/admin/department/delete/", data={"id": town.id, "csrf_token": token}, follow_redirects=True)
    assert any("不能删除" in a and "请改为停用" in a for a in alerts(response.get_data(as_text=True)))
    assert Department.get_by_id(town.id).active
    client.post("/admin/department/action/", data={"action": "deactivate", "rowid": town.id, "csrf_token": token})
    assert not Department.get_by_id(town.id).active


def test_a_bulk_delete_keeps_what_is_referenced_and_deletes_the_rest(client, login_as, make_petition, make_petitioner):
    login_as("staff")
    kept = make_petition().petitioner
    loose = make_petitioner(name="未关联的人")
    token = csrf_token(client.get("/admin/petitioner/").get_data(as_text=True))
    response = client.post("/admin/petitioner/action/", follow_redirects=True,
                           data={"action": "delete", "rowid": [kept.id, loose.id], "csrf_token": token})
    messages = " ".join(alerts(response.get_data(as_text=True)))
    assert "不能删除" in messages and "已删除 1 条记录。" in messages
    assert [p.id for p in Petitioner.select()] == [kept.id]


def test_ids_and_phones_are_masked_in_the_petitioner_list(client, login_as, make_petitioner):
    login_as("staff")
    person = make_petitioner(phone="13912345678")
    page = client.get("/admin/petitioner/").get_data(as_text=True)
    assert person.id_number not in page and person.id_number[:6] + "********" + person.id_number[-4:] in page
    assert "13912345678" not in page and "139****5678" in page


@pytest.mark.parametrize("url, data, message", [
    pytest.param("/admin/petitioner/new/", {"name": "赵某", "id_number": "37152619490231123X"},
                 "身份证号码中的出生日期不存在。", id="petitioner-birth-date"),
    pytest.param("/admin/petitioner/new/", {"name": "赵某", "phone": "12345"}, "电话号码应为 11 位手机号码", id="petitioner-phone"),
    pytest.param("/admin/petitioner/new/", {"name": ""}, "必填", id="petitioner-name"),
    pytest.param("/admin/representative/new/", {"name": "钱某", "kind": "npc_deputy", "level": "county", "phone": "abc"},
                 "电话号码应为 11 位手机号码", id="representative-phone"),
    pytest.param("/admin/department/new/", {"name": "", "kind": "county"}, "必填", id="department-name"),
    pytest.param("/admin/visitlog/new/", {"visited_at": "2099-01-01 10:00:00", "kind": "reception", "place": "联合接访大厅",
                                          "summary": "未来的接访"}, "时间不能晚于当前时间。", id="visit-in-future"),
])
def test_bad_input_on_other_screens_is_refused_and_nothing_written(client, login_as, form_post, url, data, message):
    from models.casework import VisitLog
    from models.people import Representative

    login_as("staff")
    before = [m.select().count() for m in (Petitioner, Representative, Department, VisitLog)]
    page = form_post(url, data).get_data(as_text=True)
    assert message in " ".join(alerts(page) + field_errors(page))
    assert [m.select().count() for m in (Petitioner, Representative, Department, VisitLog)] == before


def test_a_visit_log_records_the_representatives_present(client, login_as, form_post, make_petition):
    from models.casework import VisitLog
    from models.people import Representative

    login_as("staff")
    petition = make_petition()
    wang = Representative.create(name="王春月", kind="npc_deputy")
    response = form_post("/admin/visitlog/new/", {
        "visited_at": "2022-12-09 10:00:00", "kind": "reception",
        "place": "高桥镇一站式矛调中心", "petition": petition.id, "summary": "巡回接访，听取刘某陈述。",
        "representatives_present-0-representative": wang.id, "representatives_present-0-id": ""})
    assert response.status_code == 302
    visit = VisitLog.get()
    assert visit.place == "高桥镇一站式矛调中心" and [r.representative for r in visit.representatives_present] == [wang]
