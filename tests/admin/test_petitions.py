"""The petition screens: list, filters, search, registration in one form, bad input refused whole."""
import datetime as dt

import pytest

from models.organisation import Category
from models.people import Petitioner
from models.petition import Petition

from tests.admin.helpers import alerts, field_errors, visible_text
from tests.conftest import valid_id_number


@pytest.fixture
def staff(login_as):
    return login_as("staff")


@pytest.fixture
def land(db):
    return Category.create(name="土地宅基地")


def new_petition(town=None, category=None, **fields):
    data = {"channel": "roving_reception", "received_at": "2022-12-09 09:30:00", "petitioner": "",
            "new_petitioner_name": "刘某某", "new_petitioner_id_number": "", "new_petitioner_phone": "13812345678",
            "new_petitioner_address": "", "head_count": "1", "subject": "宅基地及共用道路纠纷",
            "content": "信访人反映与原邻居之间的宅基地及共用道路纠纷。",
            "request_summary": "请求确认宅基地界址，恢复共用道路通行。", "classification": "unclassified",
            "category": str(category.id) if category else "", "town": str(town.id) if town else ""}
    data.update(fields)
    return data


def test_the_list_shows_petitions_newest_first_with_chinese_dates(client, staff, make_petition):
    make_petition(subject="较早的事项", received_at=dt.datetime(2022, 12, 9, 9, 30))
    make_petition(subject="较新的事项", received_at=dt.datetime(2023, 1, 5, 10, 0))
    text = visible_text(client.get("/admin/petition/").get_data(as_text=True))
    assert text.index("较新的事项") < text.index("较早的事项")
    assert "2022年12月9日" in text and "2023年1月5日" in text
    for label in ("编号", "收到时间", "信访人", "事由", "问题类别", "所属镇街", "状态", "分类处理"):
        assert label in text


def test_a_new_petitioner_is_registered_with_the_petition_in_one_form(client, staff, form_post, make_town, land):
    town = make_town("高桥镇")
    response = form_post("/admin/petition/new/", new_petition(town, land))
    assert response.status_code == 302
    petition = Petition.get()
    assert petition.number == "XF-2022-000001"
    assert petition.petitioner.name == "刘某某" and petition.petitioner.phone == "13812345678"
    assert petition.petitioner.town == town and petition.registered_by_id == staff.id
    assert petition.status == "registered"


def test_a_petitioner_on_record_is_chosen_by_id(client, staff, form_post, make_petitioner):
    person = make_petitioner(name="王某某")
    form_post("/admin/petition/new/", new_petition(petitioner=str(person.id), new_petitioner_name=""))
    assert Petition.get().petitioner == person
    assert Petitioner.select().count() == 1


ID_LIU = valid_id_number(sequence="777")


def test_a_quick_added_petitioner_on_record_is_linked_not_added_again(client, staff, form_post, make_petitioner):
    person = make_petitioner(name="刘德山", id_number=ID_LIU, phone="13800000001")
    typed = {"new_petitioner_id_number": ID_LIU.lower(), "new_petitioner_phone": "13911112222"}
    response = form_post("/admin/petition/new/", new_petition(new_petitioner_name="刘德山", **typed),
                         follow_redirects=True)
    assert "已关联已登记的信访人 刘德山。" in alerts(response.get_data(as_text=True))
    assert Petition.get().petitioner_id == person.id and Petitioner.select().count() == 1


def test_a_quick_added_name_and_phone_on_record_asks_first(client, staff, form_post, make_petitioner):
    """Not linked silently: the warning of the petitioner form (tests/admin/test_same_person.py has the choices)."""
    make_petitioner(name="刘德山", id_number=ID_LIU, phone="13800000001")
    response = form_post("/admin/petition/new/", new_petition(new_petitioner_name="刘德山",
                                                             new_petitioner_phone="13800000001"))
    assert "已有同名同电话的信访人：刘德山" in " ".join(alerts(response.get_data(as_text=True)))
    assert Petition.select().count() == 0 and Petitioner.select().count() == 1


def test_a_quick_added_id_number_on_record_under_another_name_is_refused(client, staff, form_post, make_petitioner):
    make_petitioner(name="刘德山", id_number=ID_LIU)
    response = form_post("/admin/petition/new/", new_petition(new_petitioner_name="刘得山",
                                                             new_petitioner_id_number=ID_LIU))
    shown = " ".join(alerts(response.get_data(as_text=True)))
    assert "身份证号码已登记：刘德山" in shown and ID_LIU not in shown
    assert Petition.select().count() == 0 and Petitioner.select().count() == 1


