"""文书: which letters a petition may have now (and why not the others), each issued once, voided with a reason
and reissued, and 答复, which issues the 信访处理意见书.

Rendering is not here (admin_app/letters/): callers pass render(number, at) -> PDF bytes, called once the number
is taken, and check(kind, petition, record_id), called before it (raising Unprintable when a character has no glyph
in the letter's fonts), so a letter is checked, numbered, rendered, archived (models/documents.py) and audited in one
transaction, and a rendering that fails takes no number and writes nothing. Issuing and printing never take a
step: the 处理意见书 of a handled petition is issued by answer(), which is the 答复. Who issues each letter, under
whose 文号, is issuing_organ (the 处理意见书 the organ that handled the matter, the 复查/复核意见书 the organ that
decided them, the others the office).
"""
import contextvars
from collections import namedtuple
from contextlib import contextmanager

from .. import audit, documents, lookup
from ..casework import Consultation, ConsultationPetition, Mediation, Referral
from ..db import database
from ..documents import KINDS, Document
from ..errors import N_, DomainError, NotAllowed, ValidationError
from ..organisation import Department, shares_series
from ..petition import Petition, StepRecord
from ..supervision import Supervision
from .own_result import own_result
from .petitions import answer as take_answer

Available = namedtuple("Available", "records reasons")
# Who a letter is issued by: name, the 落款; department, the Department whose 文号 (short name and number series)
# it takes, or None when the organ is not on record with one (the letter then bears no 文号).
Organ = namedtuple("Organ", "name department")
# The 复查机关 and 复核机关 when neither the handling organ's record nor the caller (the office's settings) names one.
DEFAULT_HIGHER = ("县人民政府", "市人民政府")

# The step each letter records. A letter issued while past work is typed in (补录: its step happened on an earlier
# day and was typed in the day the letter is issued) bears that step's day, and its 文号 that year's series: a 2022
# case typed in in 2026 gets its 2022 letters. Any other letter bears the day it is issued.
LETTER_STEPS = {"acceptance_notice": "accept", "rejection_notice": "reject", "extension_notice": "extend",
                "handling_opinion": "answer", "review_opinion": "record_review", "recheck_opinion": "record_recheck",
                "referral_notice": "refer", "transfer_letter": "refer", "assignment_sheet": "refer",
                "mediation_agreement": "mediate"}
# The letters about one referral, and the referral mode each is for (None: either). 转送 and 交办 are different
# letters (第二十二条): a 转送函 asks for no 办结报告; a 交办单 sets the deadline and asks for one.
REFERRAL_LETTERS = {"referral_notice": None, "transfer_letter": "transfer", "assignment_sheet": "assign"}
# The 督办单: one letter for each 督办 of the petition (Document.record_id is the Supervision), dated when issued.
SUPERVISION_LETTERS = ("supervision_sheet",)
NO_REFERRAL = {None: N_("The petition has not been referred."),
               "transfer": N_("The petition has not been transferred to a department."),
               "assign": N_("The petition has not been assigned to a department.")}


class NotAvailable(DomainError):
    """This petition cannot have this letter (yet)."""


class Unprintable(DomainError):
    """A character the letter would print has no glyph in its fonts (it would print as a box): not issued."""


# What is looked up once a petition while one letter is checked, numbered and rendered (remembering): {key: value}.
_remembered = contextvars.ContextVar("letters_remembered", default=None)


@contextmanager
def remembering():
    """Within it, remember() computes each value once. Around the issuing of one letter, in its transaction, where
    nothing it remembers changes (a letter, its number, its audit entry and at most the answer step are written):
    a 处理意见书 looked up its handling result ten times, twenty queries. Per thread and task (a context variable);
    nested, the outermost one counts."""
    if _remembered.get() is not None:
        yield
        return
    token = _remembered.set({})
    try:
        yield
    finally:
        _remembered.reset(token)


def remember(key, compute):
    """compute(), once per key inside remembering(); outside it, every time."""
    memo = _remembered.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def department_reply(petition):
    """The latest department reply (a replied Referral) the 处理意见书 states, or None."""
    return petition.referrals.where(Referral.state == "replied").order_by(Referral.replied_at.desc()).first()


def handling_result(petition):
    """The result the 处理意见书 states: the office's own (自行办理), else the latest department reply; or None."""
    return remember(("handling_result", petition.id), lambda: own_result(petition) or department_reply(petition))


def handling_organ(petition, office):
    """The organ that handled the matter, by the result the 处理意见书 states: the department that replied; the
    office (the Department that issues the office's letters) when it or its studio resolved it, or before any
    result."""
    result = handling_result(petition)
    if isinstance(result, Referral):
        return remember(("department", result.department_id), lambda: Department.get_by_id(result.department_id))
    return office


