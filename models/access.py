"""Who may see which rows, and which fields are personal data.

`visible(query, user, kind)` is the one row scope: every list, details page, type-ahead, export, letter and API
path over a kind of record narrows its query through it. A kind is a screen's endpoint ("petition",
"referral", ...); a kind without a rule in SCOPES shows nothing (closed by default), and so does a missing
user or an unknown role. Which screens and operations a role may use at all is admin_app/permissions.py.

`PERSONAL` declares, once, the personal fields of every record and how each is masked; the screens, the
exports, the type-aheads and the audit log read it. PUBLIC names the fields that look personal and are not.
"""
from peewee import SQL, fn

from .casework import (
    Consultation, ConsultationPetition, ConsultationRepresentative, DutyShift, FollowUp, Mediation, Referral,
    ResolutionGroup, VisitLog, VisitRepresentative,
)
from .documents import Document
from .hotline import HotlineTicket
from .organisation import Department
from .people import ROLES, Petitioner, Representative
from .petition import STUDIO_CHANNELS, CoPetitioner, Petition
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


def _consultations(user):
    ids = _visible_petitions(user)
    if ids is None:
        return None
    return Consultation.id.in_(ConsultationPetition.select(ConsultationPetition.consultation)
                               .where(ConsultationPetition.petition.in_(ids)))


def _petitioners(user):
    """A department sees the people of its petitions (co-petitioners too); the other roles everyone, since
    representatives record visits of people before any petition of theirs exists."""
    if user.role != "department":
        return None
    ids = _visible_petitions(user)
    co = CoPetitioner.select(CoPetitioner.petitioner).where(CoPetitioner.petition.in_(ids))
    return Petitioner.id.in_(Petition.select(Petition.petitioner).where(Petition.id.in_(ids))) | Petitioner.id.in_(co)


def _every_row(user):
    return None


SCOPES = {
    "petition": _petitions,
    "referral": _referrals,
    "consultation": _consultations,
    "petitioner": _petitioners,
    "document": _by_petition(Document.petition),
    "mediation": _by_petition(Mediation.petition),
    "followup": _by_petition(FollowUp.petition),
    "visitlog": _by_petition(VisitLog.petition),  # a visit not yet linked to a petition: the office's only
    # The office's own records: whoever permissions.py lets open the screen sees them whole.
    **dict.fromkeys(("representative", "team", "dutyshift", "department", "category", "hotlineticket", "flags",
                     "audit", "user", "apiclient"), _every_row),
}


def visible(query, user, kind):
    """`query` narrowed to the rows of `kind` the user may see: the query itself (the same object) when the
    user sees them all, no rows for a kind without a rule, no user or an unknown role."""
    rule = SCOPES.get(kind)
    if rule is None or getattr(user, "role", None) not in dict(ROLES):
        return query.where(NOTHING)
    clause = rule(user)
    return query if clause is None else query.where(clause)


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
