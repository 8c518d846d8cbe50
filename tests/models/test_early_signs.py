"""苗头性问题: each early-sign rule at its threshold (2 vs 3, day 30 vs 31), dismissal, possible repeats."""
import datetime as dt

import pytest

from models.reports import early_signs
from models.audit import AuditEntry
from models.errors import ValidationError
from models.hotline import FlagDismissal, HotlineTicket
from models.organisation import Category
from models.people import User
from models.petition import CoPetitioner, Petition

AT = dt.datetime(2023, 6, 30, 17, 0)  # "now" of the flags in these tests
TODAY = AT.date()


def kinds(flags, kind):
    return [flag for flag in flags if flag.kind == kind]


@pytest.fixture
def ticket(db):
    numbers = iter(range(1, 1000))

    def ticket(**fields):
        values = dict(number="T%03d" % next(numbers), called_at=AT - dt.timedelta(days=1), content="反映路灯不亮。",
                      caller="张三", phone="13900000001")
        values.update(fields)
        return HotlineTicket.create(**values)

    return ticket


@pytest.fixture
def staff(db):
    user = User(username="officer", display_name="李敏", role="staff")
    user.set_password("correct-horse-1")
    user.save()
    return user


# -- a hotline caller who already has an open petition ---------------------------------------------

def test_a_ticket_from_a_caller_with_an_open_petition(make_petitioner, make_petition, ticket):
    person = make_petitioner(phone="13900000001")
    petition = make_petition(petitioner=person)
    flagged = ticket(phone="139 0000 0001")  # written as the hotline writes it
    ticket(phone="13911111111")  # someone else
    flags = kinds(early_signs.all_flags(AT), "ticket_caller")
    assert [f.key for f in flags] == ["ticket_caller:%d" % flagged.id]
    assert flags[0].evidence == ["t%d" % flagged.id, "p%d" % petition.id]
    assert flags[0].params["phone"] == "139****0001" and flags[0].params["petitions"] == petition.number


def test_no_flag_once_the_petition_is_closed_or_the_ticket_is_turned_into_one(make_petitioner, make_petition, ticket):
    person = make_petitioner(phone="13900000001")
    petition = make_petition(petitioner=person)
    linked = ticket(petition=petition)
    assert kinds(early_signs.all_flags(AT), "ticket_caller") == []  # the ticket is that petition
    linked.delete_instance()
    ticket()
    assert len(kinds(early_signs.all_flags(AT), "ticket_caller")) == 1
    Petition.update(status="closed").where(Petition.id == petition.id).execute()
    assert kinds(early_signs.all_flags(AT), "ticket_caller") == []


def test_a_caller_found_by_id_number_or_as_a_co_petitioner(make_petitioner, make_petition, ticket):
    main, co = make_petitioner(phone="13900000001"), make_petitioner(phone="13700000002")
    petition = make_petition(petitioner=main)
    CoPetitioner.create(petition=petition, petitioner=co)
    by_phone = ticket(phone="13700000002")
    by_id = ticket(phone=None, caller_id_number=main.id_number)
    flagged = {f.key for f in kinds(early_signs.all_flags(AT), "ticket_caller")}
    assert flagged == {"ticket_caller:%d" % by_phone.id, "ticket_caller:%d" % by_id.id}


def test_only_tickets_of_the_last_90_days(make_petitioner, make_petition, ticket):
    make_petition(petitioner=make_petitioner(phone="13900000001"))
    ticket(called_at=AT - dt.timedelta(days=91))
    assert kinds(early_signs.all_flags(AT), "ticket_caller") == []
    ticket(called_at=AT - dt.timedelta(days=89))
    assert len(kinds(early_signs.all_flags(AT), "ticket_caller")) == 1


# -- 3 or more on one category in one place within 30 days ------------------------------------------

@pytest.fixture
def place(make_town):
    town = make_town("梁庄镇")
    category = Category.create(name="城乡建设")
    return town, category


