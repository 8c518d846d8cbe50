"""Who may see which rows, and which fields are personal data.

`visible(query, user, kind)` is the one row scope: every list, details page, type-ahead, export, letter and API
path over a kind of record narrows its query through it. A kind is a screen's endpoint ("petition",
"referral", ...); a kind without a rule in SCOPES shows nothing (closed by default), and so does a missing
user or an unknown role. Which screens and operations a role may use at all is admin_app/permissions.py.

`check_links(record, user)` guards the records that widen a representative's scope (a visit with it present, a
consultation, a "1+3" group, a duty shift): a writer may only point them at petitions and people it already sees.

`PERSONAL` declares, once, the personal fields of every record and how each is masked; the screens, the
exports, the type-aheads and the audit log read it. PUBLIC names the fields that look personal and are not.
"""
from peewee import SQL, fn

from .casework import (
    Consultation, ConsultationPetition, ConsultationRepresentative, DutyShift, FollowUp, Mediation, Referral,
    ResolutionGroup, VisitLog, VisitRepresentative,
)
from .documents import ONE_A_RECORD, Document
from .errors import N_, ValidationError
from .hotline import FlagDismissal, HotlineTicket
from .organisation import Department
from .people import ROLES, Petitioner, Representative
from .petition import STUDIO_CHANNELS, CoPetitioner, Petition, StepRecord
from .supervision import Supervision
from .validation import mask_id_number, mask_phone


OFFICE = frozenset(("admin", "staff", "leader"))  # the petition office: every row of every kind
NOTHING = SQL("1 = 0")


def _petitions(user):
    """All for the office, its team's and its cases for a representative, those referred to its department
    for a department user."""
    if user.role in OFFICE:
        return None  # no restriction
    if user.role == "department":
        return Petition.id.in_(Referral.select(Referral.petition).where(Referral.department == user.department_id))
    if user.role == "representative":
        rep = user.representative_id
        if rep is None:
            return NOTHING  # `== None` would be IS NULL: every petition without a lead representative
        team = user.representative.team_id if user.representative_id else None
        consulted = (ConsultationPetition.select(ConsultationPetition.petition)
                     .join(ConsultationRepresentative, on=(ConsultationRepresentative.consultation
                                                           == ConsultationPetition.consultation))
                     .where(ConsultationRepresentative.representative == rep))
        grouped = ResolutionGroup.select(ResolutionGroup.petition).where(ResolutionGroup.representative == rep)
        visited = (VisitLog.select(VisitLog.petition).join(VisitRepresentative)
                   .where((VisitRepresentative.representative == rep) & VisitLog.petition.is_null(False)))
        # 坐诊: the petitions brought to the studio in person on a day the representative was on duty there
        on_duty = (Petition.select(Petition.id)
                   .join(DutyShift, on=(fn.DATE(Petition.received_at) == DutyShift.on_date))
                   .where((DutyShift.representative == rep) & Petition.channel.in_(STUDIO_CHANNELS)))
        clause = ((Petition.lead_representative == rep) | Petition.id.in_(consulted) | Petition.id.in_(grouped)
                  | Petition.id.in_(visited) | Petition.id.in_(on_duty))
        if team is not None:
            clause = clause | (Petition.team == team)
        return clause
    return NOTHING  # a role without petitions sees none


def _visible_petitions(user):
    """The ids of the petitions the user may see, as a subquery; None for all."""
    clause = _petitions(user)
    return None if clause is None else Petition.select(Petition.id).where(clause)


def _by_petition(column):
    """The rule of records that hang off a petition: those of a petition the user may see."""

    def rule(user):
        ids = _visible_petitions(user)
        return None if ids is None else column.in_(ids)

    return rule


def _referrals(user):
    if user.role == "department":
        return Referral.department == user.department_id  # its own, not the petition's other departments'
    return _by_petition(Referral.petition)(user)


def _supervisions(user):
    """督办: a department its own (not another department's on the same petition); others by the petition."""
    if user.role == "department":
        return Supervision.department == user.department_id
    return _by_petition(Supervision.petition)(user)


def _consultations(user):
    ids = _visible_petitions(user)
    if ids is None:
        return None
    return Consultation.id.in_(ConsultationPetition.select(ConsultationPetition.consultation)
                               .where(ConsultationPetition.petition.in_(ids)))


