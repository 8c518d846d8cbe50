"""转为信访事项 with a review step (issue 14): the ticket opens the petition form filled in — the caller matched, the
town and category read through the 12345 mappings, an unknown area said on 所属镇街 and kept out of 村（社区）,
事由 cut from the first sentence — and saving it makes one petition linked to the ticket; the mapping table is a
screen of its own, audited; the import report warns of a phone that is not one."""
import datetime as dt
import io

import pytest

from models.audit import AuditEntry
from models.hotline import HotlineTicket
from models.hotline_mapping import HotlineMapping
from models.organisation import Category
from models.people import Petitioner
from models.petition import Petition

from tests.admin.forms import model_form
from tests.admin.helpers import alerts, csrf_token, english_words, field_errors, visible_text
from tests.hotline_files import csv_bytes, rows_of, ticket_row

CONTENT = "清平镇某工地拖欠工资三个月，多次讨要无果。请求有关部门督促支付。\n联系人在工地门口等候。"


@pytest.fixture
def staff(login_as):
    return login_as("staff", display_name="李敏")


def new_ticket(**fields):
    values = dict(number="12345-2023-00001", called_at=dt.datetime(2023, 3, 1, 9, 30), caller="赵六",
                  phone="13912345678", content=CONTENT, kind="劳动争议", area="清平镇")
    values.update(fields)
    return HotlineTicket.create(**values)


def open_form(client, ticket, **args):
    query = "".join("&%s=%s" % pair for pair in args.items())
    response = client.get("/admin/petition/new/?ticket=%d%s" % (ticket.id, query))
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_ticket_opens_the_form_filled_in_with_the_unknown_town_said_on_its_field(client, staff, make_town):
    make_town("梁庄镇")
    labour = Category.create(name="劳动社保")
    HotlineMapping.create(kind="keyword", source="拖欠工资", category=labour)
    ticket = new_ticket()
    details = client.get("/admin/hotlineticket/details/?id=%d" % ticket.id).get_data(as_text=True)
    assert 'href="/admin/petition/new/?ticket=%d"' % ticket.id in details  # a link to the form, not a one-click post

    page = open_form(client, ticket)
    assert "12345工单所属区域“清平镇”未能对应到本县镇街，请选择" in field_errors(page)
    assert "已根据12345工单 12345-2023-00001 预填，请逐项核对、修改后保存。" in visible_text(page)
    assert english_words(page, data=["ticket"]) == []
    data = model_form(page)
    assert data["hotline_ticket"] == [str(ticket.id)] and data["channel"] == ["hotline"]
    assert data["subject"] == ["清平镇某工地拖欠工资三个月，多次讨要无果"]  # the first sentence, at most 30
    assert data["content"][0].lstrip("\r\n") == CONTENT and data["category"] == [str(labour.id)]
    assert data["town"] == [""] and data["village"] == [""]  # the unknown area is not a village
    assert data["petitioner"] == [""] and data["new_petitioner_name"] == ["赵六"]
    assert data["new_petitioner_phone"] == ["13912345678"]  # staff see it in full, and that is on record
    assert AuditEntry.select().where((AuditEntry.model == "hotline_ticket") & (AuditEntry.record_id == ticket.id)
                                     & (AuditEntry.action == "view_personal")).exists()
    assert Petition.select().count() == 0  # nothing saved by opening it


def test_saving_the_reviewed_form_makes_one_petition_linked_to_the_ticket(client, staff, make_town):
    town = make_town("梁庄镇")
    ticket = new_ticket()
    data = model_form(open_form(client, ticket))
    data.update({"town": [str(town.id)], "village": ["张家村"], "subject": ["拖欠工资"], "head_count": ["1"]})
    response = client.post("/admin/petition/new/", data=data)
    assert response.status_code == 302
    petition = Petition.get()
    assert response.headers["Location"].endswith("/admin/petition/details/?id=%d" % petition.id)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert any("工单 12345-2023-00001 已登记为信访事项 %s" % petition.number in a for a in alerts(page)), alerts(page)
    assert (petition.channel, petition.town_id, petition.village, petition.subject) == ("hotline", town.id, "张家村",
                                                                                       "拖欠工资")
    assert petition.content == CONTENT and petition.petitioner.name == "赵六" and petition.registered_by_id == staff.id
    assert HotlineTicket.get_by_id(ticket.id).petition_id == petition.id
    assert AuditEntry.select().where((AuditEntry.model == "hotline_ticket") & (AuditEntry.record_id == ticket.id)
                                     & (AuditEntry.action == "update") & (AuditEntry.summary == petition.number)).exists()

    again = client.post("/admin/petition/new/", data=data, follow_redirects=True)  # Back, then 保存 again
    assert "此表单已保存，未重复登记。" in alerts(again.get_data(as_text=True))
    data["submission_token"] = ["another-form-opened-before-the-first-was-saved"]
    other = client.post("/admin/petition/new/", data=data).get_data(as_text=True)
    assert any("该工单已转为信访事项 %s" % petition.number in a for a in alerts(other)), alerts(other)
    assert Petition.select().count() == 1 and Petitioner.select().count() == 1
    refused = client.get("/admin/petition/new/?ticket=%d" % ticket.id, follow_redirects=True)
    assert any("已转为信访事项 %s" % petition.number in a for a in alerts(refused.get_data(as_text=True)))