def test_cluster_threshold_is_three(place, make_petition, ticket):
    town, category = place
    make_petition(received_at=AT - dt.timedelta(days=3), category=category, town=town, village="张家村")
    ticket(kind="城乡建设", area="梁庄镇张家村")
    assert kinds(early_signs.all_flags(AT), "cluster") == []  # 2: no flag
    third = ticket(kind="城乡建设", area="梁庄镇 张家村")
    flags = kinds(early_signs.all_flags(AT), "cluster")
    assert len(flags) == 1
    assert flags[0].key == "cluster:城乡建设|梁庄镇张家村" and flags[0].params["num"] == 3
    assert flags[0].params["petitions"] == 1 and flags[0].params["tickets"] == 2
    assert "t%d" % third.id in flags[0].evidence


def test_cluster_counts_day_30_but_not_day_31(place, make_petition, ticket):
    town, category = place
    for _ in range(2):
        make_petition(received_at=AT - dt.timedelta(hours=2), category=category, town=town, village="张家村")
    old = ticket(kind="城乡建设", area="梁庄镇张家村", called_at=dt.datetime.combine(TODAY - dt.timedelta(days=31),
                                                                               dt.time(23, 59)))
    assert kinds(early_signs.all_flags(AT), "cluster") == []  # day 31: outside
    HotlineTicket.update(called_at=dt.datetime.combine(TODAY - dt.timedelta(days=30), dt.time(0, 0))).where(
        HotlineTicket.id == old.id).execute()
    assert len(kinds(early_signs.all_flags(AT), "cluster")) == 1  # day 30: inside


def test_cluster_needs_the_same_category_and_the_same_place(place, make_petition, make_town, ticket):
    town, category = place
    other_town = make_town("河口镇")
    make_petition(received_at=AT - dt.timedelta(days=1), category=category, town=town, village="张家村")
    make_petition(received_at=AT - dt.timedelta(days=1), category=category, town=other_town, village="张家村")
    ticket(kind="劳动保障", area="梁庄镇张家村")
    make_petition(received_at=AT - dt.timedelta(days=1), category=category, town=town, village="李家村")
    assert kinds(early_signs.all_flags(AT), "cluster") == []


def test_a_ticket_turned_into_a_petition_counts_once(place, make_petition, ticket):
    town, category = place
    petitions = [make_petition(received_at=AT - dt.timedelta(days=1), category=category, town=town, village="张家村")
                 for _ in range(2)]
    ticket(kind="城乡建设", area="梁庄镇张家村", petition=petitions[0])
    assert kinds(early_signs.all_flags(AT), "cluster") == []


# -- 重复信访: 3 or more petitions in 12 months -------------------------------------------------------

def test_repeat_threshold_is_three_petitions(make_petitioner, make_petition):
    person = make_petitioner()
    for days in (10, 100):
        make_petition(petitioner=person, received_at=AT - dt.timedelta(days=days))
    assert kinds(early_signs.all_flags(AT), "repeat") == []
    make_petition(petitioner=person, received_at=AT - dt.timedelta(days=200))
    flags = kinds(early_signs.all_flags(AT), "repeat")
    assert [f.key for f in flags] == ["repeat:%d" % person.id] and flags[0].params["num"] == 3


def test_repeat_counts_twelve_months_to_the_day(make_petitioner, make_petition):
    person = make_petitioner()
    for days in (1, 2):
        make_petition(petitioner=person, received_at=AT - dt.timedelta(days=days))
    first = make_petition(petitioner=person, received_at=dt.datetime(2022, 6, 29, 9, 0))  # 12 months and a day
    assert kinds(early_signs.all_flags(AT), "repeat") == []
    Petition.update(received_at=dt.datetime(2022, 6, 30, 9, 0)).where(Petition.id == first.id).execute()
    assert len(kinds(early_signs.all_flags(AT), "repeat")) == 1


def test_repeat_counts_co_petitions_and_not_voided_ones(make_petitioner, make_petition):
    person = make_petitioner()
    make_petition(petitioner=person, received_at=AT - dt.timedelta(days=5))
    other = make_petition(received_at=AT - dt.timedelta(days=6))
    CoPetitioner.create(petition=other, petitioner=person)
    void = make_petition(petitioner=person, received_at=AT - dt.timedelta(days=7))
    Petition.update(status="void").where(Petition.id == void.id).execute()
    assert kinds(early_signs.all_flags(AT), "repeat") == []
    make_petition(petitioner=person, received_at=AT - dt.timedelta(days=8))
    assert len(kinds(early_signs.all_flags(AT), "repeat")) == 1


