"""12345 对应关系: a ticket's area, request type and words read as a town and a category; 事由 cut from the first
sentence; the caller matched by ID number, then by phone (several: the clerk chooses)."""
import datetime as dt

import pytest

from models.errors import NotAllowed, ValidationError
from models.hotline import HotlineTicket
from models.hotline_mapping import HotlineMapping, category_of, subject_of, town_of
from models.organisation import Category
from models.workflow.hotline import caller_candidates, draft, ticket_to_petition

from tests.conftest import valid_id_number


def new_ticket(**fields):
    values = dict(number="12345-2023-00001", called_at=dt.datetime(2023, 3, 1, 9, 30), caller="赵六",
                  phone="13912345678", content="反映村道坑洼，雨天积水严重。希望尽快修缮。", kind="城乡建设",
                  area="梁庄镇张家村")
    values.update(fields)
    return HotlineTicket.create(**values)


@pytest.mark.parametrize("content, subject", [
    pytest.param("反映村道坑洼，雨天积水严重。希望尽快修缮。", "反映村道坑洼，雨天积水严重", id="full-stop"),
    pytest.param("路灯坏了！已经一个月", "路灯坏了", id="exclamation"),
    pytest.param("为什么没人管？", "为什么没人管", id="question"),
    pytest.param("一、拖欠工资；二、未签合同", "一、拖欠工资", id="semicolon"),
    pytest.param("\n  第一行\n第二行", "第一行", id="first-line"),
    pytest.param("很" * 300, "很" * 30, id="cut-to-30"),
    pytest.param("", "", id="empty"),
])
def test_the_subject_is_the_first_sentence_cut_to_30_characters(content, subject):
    assert subject_of(content) == subject


def test_an_area_is_read_through_the_mapping_else_by_a_town_name(db, make_town):
    chengguan, liangzhuang = make_town("城关街道"), make_town("梁庄镇")
    HotlineMapping.create(kind="area", source="城关镇", town=chengguan)
    assert town_of("城关镇北街社区") == (chengguan, "北街社区")
    assert town_of("梁庄镇 张家村") == (liangzhuang, "张家村")
    assert town_of("梁庄镇") == (liangzhuang, None)
    assert town_of("清平镇") == (None, None)  # unknown: not taken for a village either
    assert town_of("") == (None, None)


def test_a_category_comes_from_the_request_type_then_its_name_then_a_keyword(db):
    labour, building, environment = (Category.create(name=n) for n in ("劳动社保", "城乡建设", "环境保护"))
    HotlineMapping.create(kind="kind", source="劳动保障", category=labour)
    HotlineMapping.create(kind="keyword", source="噪音", category=environment, position=20)
    HotlineMapping.create(kind="keyword", source="工资", category=labour, position=10)
    assert category_of("劳动保障", "路灯不亮") == labour  # the request type's mapping
    assert category_of("城乡建设", "拖欠工资") == building  # a category of that very name
    assert category_of("其他", "工地噪音大，还拖欠工资") == labour  # keywords in their order
    assert category_of(None, "夜间噪音扰民") == environment
    assert category_of("咨询", "问一下政策") is None
    HotlineMapping.update(active=False).where(HotlineMapping.source == "劳动保障").execute()
    assert category_of("劳动保障", "路灯不亮") is None  # a mapping switched off is not used


def test_a_mapping_needs_its_target_and_is_unique(db, make_town):
    town = make_town("城关街道")
    with pytest.raises(ValidationError) as no_town:
        HotlineMapping.create(kind="area", source="城关镇")
    assert no_town.value.field == "town"
    with pytest.raises(ValidationError) as no_category:
        HotlineMapping.create(kind="keyword", source="噪音", town=town)
    assert no_category.value.field == "category"
    HotlineMapping.create(kind="area", source=" 城关 镇", town=town)
    assert HotlineMapping.get().source == "城关镇"
    with pytest.raises(ValidationError) as twice:
        HotlineMapping.create(kind="area", source="城关镇", town=town)
    assert twice.value.field == "source"


def test_the_caller_is_matched_by_id_number_before_phone(db, make_petitioner):
    by_phone = make_petitioner(name="赵大", phone="13912345678")
    by_id = make_petitioner(name="赵六", phone="13800000000")
    ticket = new_ticket(caller_id_number=by_id.id_number)
    assert caller_candidates(ticket) == ("id_number", [by_id])
    assert draft(ticket).petitioner == by_id


def test_several_records_of_the_phone_are_left_for_the_clerk_to_choose(db, make_petitioner):
    father = make_petitioner(name="赵大", phone="13912345678")
    son = make_petitioner(name="赵小", phone="13912345678")
    proposal = draft(new_ticket(phone="139-1234-5678", caller_id_number=valid_id_number(sequence="999")))
    assert (proposal.matched_by, proposal.candidates) == ("phone", [father, son])
    assert proposal.petitioner is None and proposal.new_petitioner == {}


def test_one_record_of_the_phone_is_proposed_whatever_the_name(db, make_petitioner):
    relative = make_petitioner(name="赵大", phone="13912345678")
    assert draft(new_ticket()).petitioner == relative  # proposed, for the clerk to confirm or change


def test_an_unknown_caller_is_drafted_as_a_new_petitioner(db):
    proposal = draft(new_ticket(caller=" ", phone="0635-12", caller_id_number=None))
    assert proposal.candidates == []
    assert proposal.new_petitioner == {"name": "12345来电人", "id_number": "", "phone": ""}


def test_the_draft_reads_the_mapping_and_says_an_unknown_area(db, make_town):
    town = make_town("城关街道")
    category = Category.create(name="劳动社保")
    HotlineMapping.create(kind="keyword", source="拖欠工资", category=category)
    content = "清平镇某工地拖欠工资三个月，多次讨要无果。请求督促支付。"
    unknown = draft(new_ticket(area="清平镇", kind="劳动争议", content=content))
    assert (unknown.town, unknown.village, unknown.unknown_area) == (None, None, "清平镇")
    assert unknown.category == category and unknown.subject == "清平镇某工地拖欠工资三个月，多次讨要无果"
    assert unknown.content == content
    HotlineMapping.create(kind="area", source="清平镇", town=town)
    known = draft(HotlineTicket.get_by_id(unknown.ticket.id))
    assert (known.town, known.unknown_area) == (town, None)


def test_the_one_step_conversion_uses_the_mapping_and_leaves_an_unknown_area_out(db, make_town):
    from models.people import User

    staff = User.create(username="officer", display_name="李敏", role="staff", password_hash="x")
    petition = ticket_to_petition(new_ticket(area="清平镇", kind="其他"), staff)
    assert (petition.town_id, petition.village, petition.category_id) == (None, None, None)
    assert petition.subject == "反映村道坑洼，雨天积水严重"
    with pytest.raises(NotAllowed):
        draft(HotlineTicket.get())  # made into a petition: no second draft