def higher_organs(petition, office, review_default=DEFAULT_HIGHER[0], recheck_default=DEFAULT_HIGHER[1]):
    """(复查机关, 复核机关) the letters name: those the handling organ's record names, else the defaults (the
    office's settings)."""
    organ = handling_organ(petition, office)
    return organ.review_organ or review_default, organ.recheck_organ or recheck_default


def mediation_committee(petition, record_id=None):
    """The people's mediation committee a mediation agreement is the document of: the mediation's committee (that
    one, or the petition's latest), else its place (mediations recorded before the committee was asked for)."""
    query = petition.mediations
    if record_id is not None:
        query = query.where(Mediation.id == record_id)
    mediation = query.order_by(Mediation.id.desc()).first()
    if mediation is None:
        return ""
    return mediation.committee or mediation.place


def issuing_organ(kind, petition, office, review_default=DEFAULT_HIGHER[0], recheck_default=DEFAULT_HIGHER[1],
                  record_id=None):
    """Organ(name, department) a letter is issued by: the 处理意见书 by the handling organ (handling_organ); the
    复查意见书 by the 复查机关 and the 复核意见书 by the 复核机关 (higher_organs), with the 文号 of the department of
    that name when one is on record with a short name, else with none (the office drafts it in that organ's
    name, never under its own number); the 调解协议书 by the mediation committee (mediation_committee), with no
    文号 (archived under an unnumbered key, documents.REGISTRATION); every other letter by the office."""
    if kind == "handling_opinion":
        organ = handling_organ(petition, office)
        return Organ(organ.name, organ)
    if kind == "mediation_agreement":  # the committee's document: its name, never the office's 文号
        return Organ(mediation_committee(petition, record_id), None)
    if kind in ("review_opinion", "recheck_opinion"):
        review, recheck = higher_organs(petition, office, review_default, recheck_default)
        name = review if kind == "review_opinion" else recheck
        department = Department.get_or_none(Department.name == name)
        return Organ(name, department if department is not None and department.short_name else None)
    return Organ(office.name, office)


def check_numbering(organ):
    """Raise NotAllowed (naming the organ) when the organ's letters cannot be numbered in a series of their own:
    it has no 文号简称, or shares it (models.organisation.shares_series)."""
    department = organ.department
    if department is None:
        return
    if not department.short_name:
        raise NotAllowed(N_("%(name)s has no short name for its document numbers: set it on the department's form, "
                            "then issue the letter again. Nothing was issued."), name=department.name)
    if shares_series(department):
        raise NotAllowed(N_("%(name)s shares its short name %(short)s with another department or the petition "
                            "numbers: give each its own, then issue the letter again. Nothing was issued."),
                         name=department.name, short=department.short_name)


def recorded_opinion(petition, step):
    """The opinion recorded by the latest record_review / record_recheck step, or None."""
    record = petition.steps.where(StepRecord.step == step).order_by(StepRecord.id.desc()).first()
    return record.note if record else None


def records_for(kind, petition):
    """The records a letter of this kind is about: [None] for the petition itself, or the ids of its referrals,
    mediations or consultations (one letter each). Raises NotAvailable with the reason, ValidationError for an
    unknown kind."""
    if kind not in KINDS:
        raise ValidationError(N_("Unknown kind of letter."), field="kind")
    if kind == "acceptance_notice" and petition.accepted_at is None:
        raise NotAvailable(N_("The petition has not been accepted."))
    if kind == "rejection_notice" and petition.status != "not_accepted":
        raise NotAvailable(N_("The petition was not refused acceptance."))
    if kind == "extension_notice" and not petition.extension_days:
        raise NotAvailable(N_("The handling limit has not been extended."))
    if kind == "handling_opinion" and handling_result(petition) is None:
        raise NotAvailable(N_("No department reply has been recorded."))
    if kind == "review_opinion" and recorded_opinion(petition, "record_review") is None:
        raise NotAvailable(N_("No review opinion has been recorded."))
    if kind == "recheck_opinion" and recorded_opinion(petition, "record_recheck") is None:
        raise NotAvailable(N_("No re-examination opinion has been recorded."))
    if kind in REFERRAL_LETTERS:
        mode = REFERRAL_LETTERS[kind]
        referrals = petition.referrals.where(Referral.state != "objected")
        ids = [r.id for r in (referrals if mode is None else referrals.where(Referral.mode == mode))
               .order_by(Referral.id)]
        if not ids:
            raise NotAvailable(NO_REFERRAL[mode])
        return ids[-1:] if kind == "referral_notice" else ids  # the notice tells of the latest referral
    if kind == "mediation_agreement":
        ids = [m.id for m in petition.mediations.order_by(Mediation.id)]
        if not ids:
            raise NotAvailable(N_("No mediation has been recorded."))
        return ids
    if kind in SUPERVISION_LETTERS:
        ids = [s.id for s in petition.supervisions.order_by(Supervision.id)]
        if not ids:
            raise NotAvailable(N_("The petition has not been put under supervision."))
        return ids
    if kind == "consultation_minutes":
        ids = [c.id for c in Consultation.select(Consultation.id).join(ConsultationPetition).where(
            (ConsultationPetition.petition == petition) & Consultation.concluded_at.is_null(False))]
        if not ids:
            raise NotAvailable(N_("No consultation on this petition has a conclusion yet."))
        return ids
    if petition.status == "void":
        raise NotAvailable(N_("The petition is void."))
    return [None]


