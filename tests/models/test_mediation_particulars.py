"""The mediation's committee and the parties' particulars (the 调解协议书 is the committee's document): checked in
models.casework, refused with the line named, nothing written; and the letter's rules (who issues it, no 文号)."""
import datetime as dt

import pytest

from models import documents, workflow
from models.casework import Mediation, format_particulars, parse_particulars
from models.errors import ValidationError
from models.organisation import Department
from models.people import User
from models.petition import StepRecord
from models.workflow import letters

GOOD = ("刘某某，男，汉族，1970年5月3日，371526197005031234，高桥镇后屯村12号，13800138000\n"
        "张某某，女，，，，高桥镇后屯村，东街14号，")


@pytest.fixture
def staff(db):
    user = User(username="clerk", display_name="王小红", role="staff")
    user.set_password("correct-horse-1")
    user.save()
    return user


@pytest.fixture
def accepted(make_petition, staff):
    petition = make_petition(channel="visit", subject="宅基地纠纷", content="请求确认界址。",
                             received_at=dt.datetime(2022, 12, 9, 9, 30))
    workflow.register(petition, staff)
    return workflow.accept(petition, staff, at=dt.datetime(2022, 12, 10, 9))


def mediate(petition, staff, **fields):
    return workflow.mediate(petition, staff, "刘某某；张某某", "陈调解员", "高桥镇一站式矛调中心", "一、恢复原址。",
                            dt.date(2022, 12, 28), at=dt.datetime(2022, 12, 28, 9), **fields)


def test_particulars_are_read_one_party_a_line_with_an_address_holding_commas():
    rows = parse_particulars(GOOD + "\n\n")
    assert [row["name"] for row in rows] == ["刘某某", "张某某"]
    assert rows[1]["address"] == "高桥镇后屯村，东街14号" and rows[1]["phone"] == "" and rows[1]["id_number"] == ""
    assert parse_particulars(format_particulars(rows)) == rows


@pytest.mark.parametrize("text, line, message", [
    ("刘某某，男，汉族", 1, "give name, sex"),
    (GOOD + "\n，男，汉族，，，，", 3, "name is required"),
    ("刘某某，M，汉族，，，，", 1, "男 or 女"),
    ("刘某某，男，汉族，，371526197005031235，，", 1, "check character"),
    ("刘某某，男，汉族，，，，12345", 1, "phone number"),
])
def test_bad_particulars_are_refused_naming_the_line_and_nothing_is_written(accepted, staff, text, line, message):
    with pytest.raises(ValidationError) as refused:
        mediate(accepted, staff, committee="高桥镇人民调解委员会", party_particulars=text)
    assert refused.value.field == "party_particulars" and refused.value.params["line"] == line
    assert message in str(refused.value) or message in refused.value.params.get("error", "")
    assert Mediation.select().count() == 0 and accepted.steps.where(StepRecord.step == "mediate").count() == 0


def test_the_committee_is_named_in_full(accepted, staff):
    with pytest.raises(ValidationError) as refused:
        mediate(accepted, staff, committee="高桥镇矛调中心")
    assert refused.value.field == "committee" and Mediation.select().count() == 0
    mediation = mediate(accepted, staff, committee=" 高桥镇人民调解委员会 ", party_particulars=GOOD + "\n",
                        dispute_facts=" 院墙外扩。 ", disputed_matters="应否恢复原址。")
    mediation = Mediation.get_by_id(mediation.id)
    assert (mediation.committee, mediation.dispute_facts) == ("高桥镇人民调解委员会", "院墙外扩。")
    assert mediation.party_particulars.endswith("高桥镇后屯村，东街14号，")


def test_the_agreement_is_the_committees_without_the_office_number(accepted, staff):
    office = Department.create(name="县信访局", short_name="高信访", kind="county")
    mediation = mediate(accepted, staff, committee="高桥镇人民调解委员会")
    organ = letters.issuing_organ("mediation_agreement", accepted, office, record_id=mediation.id)
    assert organ == letters.Organ("高桥镇人民调解委员会", None)
    document = letters.issue("mediation_agreement", accepted, staff, lambda number, at: number.encode() or b"-",
                             mediation.id, issuer=office)
    assert document.number == "%s-调解1" % accepted.number and bytes(document.pdf) == b"-"  # printed no number
    assert documents.Document.select().where(documents.Document.prefix == "高信访").count() == 0
    # a mediation recorded before the committee was asked for: in the name of its place, still no number
    older = mediate(accepted, staff)
    assert letters.issuing_organ("mediation_agreement", accepted, office, record_id=older.id).name == "高桥镇一站式矛调中心"
