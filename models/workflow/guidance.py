"""What comes next for a petition, and why a step cannot be taken now: read from the step table (rules.py).

NEXT says, for each status, the step(s) the 条例 expects next and why (the petition page's "下一步：…" line);
reasons() says for every petition step not allowed now why not (its guard's refusal, a more precise hint
where the table's own "first" would be vague, else that "first"), for the greyed buttons.
"""
from typing import NamedTuple

from ..errors import N_
from .rules import ALLOWED, refusal

# status: (the steps expected next, why)
NEXT = {
    "registered": (("accept", "reject"), N_("Decide within 15 days whether to accept it, and tell the petitioner "
                                            "(条例第二十四条).")),
    "accepted": (("refer", "record_own_result"), N_("Refer it to the competent department (分诊), or handle it in "
                                                    "the office and record the result.")),
    "referred": (("record_reply",), N_("Waiting for the department's handling result.")),
    "handled": (("answer",), N_("Answer the petitioner in writing with the handling opinion (信访处理意见书).")),
    "answered": (("follow_up",), N_("Follow up with the petitioner on the answer (复诊); a review may be requested "
                                    "within 30 days.")),
    "followed_up": (("close",), N_("Close the petition once the follow-up is done.")),
    "under_review": (("record_review",), N_("Record the review opinion.")),
    "reviewed": (("follow_up", "request_recheck"), N_("Follow up, or a re-examination may be requested.")),
    "under_recheck": (("record_recheck",), N_("Record the re-examination opinion.")),
    "rechecked": (("follow_up",), N_("The re-examination opinion is final: follow up.")),
    "closed": ((), N_("The petition is closed: nothing more to do.")),
    "not_accepted": ((), N_("The petition was not accepted: nothing more to do.")),
    "void": ((), N_("The petition is void: nothing more to do.")),
}

# (step, status): a more precise reason than the step table's "first" for that status.
HINTS = {
    ("answer", "accepted"): N_("An answer needs a handling result first: refer the petition to a department, or "
                               "handle it in the office (studio) and record the result."),
    ("answer", "referred"): N_("An answer needs the department's handling result first: record its reply."),
    ("close", "answered"): N_("Follow up with the petitioner first (复诊); then it can be closed."),
    ("refer", "registered"): N_("Accept the petition first."),
}


class Guidance(NamedTuple):
    """The next steps (codes) and why (a msgid); {step: reason msgid} of each petition step not allowed now."""

    next_steps: tuple
    why: str
    reasons: dict


def reason(step, petition):
    """Why `step` cannot be taken on the petition now (a msgid), or None when it can."""
    error = refusal(step, petition)
    if error is None:
        return None
    if petition.status not in ALLOWED[step].statuses:
        return HINTS.get((step, petition.status), ALLOWED[step].first)
    return error.message  # a guard's refusal


def reasons(petition):
    """{step: reason msgid} of the petition steps not allowed now, in the order of the table."""
    found = {step: reason(step, petition) for step in ALLOWED}
    return {step: why for step, why in found.items() if why is not None}


def guidance(petition):
    next_steps, why = NEXT.get(petition.status, ((), ""))
    return Guidance(tuple(s for s in next_steps if refusal(s, petition) is None), why, reasons(petition))
