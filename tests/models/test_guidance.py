"""Next-step guidance: what comes next for a petition and, for each step not allowed now, why (guidance.py)."""
from models import workflow
from models.people import User
from models.petition import STATUSES
from models.workflow import guidance, rules


def clerk():
    return User.create(username="clerk", display_name="张干部", role="staff", password_hash="x")


def test_a_registered_petition_is_to_be_accepted_or_refused_and_cannot_be_answered_yet(db, make_petition):
    petition = workflow.register(make_petition(), clerk())
    found = guidance.guidance(petition)
    assert found.next_steps == ("accept", "reject")
    assert "条例第二十四条" in found.why
    assert "accept" not in found.reasons and "reject" not in found.reasons
    assert found.reasons["refer"] == "Accept the petition first."
    assert found.reasons["answer"] == rules.ALLOWED["answer"].first


def test_an_accepted_petition_without_a_result_says_why_it_cannot_be_answered(db, make_petition):
    by = clerk()
    petition = workflow.accept(workflow.register(make_petition(), by), by)
    found = guidance.guidance(petition)
    assert found.next_steps == ("refer", "record_own_result")  # 分诊, or the office handles it itself
    assert found.reasons["answer"].startswith("An answer needs a handling result first")
    assert found.reasons["close"] == rules.ALLOWED["close"].first


def test_a_guard_gives_its_own_refusal(db, make_petition):
    by = clerk()
    petition = workflow.accept(workflow.register(make_petition(), by), by)
    petition = workflow.extend(petition, by, 30, "情况复杂", "李局长")
    assert guidance.reasons(petition)["extend"] == rules.EXTENDED_ONCE.refusal


def test_every_status_has_its_next_step_line_and_every_step_not_allowed_a_reason(db, make_petition):
    petition = workflow.register(make_petition(), clerk())
    for status, _ in STATUSES:
        petition.status = status
        found = guidance.guidance(petition)
        assert found.why, status
        assert set(found.reasons) == {s for s in rules.ALLOWED if rules.refusal(s, petition) is not None}
        assert all(found.reasons.values())


def test_the_steps_of_many_petitions_at_once_are_those_of_each_alone_in_a_few_queries(db, make_petition):
    """allowed_for (the list's bulk menu) reads the same table and guards as refusal(), a guard that reads
    other records (the 1+3 group) once for the page."""
    from playhouse.test_utils import count_queries

    from models.people import Representative

    by = clerk()
    registered = workflow.register(make_petition(), by)
    accepted = workflow.accept(workflow.register(make_petition(), by), by)
    extended = workflow.extend(workflow.accept(workflow.register(make_petition(), by), by), by, 30, "情况复杂", "李局长")
    grouped = workflow.register(make_petition(), by)
    workflow.form_group(grouped, by, Representative.create(name="王春月", kind="npc_deputy"), "李某", "赵某", "孙某")
    voided = workflow.void(workflow.register(make_petition(), by), by, "重复登记")
    petitions = [registered, accepted, extended, grouped, voided]
    with count_queries() as counted:
        found = workflow.allowed_for(petitions, list(rules.ALLOWED))
    assert counted.count == 2  # the 1+3 groups of all five, once; the open referrals (自行办理), once
    for petition in petitions:
        assert found[petition.id] == workflow.allowed_steps(petition), petition.status
    assert "extend" in found[accepted.id] and "extend" not in found[extended.id]
    assert "form_group" in found[registered.id] and "form_group" not in found[grouped.id]
    assert found[voided.id] == []
    assert workflow.allowed_for(petitions, ["accept", "print_letters"])[registered.id] == ["accept"]