def _petitioners(user):
    """The people of the user's petitions (co-petitioners too); a representative also those of the visits it was
    present at (people it met before any petition of theirs was in its scope)."""
    ids = _visible_petitions(user)
    if ids is None:
        return None
    co = CoPetitioner.select(CoPetitioner.petitioner).where(CoPetitioner.petition.in_(ids))
    clause = Petitioner.id.in_(Petition.select(Petition.petitioner).where(Petition.id.in_(ids))) | Petitioner.id.in_(co)
    if user.role == "representative" and user.representative_id is not None:
        met = (VisitLog.select(VisitLog.petitioner).join(VisitRepresentative)
               .where((VisitRepresentative.representative == user.representative_id)
                      & VisitLog.petitioner.is_null(False)))
        clause = clause | Petitioner.id.in_(met)
    return clause


REFERRAL_LETTERS = ("referral_notice", "transfer_letter", "assignment_sheet")  # about one referral (Document.record_id)
SUPERVISION_LETTERS = ("supervision_sheet",)  # about one 督办 (Document.record_id)


def _documents(user):
    """The letters of the user's petitions; a department not those about another department's referral, nor a
    handling opinion that may state another department's reply. A 会诊纪要 is kept on the consultation's first
    petition and is seen from each of its petitions."""
    ids = _visible_petitions(user)
    if ids is None:
        return None
    consulted = ConsultationPetition.select(ConsultationPetition.consultation).where(
        ConsultationPetition.petition.in_(ids))
    clause = Document.petition.in_(ids) | (Document.kind.in_(ONE_A_RECORD) & Document.record_id.in_(consulted))
    if user.role != "department":
        return clause
    theirs = Referral.department != user.department_id
    about_theirs = Document.kind.in_(REFERRAL_LETTERS) & Document.record_id.in_(Referral.select(Referral.id)
                                                                               .where(theirs))
    replied = Referral.select(Referral.petition).where(theirs & (Referral.state == "replied"))
    stating_theirs = (Document.kind == "handling_opinion") & Document.petition.in_(replied)
    supervising_theirs = Document.kind.in_(SUPERVISION_LETTERS) & Document.record_id.in_(
        Supervision.select(Supervision.id).where(Supervision.department != user.department_id))
    return clause & ~about_theirs & ~stating_theirs & ~supervising_theirs


REFERRAL_STEPS = ("refer", "object", "record_reply")  # each recorded at its referral's sent/objected/replied time


def _steps(user):
    """The step records of the user's petitions; a department only its own referrals' refer, objection and reply
    (a StepRecord names no referral: it is the one of the same petition stamped with the step's time)."""
    clause = _by_petition(StepRecord.petition)(user)
    if user.role != "department":
        return clause
    own = Referral.select(Referral.id).where(
        (Referral.petition == StepRecord.petition) & (Referral.department == user.department_id)
        & (((StepRecord.step == "refer") & (Referral.sent_at == StepRecord.at))
           | ((StepRecord.step == "object") & (Referral.objected_at == StepRecord.at))
           | ((StepRecord.step == "record_reply") & (Referral.replied_at == StepRecord.at))))
    return clause & (StepRecord.step.not_in(REFERRAL_STEPS) | fn.EXISTS(own))


def _tickets(user):
    """12345 tickets: the office all; anyone else those made into a petition it sees."""
    ids = _visible_petitions(user)
    return None if ids is None else HotlineTicket.petition.in_(ids)


def visible_evidence(refs, user):
    """The references among `refs` (p12: petition 12, t5: hotline ticket 5, as 排访 flags cite them) the user sees."""
    found = set()
    for prefix, model, kind in (("p", Petition, "petition"), ("t", HotlineTicket, "hotlineticket")):
        ids = {int(r[1:]) for r in refs if r[:1] == prefix and r[1:].isdigit()}
        if ids:
            query = visible(model.select(model.id).where(model.id.in_(list(ids))), user, kind)
            found |= {"%s%d" % (prefix, i) for (i,) in query.tuples()}
    return found


def shows_flag(evidence, user, seen=None):
    """Does a flag (its evidence) concern only records the user sees? `seen`: visible_evidence, if known."""
    refs = set(evidence)
    return bool(refs) and refs <= (visible_evidence(refs, user) if seen is None else seen)


def _dismissals(user):
    """Dismissed 排访 flags: the office all; anyone else those whose every record it sees (the table is small)."""
    if user.role in OFFICE:
        return None
    rows = [(i, (evidence or "").split()) for i, evidence in FlagDismissal.select(
        FlagDismissal.id, FlagDismissal.evidence).tuples()]
    seen = visible_evidence({ref for _, refs in rows for ref in refs}, user)
    ids = [i for i, refs in rows if shows_flag(refs, user, seen)]
    return FlagDismissal.id.in_(ids) if ids else NOTHING