def test_a_family_phone_under_another_name_adds_a_new_petitioner(client, staff, form_post, make_petitioner):
    relative = make_petitioner(name="刘德山", phone="13812345678")
    response = form_post("/admin/petition/new/", new_petition(), follow_redirects=True)  # 刘某某, the same phone
    assert not any("已关联" in alert for alert in alerts(response.get_data(as_text=True)))
    assert Petition.get().petitioner.name == "刘某某" and Petition.get().petitioner_id != relative.id


def test_the_type_ahead_finds_a_petitioner_by_two_characters(client, staff, make_petitioner):
    make_petitioner(name="欧阳春花")
    found = client.get("/admin/petition/ajax/lookup/?name=petitioner&query=春花").get_json()
    assert len(found) == 1 and found[0][1].startswith("欧阳春花")
    assert "138****0001" in found[0][1]  # people of the same name told apart, the phone masked


def test_the_town_type_ahead_offers_only_towns(client, staff, make_town, db):
    from models.organisation import Department

    make_town("高桥镇")
    Department.create(name="高桥供电所", kind="county")
    found = client.get("/admin/petition/ajax/lookup/?name=town&query=高桥").get_json()
    assert [label for _, label in found] == ["高桥镇"]


BAD_INPUT = [
    pytest.param({"new_petitioner_id_number": "371526196503121234"}, "身份证号码的校验码不正确，请核对。", id="id-check"),
    pytest.param({"new_petitioner_id_number": "371526194902311231"}, "身份证号码中的出生日期不存在。", id="id-19490231"),
    pytest.param({"new_petitioner_id_number": "37152619650312"}, "身份证号码应为 18 位", id="id-short"),
    pytest.param({"new_petitioner_phone": "1381234"}, "电话号码应为 11 位手机号码", id="phone"),
    pytest.param({"subject": ""}, "必填", id="empty-subject"),
    pytest.param({"content": "  "}, "必填", id="blank-content"),
    pytest.param({"subject": "事" * 101}, "100", id="subject-too-long"),
    pytest.param({"request_summary": "请" * 101}, "字段长度不能超过 100 个字符。", id="summary-too-long"),
    pytest.param({"request_summary": "  "}, "请填写信访请求。", id="no-summary"),
    pytest.param({"received_at": "2099-01-01 09:00:00"}, "收到时间不能晚于当前时间。", id="future"),
    pytest.param({"received_at": "2022-13-45"}, "", id="bad-date"),
    pytest.param({"new_petitioner_name": ""}, "请选择已登记的信访人，或填写新信访人的姓名。", id="no-petitioner"),
    pytest.param({"channel": "carrier-pigeon"}, "", id="unknown-channel"),
    pytest.param({"head_count": "0"}, "人数至少为 1。", id="head-count"),
]


@pytest.mark.parametrize("change, message", BAD_INPUT)
def test_bad_input_is_refused_with_a_chinese_message_and_nothing_written(client, staff, form_post, change, message):
    response = form_post("/admin/petition/new/", new_petition(**change))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    shown = " ".join(alerts(page) + field_errors(page))
    assert message in shown
    assert Petition.select().count() == 0 and Petitioner.select().count() == 0


def test_a_twenty_thousand_character_content_is_accepted(client, staff, form_post):
    content = ("信访人反映宅基地纠纷，" * 2000)[:20000]
    assert form_post("/admin/petition/new/", new_petition(content=content)).status_code == 302
    assert len(Petition.get().content) == 20000


def test_petition_text_is_shown_as_text_not_markup(client, staff, make_petition):
    petition = make_petition(subject="<script>alert(1)</script>", content="<b>粗体</b>")
    page = client.get("/admin/petition/details/?id=%d" % petition.id).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "<b>粗体</b>" not in page


def test_a_post_without_csrf_token_writes_nothing(client, staff):
    response = client.post("/admin/petition/new/", data=new_petition())
    assert response.status_code == 200
    assert "表单已过期，请重新提交。" in alerts(response.get_data(as_text=True))
    assert Petition.select().count() == 0