def test_year_before_keeps_the_end_of_february():
    assert early_signs.year_before(dt.date(2024, 2, 29)) == dt.date(2023, 2, 28)
    assert early_signs.year_before(dt.date(2023, 6, 30)) == dt.date(2022, 6, 30)


# -- 集体访 -------------------------------------------------------------------------------------------

def test_an_open_collective_petition(make_petition):
    collective = make_petition(is_collective=True, head_count=12)
    make_petition()
    flags = kinds(early_signs.all_flags(AT), "collective")
    assert [f.key for f in flags] == ["collective:%d" % collective.id] and flags[0].params["num"] == 12
    Petition.update(status="closed").where(Petition.id == collective.id).execute()
    assert kinds(early_signs.all_flags(AT), "collective") == []


# -- dismissal ----------------------------------------------------------------------------------------

def test_a_dismissed_flag_disappears_and_the_dismissal_is_audited(make_petition, staff):
    collective = make_petition(is_collective=True, head_count=5)
    key = "collective:%d" % collective.id
    assert [f.key for f in early_signs.current_flags(AT)] == [key]
    record = early_signs.dismiss(key, "已由镇街稳控，当日化解。", staff, summary="集体访")
    assert early_signs.current_flags(AT) == []
    assert (record.reason, record.by_id, record.evidence) == ("已由镇街稳控，当日化解。", staff.id, "p%d" % collective.id)
    entry = AuditEntry.select().where(AuditEntry.model == "flag_dismissal").get()
    assert entry.action == "create" and entry.record_id == record.id and entry.username == "officer"


def test_a_dismissed_flag_comes_back_when_a_new_record_joins_it(make_petitioner, make_petition, staff):
    person = make_petitioner()
    for days in (1, 2, 3):
        make_petition(petitioner=person, received_at=AT - dt.timedelta(days=days))
    early_signs.dismiss(early_signs.find_flag("repeat:%d" % person.id, AT), "已答复，诉求相同。", staff)
    assert kinds(early_signs.current_flags(AT), "repeat") == []
    make_petition(petitioner=person, received_at=AT - dt.timedelta(hours=1))
    assert [f.params["num"] for f in kinds(early_signs.current_flags(AT), "repeat")] == [4]


def test_a_dismissal_needs_a_reason_and_a_flag_still_raised(make_petition, staff):
    collective = make_petition(is_collective=True, head_count=5)
    with pytest.raises(ValidationError):
        early_signs.dismiss("collective:%d" % collective.id, "  ", staff)
    with pytest.raises(ValidationError):
        early_signs.dismiss("collective:999999", "原因", staff)
    assert FlagDismissal.select().count() == 0


# -- possible repeats at registration -----------------------------------------------------------------

def test_possible_repeats_of_the_same_petitioner_or_the_same_village(make_petitioner, make_petition, make_town):
    town = make_town("梁庄镇")
    land, wages = Category.create(name="土地征收"), Category.create(name="劳动保障")
    person = make_petitioner()
    own = make_petition(petitioner=person, category=land)
    neighbour = make_petition(category=land, town=town, village="张家村")
    make_petition(category=wages, town=town, village="张家村")  # another category
    closed = make_petition(petitioner=person, category=land)
    Petition.update(status="closed").where(Petition.id == closed.id).execute()

    found = early_signs.possible_repeats(person.id, "张家村", land.id, town.id)
    assert [(p.id, why) for p, why in found] == sorted(
        [(own.id, "same_petitioner"), (neighbour.id, "same_place")], key=lambda item: -item[0])
    assert early_signs.possible_repeats(person.id, None, wages.id) == []  # other category: not a repeat
    assert [p.id for p, _ in early_signs.possible_repeats(person.id, None, None)] == [own.id]  # no category yet
    assert early_signs.possible_repeats(None, "张家村", None) == []  # a village alone says too little
    assert [p.id for p, _ in early_signs.possible_repeats(None, "张家村", land.id, exclude_id=neighbour.id)] == []
