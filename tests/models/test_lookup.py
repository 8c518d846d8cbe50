"""查询码 (models/lookup.py) and 评价 (models/evaluation.py): codes given at 受理, random and unique; the look-up's
check and throttle; the evaluation's window, once per 答复, changed within the window."""
import datetime as dt
import re

import pytest

from models import evaluation, lookup, workflow
from models.workflow import evaluation as evaluating
from models.audit import AuditEntry
from models.errors import NotAllowed, ValidationError
from models.evaluation import Evaluation
from models.organisation import Department
from models.people import User
from models.petition import Petition

RECEIVED = dt.datetime(2022, 12, 9, 9, 30)


@pytest.fixture
def clerk(db):
    user = User(username="clerk", display_name="王小红", role="staff")
    user.set_password("correct-horse-1")
    user.save()
    return user


@pytest.fixture
def accepted(make_petition, clerk):
    def accepted(**fields):
        petition = workflow.register(make_petition(**fields), clerk)
        return workflow.accept(petition, clerk, at=RECEIVED + dt.timedelta(hours=1))
    return accepted


@pytest.fixture
def answered(accepted, clerk, db):
    def answered(at=None, **fields):
        department = Department.get_or_none(Department.name == "县自然资源局") or Department.create(
            name="县自然资源局", short_name="高自然资", kind="county")
        at = at or dt.datetime(2023, 1, 5, 9)
        petition = accepted(**fields)
        referral = workflow.refer(petition, department, clerk, at=at - dt.timedelta(days=3))
        workflow.record_reply(referral, clerk, "support", "查明的事实", "处理意见", "法律依据", at=at - dt.timedelta(days=1))
        return workflow.answer(petition, clerk, at=at)
    return answered


def test_a_petition_gets_its_code_at_acceptance(accepted, make_petition, clerk):
    registered = workflow.register(make_petition(), clerk)
    assert Petition.get_by_id(registered.id).query_code is None  # not before 受理
    petition = accepted()
    code = Petition.get_by_id(petition.id).query_code
    assert code and re.fullmatch(r"[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{8,10}", code)
    assert not set(code) & set("01OI")
    assert lookup.give_code(petition) == code  # kept: never drawn anew


def test_codes_are_random_not_from_the_number_or_the_id(accepted):
    petitions = [accepted() for _ in range(12)]
    codes = [Petition.get_by_id(p.id).query_code for p in petitions]
    assert len(set(codes)) == len(codes)
    for petition, code in zip(petitions, codes):
        assert re.sub(r"\D", "", petition.number) not in code
    # the same petition (same number, same id) given a code again gets another one: nothing of it goes in
    again = []
    for petition in petitions:
        Petition.update(query_code=None).where(Petition.id == petition.id).execute()
        again.append(lookup.give_code(petition))
    assert all(a != b for a, b in zip(codes, again))
    # two petitions accepted in the same order on two databases would share nothing: the draws are secrets'
    drawn = [lookup.new_code() for _ in range(2000)]
    assert len(set(drawn)) == 2000
    assert set("".join(drawn)) == set(lookup.ALPHABET)  # every character used, and only those


def test_a_clash_on_the_unique_index_draws_again(accepted, make_petition, clerk, monkeypatch):
    first = accepted()
    taken = Petition.get_by_id(first.id).query_code
    draws = iter([taken, taken, "ABCDEFGH2"])
    monkeypatch.setattr(lookup, "new_code", lambda: next(draws))
    second = accepted()
    assert Petition.get_by_id(second.id).query_code == "ABCDEFGH2"


def test_find_needs_the_code_and_the_last_digits(accepted, make_petitioner):
    petition = accepted(petitioner=make_petitioner(phone="13812345678"))
    code = Petition.get_by_id(petition.id).query_code
    assert lookup.find(code, "5678", "10.0.0.1") == (Petition.get_by_id(petition.id), "found")
    id_tail = petition.petitioner.id_number[-4:]
    assert lookup.find(code.lower(), id_tail, "10.0.0.1")[1] == "found"  # the ID number's last 4 too
    assert lookup.find(code, "1234", "10.0.0.1") == (None, "wrong")
    assert lookup.find("ABCDEFGH2", "5678", "10.0.0.1") == (None, "wrong")


def test_five_failures_lock_a_code_and_an_address(accepted, make_petitioner):
    petition = accepted(petitioner=make_petitioner(phone="13812345678"))
    code = Petition.get_by_id(petition.id).query_code
    for n in range(5):
        assert lookup.find(code, "0000", "10.0.0.%d" % n)[1] == "wrong"  # five addresses, one code
    assert lookup.find(code, "5678", "10.0.0.9")[1] == "locked"  # even with the right digits
    for n in range(5):
        assert lookup.find("ZZZZZZZZ%d" % (n + 2), "0000", "10.0.1.1")[1] == "wrong"  # one address, five codes
    other = accepted(petitioner=make_petitioner(phone="13900001111"))
    assert lookup.find(Petition.get_by_id(other.id).query_code, "1111", "10.0.1.1")[1] == "locked"
    assert lookup.find(Petition.get_by_id(other.id).query_code, "1111", "10.0.2.1")[1] == "found"


def test_public_shows_only_steps_dates_departments_and_letters(answered):
    petition = answered()
    shown = lookup.public(Petition.get_by_id(petition.id))
    assert set(shown) == {"number", "subject", "steps", "due_on", "letters"}
    assert [step for _, step, _, _ in shown["steps"]] == [
        "Look-up step: registered", "Look-up step: accepted", "Look-up step: referred", "Look-up step: answered"]
    assert shown["steps"][2][2] == "县自然资源局"


def test_an_answer_is_evaluated_once_and_changed_within_30_days(answered):
    answered_at = dt.datetime(2023, 1, 5, 9)
    petition = Petition.get_by_id(answered(at=answered_at).id)
    first = evaluating.evaluate(petition, "dissatisfied", "  没有解决  ", at=answered_at + dt.timedelta(days=2))
    assert (first.rating, first.comment, first.answered_at) == ("dissatisfied", "没有解决", answered_at)
    changed = evaluating.evaluate(petition, "basically", None, at=answered_at + dt.timedelta(days=30))
    assert changed.id == first.id and (changed.rating, changed.comment) == ("basically", None)
    assert Evaluation.select().count() == 1  # once per 答复: a change, not a second one
    with pytest.raises(NotAllowed):
        evaluating.evaluate(petition, "satisfied", at=answered_at + dt.timedelta(days=30, seconds=1))
    assert Evaluation.get_by_id(first.id).rating == "basically"
    actions = [e.action for e in AuditEntry.select().where(AuditEntry.model == "evaluation")]
    assert actions == ["create", "update"]


def test_an_evaluation_is_refused_before_an_answer_and_checked(accepted, answered):
    with pytest.raises(NotAllowed):
        evaluating.evaluate(accepted(), "satisfied")
    petition = answered(at=dt.datetime.now() - dt.timedelta(days=1))
    with pytest.raises(ValidationError):
        evaluating.evaluate(petition, "great")
    with pytest.raises(ValidationError):
        evaluating.evaluate(petition, "satisfied", "字" * 501)
    assert evaluating.evaluate(petition, "satisfied", "字" * 500).comment == "字" * 500