def _every_row(user):
    return None


SCOPES = {
    "petition": _petitions,
    "referral": _referrals,
    "supervision": _supervisions,
    "consultation": _consultations,
    "petitioner": _petitioners,
    "document": _documents,
    "steprecord": _steps,
    "hotlineticket": _tickets,
    "flags": _dismissals,
    "mediation": _by_petition(Mediation.petition),
    "followup": _by_petition(FollowUp.petition),
    "visitlog": _by_petition(VisitLog.petition),  # a visit not yet linked to a petition: the office's only
    # The office's own records: whoever permissions.py lets open the screen sees them whole.
    **dict.fromkeys(("representative", "team", "dutyshift", "department", "category", "audit", "user", "apiclient",
                     "hotlinemapping"),
                    _every_row),
}


def visible(query, user, kind):
    """`query` narrowed to the rows of `kind` the user may see: the query itself (the same object) when the
    user sees them all, no rows for a kind without a rule, no user or an unknown role."""
    rule = SCOPES.get(kind)
    if rule is None or getattr(user, "role", None) not in dict(ROLES):
        return query.where(NOTHING)
    clause = rule(user)
    return query if clause is None else query.where(clause)


# -- links that widen a scope ----------------------------------------------------------------------------

def _studio_petitions(shift):
    """The petitions a duty shift opens to its representative: those brought in person that day (坐诊)."""
    return Petition.select(Petition.id).where(Petition.channel.in_(STUDIO_CHANNELS)
                                              & (fn.DATE(Petition.received_at) == shift.on_date))


def _consulted(consultation_id):
    return ConsultationPetition.select(ConsultationPetition.petition).where(
        ConsultationPetition.consultation == consultation_id)


# record type -> record -> [(form field, kind, the ids it opens: a list or a query)]
OPENS = {
    VisitLog: lambda r: [("petition", "petition", [r.petition_id]), ("petitioner", "petitioner", [r.petitioner_id])],
    VisitRepresentative: lambda r: [("representative", "petition", VisitLog.select(VisitLog.petition)
                                     .where(VisitLog.id == r.visit_id)),
                                    ("representative", "petitioner", VisitLog.select(VisitLog.petitioner)
                                     .where(VisitLog.id == r.visit_id))],
    ConsultationPetition: lambda r: [("petitions", "petition", [r.petition_id])],
    ConsultationRepresentative: lambda r: [("representatives", "petition", _consulted(r.consultation_id))],
    ResolutionGroup: lambda r: [("representative", "petition", [r.petition_id])],
    DutyShift: lambda r: [("on_date", "petition", _studio_petitions(r))],
}
REFUSALS = {
    "petition": N_("You may only link petitions you can see. Ask the petition office to link this one."),
    "petitioner": N_("You may only link petitioners you can see. Ask the petition office to link this one."),
}


def check_links(record, user):
    """Raise ValidationError (on the form field) when `record` would open a petition or person to a representative
    and `user` does not see it already: a representative cannot widen its own scope. The office writes any link;
    no user is the system itself (demo data, commands). Call before the record is written."""
    rule = OPENS.get(type(record))
    if rule is None or user is None or getattr(user, "role", None) in OFFICE:
        return
    for field, kind, ids in rule(record):
        if isinstance(ids, list):
            ids = [i for i in ids if i is not None]
            if not ids:
                continue
        model = Petition if kind == "petition" else Petitioner
        unseen = model.select(model.id).where(model.id.in_(ids) & model.id.not_in(
            visible(model.select(model.id), user, kind)))
        if unseen.exists():
            raise ValidationError(REFUSALS[kind], field=field)


# -- personal fields ---------------------------------------------------------------------------------------

# {record: {field: mask}}: masked on every screen, export and type-ahead, and in the audit log; shown in full
# only to the roles permissions.sees_personal_data names, and that showing is audited.
PERSONAL = {
    Petitioner: {"id_number": mask_id_number, "phone": mask_phone},  # co-petitioners are Petitioners too
    Representative: {"phone": mask_phone},
    HotlineTicket: {"phone": mask_phone, "caller_id_number": mask_id_number},
}
# Fields whose names say ID number or phone and that are no one's personal data.
PUBLIC = {
    Department: {"phone"},  # a unit's office line, shown in full on its screen
}


def personal_fields(model):
    """{field name: mask} of a record's personal fields ({} for none)."""
    return PERSONAL.get(model, {})


def masked(record, name):
    """The value of a personal field of a record, masked ("" for none)."""
    return PERSONAL[type(record)][name](getattr(record, name))