def test_the_caller_on_record_is_proposed_and_among_several_the_clerk_chooses(client, staff, make_petitioner):
    by_id = make_petitioner(name="赵六")
    assert model_form(open_form(client, new_ticket(caller_id_number=by_id.id_number)))["petitioner"] == [
        str(by_id.id)]
    father = make_petitioner(name="赵大", phone="13900000002")
    son = make_petitioner(name="赵小", phone="13900000002")
    ticket = new_ticket(number="12345-2023-00002", phone="13900000002")
    page = open_form(client, ticket)
    text = visible_text(page)
    assert "有多名在册信访人使用来电号码" in text and "赵大" in text and "赵小" in text and "139****0002" in text
    assert "13900000002" not in text
    assert model_form(page)["petitioner"] == [""] and model_form(page)["new_petitioner_name"] == [""]
    chosen = open_form(client, ticket, petitioner=son.id)
    assert 'href="/admin/petition/new/?ticket=%d&amp;petitioner=%d"' % (ticket.id, father.id) in chosen
    assert model_form(chosen)["petitioner"] == [str(son.id)]


def test_only_who_may_convert_opens_a_ticket_form(client, login_as):
    ticket = new_ticket()
    login_as("leader", display_name="王县长")
    assert client.get("/admin/petition/new/?ticket=%d" % ticket.id).status_code in (302, 403)
    details = client.get("/admin/hotlineticket/details/?id=%d" % ticket.id).get_data(as_text=True)
    assert "/admin/petition/new/?ticket=" not in details


def test_the_mapping_table_is_kept_by_staff_and_audited(client, staff, make_town, form_post):
    town = make_town("城关街道")
    page = client.get("/admin/hotlinemapping/new/").get_data(as_text=True)
    assert "12345的文字" in visible_text(page) and english_words(page) == []
    form_post("/admin/hotlinemapping/new/", {"kind": "area", "source": "城关镇", "town": str(town.id), "active": "y"})
    mapping = HotlineMapping.get()
    assert (mapping.kind, mapping.source, mapping.town_id) == ("area", "城关镇", town.id)
    assert AuditEntry.select().where((AuditEntry.model == "hotline_mapping") & (AuditEntry.action == "create")
                                     & (AuditEntry.record_id == mapping.id)).exists()
    bad = form_post("/admin/hotlinemapping/new/", {"kind": "keyword", "source": "噪音"}).get_data(as_text=True)
    assert "请选择该文字对应的问题类别。" in field_errors(bad)
    listing = visible_text(client.get("/admin/hotlinemapping/").get_data(as_text=True))
    assert "城关镇" in listing and "城关街道" in listing and "所属区域" in listing
    ticket = new_ticket(area="城关镇北街社区")
    data = model_form(open_form(client, ticket))
    assert data["town"] == [str(town.id)] and data["village"] == ["北街社区"]


def test_the_import_report_warns_of_a_phone_that_is_not_a_phone(client, staff):
    rows = rows_of(2) + [ticket_row(3, 联系电话="无人接听")]
    page = client.get("/admin/hotlineticket/import/").get_data(as_text=True)
    response = client.post("/admin/hotlineticket/import/", data={
        "file": (io.BytesIO(csv_bytes(rows)), "tickets.csv"), "csrf_token": csrf_token(page)},
        content_type="multipart/form-data")
    text = visible_text(response.get_data(as_text=True))
    assert "联系电话“无人接听”不是有效的电话号码，已按原样保存，请核对。" in text
    assert HotlineTicket.select().count() == 3  # warned, not refused
    assert HotlineTicket.get(HotlineTicket.number == "12345-2023-00003").phone == "无人接听"