@pytest.mark.parametrize("flt, value, expected", [
    pytest.param("flt0_0", "accepted", {"已受理的事项"}, id="status"),
    pytest.param("flt1_1", "letter", {"来信的事项"}, id="channel"),
    pytest.param("flt4_4", "hardship", {"已受理的事项"}, id="classification"),
    pytest.param("flt6_6", "2023-01-01 to 2023-01-31", {"来信的事项"}, id="received-range"),
])
def test_filters_narrow_the_list(client, staff, make_petition, flt, value, expected):
    make_petition(subject="已受理的事项", status="accepted", classification="hardship")
    make_petition(subject="来信的事项", channel="letter", received_at=dt.datetime(2023, 1, 31, 17, 0))
    make_petition(subject="其他的事项")
    text = visible_text(client.get("/admin/petition/?%s=%s" % (flt, value)).get_data(as_text=True))
    shown = {s for s in ("已受理的事项", "来信的事项", "其他的事项") if s in text}
    assert shown == expected


def test_filters_on_category_and_town_use_the_ids(client, staff, make_petition, make_town, land):
    town = make_town("柳林镇")
    make_petition(subject="柳林镇的宅基地事项", category=land, town=town)
    make_petition(subject="别处的事项")
    for query in ("flt0_2=%d" % land.id, "flt0_3=%d" % town.id, "flt0_2=%d&flt1_3=%d" % (land.id, town.id)):
        text = visible_text(client.get("/admin/petition/?" + query).get_data(as_text=True))
        assert "柳林镇的宅基地事项" in text and "别处的事项" not in text


@pytest.mark.parametrize("term", ["XF-2022-000002", "共用道路", "刘某某", "刘某"])
def test_search_by_number_subject_and_petitioner_name(client, staff, make_petition, make_petitioner, term):
    make_petition(subject="与本案无关的事项", content="另一件事，与本案无关。")  # content is searched too
    make_petition(subject="宅基地及共用道路纠纷", petitioner=make_petitioner(name="刘某某"))
    text = visible_text(client.get("/admin/petition/", query_string={"search": term}).get_data(as_text=True))
    assert "宅基地及共用道路纠纷" in text and "与本案无关的事项" not in text


def test_search_combined_with_a_filter(client, staff, make_petition, make_petitioner, make_town):
    town = make_town("河西镇")
    liu = make_petitioner(name="刘某某")
    make_petition(subject="河西镇刘某某的事项", petitioner=liu, town=town)
    make_petition(subject="别处刘某某的事项", petitioner=liu)
    page = client.get("/admin/petition/", query_string={"search": "刘某某", "flt0_3": town.id}).get_data(as_text=True)
    text = visible_text(page)
    assert "河西镇刘某某的事项" in text and "别处刘某某的事项" not in text


def test_the_details_page_shows_the_visit_logs(client, staff, make_petition):
    from models.casework import VisitLog

    petition = make_petition()
    VisitLog.create(kind="reception", place="联合接访大厅", petition=petition, summary="信访人当面陈述纠纷经过。",
                    visited_at=dt.datetime(2022, 12, 9, 10, 0))
    text = visible_text(client.get("/admin/petition/details/?id=%d" % petition.id).get_data(as_text=True))
    assert "信访人当面陈述纠纷经过。" in text and "2022年12月9日 10:00" in text and "接访" in text


def test_petitions_cannot_be_deleted(client, staff, make_petition):
    petition = make_petition()
    page = client.get("/admin/petition/").get_data(as_text=True)
    assert "/admin/petition/delete/" not in page
    client.post("/admin/petition/delete/", data={"id": petition.id})
    assert Petition.select().count() == 1


def test_a_list_page_runs_the_same_number_of_queries_for_5_or_20_rows(client, staff, make_petition, make_town,
                                                                      land, query_counter):
    def queries_for_list():
        with query_counter() as counter:
            assert client.get("/admin/petition/").status_code == 200
        return counter.count

    for _ in range(5):
        make_petition(category=land, town=make_town())
    five = queries_for_list()
    for _ in range(20):
        make_petition(category=land, town=make_town())
    assert queries_for_list() == five


def test_the_request_summary_is_asked_for_with_its_label_and_a_long_one_is_kept_as_typed(client, staff, form_post):
    page = client.get("/admin/petition/new/").get_data(as_text=True)
    assert "信访请求" in page and "不超过100个字" in page
    typed = "请求确认宅基地界址" + "并恢复通行" * 20
    page = form_post("/admin/petition/new/", new_petition(request_summary=typed)).get_data(as_text=True)
    assert "字段长度不能超过 100 个字符。" in " ".join(field_errors(page))
    assert 'value="%s"' % typed in page  # kept, to be shortened
    assert Petition.select().count() == 0
    form_post("/admin/petition/new/", new_petition(request_summary="请求确认宅基地界址。"))
    assert Petition.get().request_summary == "请求确认宅基地界址。"
