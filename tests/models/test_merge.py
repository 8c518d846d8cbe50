"""One person, one record: an ID number belongs to one record not merged away, whoever saves it; 信访人合并 moves
everything of one record to the other in one transaction and leaves a stub pointing to it."""
import datetime as dt
import json

import pytest

from models import audit
from models.audit import AuditEntry
from models.casework import VisitLog
from models.errors import ValidationError
from models.organisation import Category
from models.hotline import FlagDismissal, HotlineTicket
from models.people import Petitioner
from models.petition import CoPetitioner, Petition
from models.reports import search
from models.workflow import hotline, merge, petitioners
from models.workflow.petitioners import find_or_add, find_petitioner

from tests.conftest import valid_id_number

ID_LIU = valid_id_number(sequence="701")


def test_a_second_record_with_a_known_id_number_is_refused_and_says_who(make_petitioner, make_petition, make_town):
    town = make_town(name="高桥镇")
    liu = make_petitioner(name="刘德山", id_number=ID_LIU, town=town, village="后屯村")
    make_petition(petitioner=liu, received_at=dt.datetime(2022, 3, 1, 9, 0))
    newest = make_petition(petitioner=liu, received_at=dt.datetime(2022, 12, 1, 9, 0))
    with pytest.raises(ValidationError) as refused:
        Petitioner.create(name="刘得山", id_number=ID_LIU.lower())
    assert refused.value.field == "id_number" and refused.value.params["holder_id"] == liu.id
    assert refused.value.params["holder"] == "刘德山（高桥镇后屯村，%s）" % newest.number
    assert ID_LIU not in str(refused.value)
    assert Petitioner.select().count() == 1


def test_an_edit_may_not_take_another_records_id_number(make_petitioner):
    make_petitioner(name="刘德山", id_number=ID_LIU)
    other = make_petitioner(name="王秀英")
    other.id_number = ID_LIU
    with pytest.raises(ValidationError):
        other.save()
    other = Petitioner.get_by_id(other.id)
    other.notes = "改了备注"
    other.save()  # its own ID number is still its own


def test_the_hotline_and_find_or_add_link_the_holder_instead_of_a_second_record(make_petitioner):
    liu = make_petitioner(name="刘德山", id_number=ID_LIU, phone="13800000001")
    ticket = HotlineTicket.create(number="12345-2022-1", called_at=dt.datetime(2022, 12, 1, 9, 0), caller="刘德山",
                                  caller_id_number=ID_LIU, phone="13900000000", content="反映道路问题。")
    petition = hotline.ticket_to_petition(ticket, None, at=dt.datetime(2022, 12, 2, 9, 0))
    assert petition.petitioner_id == liu.id
    assert find_or_add(None, "刘德山", ID_LIU) == (liu, False)
    assert Petitioner.select().count() == 1


def test_same_name_and_phone_is_a_warning_not_a_refusal(make_petitioner):
    wang = make_petitioner(name="王秀英", id_number=None, phone="13900000002")
    twin = Petitioner(name="王 秀英", phone="139 0000 0002")
    assert petitioners.same_name_and_phone(twin) == wang
    twin.save()  # the clerk confirmed: saved
    assert petitioners.same_name_and_phone(Petitioner(name="王秀英", phone="13900000003")) is None
    other_id = Petitioner(name="王秀英", phone="13900000002", id_number=valid_id_number(sequence="702"))
    wang.id_number = valid_id_number(sequence="703")
    wang.save()
    assert petitioners.same_name_and_phone(other_id) == twin  # wang's ID number differs: another person


@pytest.fixture
def two_records(db, make_petitioner, make_petition):
    """刘德山 registered twice (a database upgraded with duplicates: no unique index, written past the rule),
    with a petition, a co-petition and a visit log on the second."""
    db.execute_sql("DROP INDEX petitioner_one_id_number")
    keep = make_petitioner(name="刘德山", id_number=ID_LIU, phone=None)
    other = make_petitioner(name="刘德山", id_number=None, phone="13800000009", address="高桥镇后屯村3号")
    Petitioner.update(id_number=ID_LIU).where(Petitioner.id == other.id).execute()
    petition = make_petition(petitioner=other, subject="宅基地纠纷")
    joint = make_petition(subject="道路纠纷")
    CoPetitioner.create(petition=joint, petitioner=other)
    both = make_petition(petitioner=keep, subject="补偿款")
    CoPetitioner.create(petition=both, petitioner=other)  # already keep's: removed, not doubled
    visit = VisitLog.create(visited_at=petition.received_at, kind="reception", place="信访局", petition=petition,
                            petitioner=other, summary="来访。")
    return dict(keep=Petitioner.get_by_id(keep.id), other=Petitioner.get_by_id(other.id), petition=petition,
                joint=joint, both=both, visit=visit)