def available(petition):
    """The letters the petition may have now: records {kind: [record ids]} (None: about the petition itself),
    and reasons {kind: NotAvailable} saying why it cannot have each of the others. In the order of KINDS."""
    records, reasons = {}, {}
    for kind in KINDS:
        try:
            records[kind] = records_for(kind, petition)
        except NotAvailable as reason:
            reasons[kind] = reason
    return Available(records, reasons)


def check_available(kind, petition, record_id=None):
    """Raise NotAvailable unless the petition may have this letter about this record now."""
    if record_id not in records_for(kind, petition):
        raise NotAvailable(N_("This letter is not about a record of this petition."))


def letter_date(kind, petition, record_id=None):
    """The moment a letter is dated (see LETTER_STEPS): its step's, when that step is being back-dated today;
    else None (the moment it is issued). A 会诊纪要 bears its conclusion's day, by the 会诊 step of the petition."""
    if kind in SUPERVISION_LETTERS:  # no step: a 督办 is not back-dated
        return None
    today = documents.now().date()
    step = LETTER_STEPS.get(kind, "convene")
    steps = petition.steps.where(StepRecord.step == step)
    moment = None
    if kind in REFERRAL_LETTERS and record_id:
        steps = steps.where(StepRecord.at == Referral.get_by_id(record_id).sent_at)
    if kind == "consultation_minutes":
        consultation = Consultation.get_by_id(record_id)
        steps, moment = steps.where(StepRecord.at == consultation.held_at), consultation.concluded_at
    record = steps.order_by(StepRecord.at.desc(), StepRecord.id.desc()).first()
    if record is None or record.recorded_at is None:
        return None
    if record.at.date() < record.recorded_at.date() == today:
        return moment or record.at
    return None


def issuing_step(kind, petition):
    """The step that issues this letter now, or None: 答复 issues the 处理意见书 of a handled petition."""
    return "answer" if kind == "handling_opinion" and petition.status == "handled" else None


def issuable(kind, petition, in_force):
    """May the letter be issued now, given the one in force (or None)? Once; anew only by its step."""
    return in_force is None or issuing_step(kind, petition) is not None


def kept_on(kind, petition, record_id):
    """The petition a letter is kept on: its own; a 会诊纪要 (documents.ONE_A_RECORD) the consultation's first."""
    if kind not in documents.ONE_A_RECORD:
        return petition
    return (Petition.select().join(ConsultationPetition).where(ConsultationPetition.consultation == record_id)
            .order_by(ConsultationPetition.id).first())


def issue(kind, petition, by, render, record_id=None, *, issuer, font=None, replaces=None, check=None,
          higher=DEFAULT_HIGHER):
    """印发: number, render, archive and audit a letter the petition may have and does not have yet.

    A 会诊纪要 is one letter for all the consultation's petitions: asked for again, from any of them, it is the
    one in force that is returned (same number), never a second.

    render(number, at) -> PDF bytes (its attribute wording_version, when it has one, is the version of the
    kind's wording its text uses: recorded on the document); issuer: the Department whose 文号 it takes; font: the embedded font's file
    name; check(kind, petition, record_id): raises Unprintable (a DomainError) before the letter is numbered when
    a character cannot be printed. Raises NotAvailable (with the reason), documents.AlreadyIssued (a NotAllowed: in
    force already, perhaps issued by another clerk a moment ago; its `document` is that one), NotAllowed (the
    处理意见书 of a handled petition, which answer() issues), ValidationError (unknown kind, an issuer without a
    short name); and whatever render raises. All in one transaction: a refusal or a failed rendering writes nothing."""
    with database.atomic(), remembering():
        petition = Petition.get_by_id(petition.id)  # as it is now, not as the caller saw it
        check_available(kind, petition, record_id)
        if kind in lookup.PRINTED_ON:  # a petition accepted before 查询码 existed gets its code with the letter
            lookup.give_code(petition)
        if issuing_step(kind, petition) == "answer":
            raise NotAllowed(N_("Answer the petitioner to issue the handling opinion."))
        if check is not None:
            check(kind, petition, record_id)
        if kind not in documents.ONE_A_RECORD:
            return _issue(kind, petition, by, render, record_id, issuer, font, replaces, once=True, higher=higher)
        try:
            return _issue(kind, kept_on(kind, petition, record_id), by, render, record_id, issuer, font, replaces,
                          once=True, higher=higher)
        except documents.AlreadyIssued as issued:  # issued already, from this petition or another: that one
            return Document.get_by_id(issued.document.id)


