"""Who may see which rows: the petitions each role's user may see, and the rows of every screen that hang
off them. Roles' operations (may this role open this screen at all) are admin_app/permissions.py."""
from peewee import fn

from .casework import (
    Consultation, ConsultationPetition, ConsultationRepresentative, DutyShift, FollowUp, Mediation, Referral,
    ResolutionGroup, VisitLog, VisitRepresentative,
)
from .documents import Document
from .petition import STUDIO_CHANNELS, Petition


def petition_scope(user):
    """The petitions a user may see: all for the office, its team's and its cases for a representative,
    those referred to its department for a department user."""
    if user.role in ("admin", "staff", "leader"):
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
    return Petition.id < 0  # a role without petitions sees none


def referral_scope(user):
    if user.role == "department":
        return Referral.department == user.department_id
    return _by_petition(user, Referral.petition)


def _by_petition(user, column):
    """Rows that belong to a petition the user may see."""
    clause = petition_scope(user)
    if clause is None:
        return None
    return column.in_(Petition.select(Petition.id).where(clause))


def scope_for(endpoint, user):
    """The where-clause that limits a screen's rows for this user, or None for all rows."""
    if user.role in ("admin", "staff", "leader"):
        return None
    if endpoint == "petition":
        return petition_scope(user)
    if endpoint == "referral":
        return referral_scope(user)
    if endpoint == "document":
        return _by_petition(user, Document.petition)
    if endpoint == "mediation":
        return _by_petition(user, Mediation.petition)
    if endpoint == "followup":
        return _by_petition(user, FollowUp.petition)
    if endpoint == "visitlog":
        return _by_petition(user, VisitLog.petition)
    if endpoint == "consultation":
        petitions = _by_petition(user, ConsultationPetition.petition)
        return Consultation.id.in_(ConsultationPetition.select(ConsultationPetition.consultation).where(petitions))
    return None