def test_merge_moves_everything_and_leaves_a_stub(db, two_records):
    keep, other = two_records["keep"], two_records["other"]
    assert [[p.id for p in group] for group in merge.duplicates()] == [[keep.id, other.id]]
    assert not merge.has_unique_index(db)
    stub = merge.merge(keep, other)
    assert Petitioner.get_by_id(other.id).merged_into_id == keep.id == stub.merged_into_id
    assert Petition.get_by_id(two_records["petition"].id).petitioner_id == keep.id
    assert {c.petitioner_id for c in CoPetitioner.select().where(CoPetitioner.petition == two_records["joint"])} == {
        keep.id}
    assert not CoPetitioner.select().where(CoPetitioner.petition == two_records["both"]).exists()
    assert VisitLog.get_by_id(two_records["visit"].id).petitioner_id == keep.id
    assert not any(field.model.select().where(field == other.id).exists() for field in merge.pointing_fields())
    kept = Petitioner.get_by_id(keep.id)
    assert (kept.phone, kept.address) == ("13800000009", "高桥镇后屯村3号")  # its blanks filled
    assert find_petitioner(ID_LIU) == kept and merge.duplicates() == []
    assert merge.has_unique_index(db)  # the last duplicate gone: the database guards it now
    entries = {(e.action, e.model, e.record_id): e for e in AuditEntry.select().where(
        AuditEntry.action.in_(("merge", "delete")))}
    doubled = CoPetitioner.select().count() + 1  # the removed co-petition was the last made
    assert set(entries) == {("merge", "petition", two_records["petition"].id), ("merge", "co_petitioner", 1),
                            ("merge", "visit_log", two_records["visit"].id), ("merge", "petitioner", other.id),
                            ("delete", "co_petitioner", doubled)}
    assert json.loads(entries["merge", "petition", two_records["petition"].id].after) == {"petitioner": keep.id}
    assert audit.verify_chain() is None


def test_merged_petitions_are_found_by_the_kept_name(two_records, make_petitioner, make_petition):
    keep = two_records["keep"]
    keep.name = "刘德善"
    Petitioner.update(name="刘德善").where(Petitioner.id == keep.id).execute()
    merge.merge(Petitioner.get_by_id(keep.id), two_records["other"])
    found = {pid for (pid,) in Petition.select(Petition.id).where(search.clause("刘德善")).tuples()}
    assert two_records["petition"].id in found


def test_after_a_merge_the_persons_petitions_are_counted_together_for_repeats(two_records):
    keep, other = two_records["keep"], two_records["other"]
    land = Category.create(name="土地纠纷")
    first = two_records["both"]  # keep's, received 2022-12-09
    Petition.update(category=land).where(Petition.id.in_([first.id, two_records["petition"].id])).execute()
    Petition.update(received_at=dt.datetime(2023, 3, 1)).where(Petition.id == two_records["petition"].id).execute()
    merge.merge(keep, other)
    assert Petition.get_by_id(two_records["petition"].id).is_repeat  # the same matter of the same person, 3 months on
    assert not Petition.get_by_id(first.id).is_repeat


def test_a_dismissed_repeat_flag_follows_the_merge(two_records):
    keep, other = two_records["keep"], two_records["other"]
    FlagDismissal.create(flag_key="repeat:%d" % other.id, kind="repeat", evidence="p1", reason="已化解")
    merge.merge(keep, other)
    assert FlagDismissal.get().flag_key == "repeat:%d" % keep.id


@pytest.mark.parametrize("case", ["itself", "into-a-stub", "a-stub", "other-id-numbers"])
def test_merge_refuses_and_writes_nothing(two_records, make_petitioner, case):
    keep, other = two_records["keep"], two_records["other"]
    if case == "itself":
        pair = (keep, keep)
    elif case == "other-id-numbers":
        pair = (keep, make_petitioner(name="刘德山", id_number=valid_id_number(sequence="704")))
    else:
        third = make_petitioner(name="刘德山", id_number=None)
        merge.merge(keep, third)
        pair = (third, other) if case == "into-a-stub" else (other, third)
    count = AuditEntry.select().count()
    with pytest.raises(ValidationError):
        merge.merge(*pair)
    assert Petition.get_by_id(two_records["petition"].id).petitioner_id == other.id
    assert Petitioner.get_by_id(other.id).merged_into_id is None
    assert AuditEntry.select().count() == count


def test_merge_fails_whole(two_records, monkeypatch):
    """A failure half-way (the stub's audit entry) leaves every row where it was."""
    real = audit.record

    def failing(action, model, *args, **kwargs):
        if action == "merge" and model is not None and getattr(model, "id", None) == two_records["other"].id:
            raise RuntimeError("disk full")
        return real(action, model, *args, **kwargs)

    monkeypatch.setattr(audit, "record", failing)
    with pytest.raises(RuntimeError):
        merge.merge(two_records["keep"], two_records["other"])
    assert Petition.get_by_id(two_records["petition"].id).petitioner_id == two_records["other"].id
    assert Petitioner.get_by_id(two_records["other"].id).merged_into_id is None
