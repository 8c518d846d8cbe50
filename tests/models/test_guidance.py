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
    assert found.next_steps == ("refer",)
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
