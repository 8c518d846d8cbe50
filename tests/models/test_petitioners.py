"""The same petitioner, decided one way: an ID number identifies a person; without it, a phone with the same name;
a phone alone (a family's) or a name alone identifies nobody."""
import pytest

from models.audit import AuditEntry
from models.errors import ValidationError
from models.people import Petitioner
from models.workflow import petitioners
from models.workflow.petitioners import find_or_add, find_petitioner

from tests.conftest import valid_id_number


def id_ending_in_x():
    return next(n for n in (valid_id_number(sequence="%03d" % s) for s in range(1000)) if n.endswith("X"))


ID_LIU = id_ending_in_x()
ID_SUN = valid_id_number(sequence="204")
ID_NEW = valid_id_number(sequence="305")


@pytest.fixture
def on_record(make_petitioner):
    """Who is on record, by a short name: 刘德山 with an ID number, and an older record of his with the same one
    merged into it (a stub, nobody's match), 王秀英 and 赵大 without one, 孙七 with another."""
    stub = make_petitioner(name="刘德山", id_number=None, phone="13800000009")
    liu = make_petitioner(name="刘德山", id_number=ID_LIU, phone="13800000001")
    Petitioner.update(id_number=ID_LIU, merged_into=liu).where(Petitioner.id == stub.id).execute()
    return {
        "liu": liu,
        "liu-stub": stub,
        "wang": make_petitioner(name="王秀英", id_number=None, phone="13900000002"),
        "zhao": make_petitioner(name="赵大", id_number=None, phone="13700000003"),
        "sun": make_petitioner(name="孙七", id_number=ID_SUN, phone="13600000004"),
    }


@pytest.mark.parametrize("id_number, phone, name, expected", [
    pytest.param(ID_LIU, None, "刘德山", "liu", id="id-number-not-the-merged-stub"),
    pytest.param(ID_LIU.lower(), None, "刘德山", "liu", id="id-number-lowercase-x"),
    pytest.param(" %s %s %s " % (ID_LIU[:6], ID_LIU[6:14], ID_LIU[14:]), None, "刘德山", "liu", id="id-number-spaces"),
    pytest.param(ID_LIU.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")), None, "刘德山", "liu",
                 id="id-number-full-width"),
    pytest.param(ID_LIU, None, "刘得山", "liu", id="id-number-under-another-name"),
    pytest.param(ID_LIU, "13900000002", "王秀英", "liu", id="id-number-before-phone"),
    pytest.param(None, "13900000002", "王秀英", "wang", id="phone-and-name"),
    pytest.param("", "139-0000-0002", " 王 秀英", "wang", id="phone-and-name-normalized"),
    pytest.param(None, "+86 139 0000 0002", "王秀英", "wang", id="phone-with-country-code"),
    pytest.param(ID_NEW, "13900000002", "王秀英", "wang", id="new-id-number-and-a-record-without-one"),
    pytest.param(ID_NEW, "13600000004", "孙七", None, id="new-id-number-but-the-record-has-another"),
    pytest.param("123456", "13900000002", "王秀英", "wang", id="invalid-id-number-counts-as-none"),
    pytest.param(None, "13700000003", "赵二", None, id="shared-phone-other-name"),
    pytest.param(None, "13900000002", None, None, id="phone-alone"),
    pytest.param(None, None, "王秀英", None, id="name-alone"),
    pytest.param(None, "not a phone", "王秀英", None, id="no-phone"),
    pytest.param(None, None, None, None, id="nothing-given"),
])
def test_the_same_petitioner(on_record, id_number, phone, name, expected):
    found = find_petitioner(id_number, phone, name)
    assert (found.id if found else None) == (on_record[expected].id if expected else None)


def test_find_or_add_links_the_one_on_record_and_adds_nobody(on_record):
    person, created = find_or_add(None, "王秀英", phone="13900000002", address="河西镇大杨村")
    assert (person.id, created) == (on_record["wang"].id, False)
    assert Petitioner.select().count() == 5 and Petitioner.get_by_id(person.id).address is None  # left as it was


def test_find_or_add_adds_a_new_petitioner_with_an_audit_entry(on_record):
    person, created = find_or_add(None, "赵二", phone="13700000003", summary="导入测试")
    assert created and person.name == "赵二" and Petitioner.select().count() == 6
    entry = AuditEntry.get((AuditEntry.model == "petitioner") & (AuditEntry.record_id == person.id))
    assert entry.action == "create" and entry.summary == "导入测试"


def test_find_or_add_refuses_an_id_number_on_record_under_another_name(on_record):
    with pytest.raises(ValidationError) as refused:
        find_or_add(None, "刘得山", id_number=ID_LIU)
    assert refused.value.params["name"] == "刘德山" and ID_LIU not in refused.value.params["id_number"]
    assert Petitioner.select().count() == 5


@pytest.mark.parametrize("same_name, found, count", [
    pytest.param("use", "wang", 5, id="use-the-import-and-the-hotline"),
    pytest.param("ask", None, 5, id="ask-the-screens-warning"),
    pytest.param("new", "created", 6, id="new-the-clerks-create-anyway"),
])
def test_a_match_by_name_and_phone_alone_is_used_asked_about_or_set_aside(on_record, same_name, found, count):
    if found is None:
        with pytest.raises(ValidationError) as warned:
            find_or_add(None, "王 秀英", phone="13900000002", same_name=same_name)
        assert warned.value.message == petitioners.SAME_NAME_AND_PHONE
        assert warned.value.params["holder_id"] == on_record["wang"].id
    else:
        person, created = find_or_add(None, "王 秀英", phone="13900000002", same_name=same_name)
        assert created == (found == "created")
        assert found == "created" or person.id == on_record[found].id
    assert Petitioner.select().count() == count


@pytest.mark.parametrize("same_name", ["ask", "new"])
def test_a_match_by_id_number_is_the_person_whatever_same_name_says(on_record, same_name):
    assert find_or_add(None, "刘德山", id_number=ID_LIU, same_name=same_name) == (on_record["liu"], False)