def issue_minutes(consultation, by, render, *, issuer, font=None, check=None, higher=DEFAULT_HIGHER):
    """印发 (or the one in force of) the 会诊纪要 of a concluded consultation, from the consultation itself.

    Raises NotAvailable before its conclusion is recorded, and what issue() raises."""
    petition = kept_on("consultation_minutes", None, consultation.id)
    if petition is None:
        raise NotAvailable(N_("No consultation on this petition has a conclusion yet."))
    return issue("consultation_minutes", petition, by, render, consultation.id, issuer=issuer, font=font,
                 check=check, higher=higher)


def answer(petition, by, render, *, issuer, font=None, at=None, check=None, higher=DEFAULT_HIGHER):
    """答复: take the answer step and issue the 信访处理意见书, in one transaction.

    Raises NotAllowed unless the petition is handled; Unprintable (from check, see issue()) when the letter cannot
    be printed. A letter that cannot be printed or fails to render leaves it handled, with no letter, no step
    recorded and nothing audited."""
    with database.atomic(), remembering():
        answered = take_answer(petition, by, at=at)
        check_available("handling_opinion", answered)
        if check is not None:
            check("handling_opinion", answered, None)
        # not issued once: a petition answered anew gets a new letter (the earlier one stays on record)
        return _issue("handling_opinion", answered, by, render, None, issuer, font, None, once=False, higher=higher)


def void(document, by, reason, at=None):
    """Void an issued letter with the reason, audited; its number and bytes stay on record.

    Raises ValidationError without a reason, NotAllowed when it is void already."""
    with database.atomic():
        document = documents.mark_void(document, by, reason, at=at)
        audit.record("update", Document, document.id, by=by, summary=document.number,
                     before={"voided_at": None, "void_reason": None},
                     after={"voided_at": document.voided_at.isoformat(), "void_reason": document.void_reason})
        return document


def reissue(document, by, reason, render, *, issuer, font=None, check=None, higher=DEFAULT_HIGHER):
    """Void a wrong letter with the reason and issue a new one in its place (a new number), in one transaction.

    Raises what void() and issue() raise; nothing is voided when the new letter cannot be issued."""
    with database.atomic():
        voided = void(document, by, reason)
        return issue(voided.kind, voided.petition, by, render, voided.record_id, issuer=issuer, font=font,
                     replaces=voided, check=check, higher=higher)


def for_printing(kind, petition, by, render_for, *, issuer, font=None, check=None, higher=DEFAULT_HIGHER):
    """Yield the letters of this kind a petition has, to print: the ones in force as archived, the others issued
    now, each in its own transaction (render_for(record_id) -> render). Raises what records_for() and issue()
    raise; never takes a step."""
    for record_id in records_for(kind, petition):
        document = documents.current(kind, petition, record_id)
        if document is None:
            try:
                document = issue(kind, petition, by, render_for(record_id), record_id, issuer=issuer, font=font,
                                 check=check, higher=higher)
            except documents.AlreadyIssued as issued:  # another clerk printed it a moment ago: print theirs
                document = Document.get_by_id(issued.document.id)
        yield document


def _issue(kind, petition, by, render, record_id, issuer, font, replaces, once, higher=DEFAULT_HIGHER):
    """Number, render, archive and audit, in the name of the letter's organ (issuing_organ; issuer is the office,
    higher its default 复查/复核 organs). once: refused (documents.AlreadyIssued, decided inside the numbering
    transaction and enforced by the database) when the letter is in force; else the one in force is voided first
    (a petition answered anew: the earlier letter stays on record, void). Raises NotAllowed (check_numbering)
    when the organ's letters cannot be numbered; the caller's transaction then writes nothing."""
    organ = issuing_organ(kind, petition, issuer, *higher, record_id=record_id)
    check_numbering(organ)
    if not once:
        in_force = documents.current(kind, petition, record_id)
        if in_force is not None:
            void(in_force, by, documents.SUPERSEDED_REASON)
    document = documents.archive(kind, petition, organ.department or issuer, render, by,
                                 at=letter_date(kind, petition, record_id), record_id=record_id, replaces=replaces,
                                 font=font, numbered=organ.department is not None,
                                 wording_version=getattr(render, "wording_version", None))
    audit.record("create", Document, document.id, by=by, summary=document.number, after={
        "kind": kind, "number": document.number, "petition": petition.id, "record_id": record_id,
        "sha256": document.sha256, "replaces": replaces.id if replaces is not None else None,
        "wording_version": document.wording_version})
    return document
