"""Who may do what: one table of role × screen × operation, and which rows each role may see.

Every screen, action, export, letter and custom page asks `allowed(role, endpoint, op)`; a screen
without an entry here is closed to everyone but the system administrator (and the matrix test fails).
Operations: read, create, edit, delete, step (workflow actions and step forms), letter (preview, issue,
print, download), export, personal (see full ID numbers and phones, logged).
"""
ROLES = ("admin", "staff", "representative", "department", "leader")
ALL = frozenset(("read", "create", "edit", "delete", "step", "letter", "export", "personal"))
READ = frozenset(("read",))
CASEWORK = frozenset(("read", "create", "edit", "delete", "step", "letter", "export", "personal"))

# endpoint: {role: operations}. The administrator may do everything everywhere.
MATRIX = {
    "admin": {"staff": READ, "representative": READ, "department": READ, "leader": READ},  # the home page
    "petition": {"staff": CASEWORK - {"delete"}, "representative": frozenset(("read", "step")),
                 "department": READ, "leader": frozenset(("read", "step", "export"))},
    "petitioner": {"staff": CASEWORK, "representative": READ, "leader": frozenset(("read", "export"))},
    "visitlog": {"staff": CASEWORK, "representative": frozenset(("read", "create", "edit")), "leader": READ},
    "referral": {"staff": CASEWORK, "department": frozenset(("read", "step", "letter")), "leader": READ},
    "consultation": {"staff": CASEWORK, "representative": frozenset(("read", "step")), "leader": READ},
    "mediation": {"staff": CASEWORK, "representative": READ, "leader": READ},
    "followup": {"staff": CASEWORK, "representative": frozenset(("read", "create", "step")), "leader": READ},
    "document": {"staff": CASEWORK - {"delete"}, "department": frozenset(("read", "letter")),
                 "leader": frozenset(("read", "letter"))},
    "representative": {"staff": CASEWORK, "representative": READ, "leader": READ},
    "team": {"staff": frozenset(("read", "edit")), "representative": READ, "leader": READ},
    "dutyshift": {"staff": CASEWORK, "representative": READ, "leader": READ},
    "department": {"staff": CASEWORK, "leader": READ},
    "category": {"staff": CASEWORK, "leader": READ},
    "audit": {"staff": READ, "leader": READ},
    "user": {},  # the system administrator only
    "hotlineticket": {"staff": frozenset(("read", "create", "step", "export", "personal")),
                      "leader": frozenset(("read", "export"))},  # 12345工单: import (create), 转为信访事项 (step)
    "flags": {"staff": frozenset(("read", "create")), "representative": READ, "leader": READ},  # 排访: dismiss (create)
    "apiclient": {},  # the hotline API's clients and tokens: the system administrator only
    "petition_import": {"staff": frozenset(("read", "create"))},  # 导入信访事项 (views/petition_import.py)
}

# The workflow steps each role may take (on the petitions it may see).
STEPS = {
    "staff": None,  # all
    "representative": frozenset(("follow_up", "convene", "conclude")),
    "department": frozenset(("record_reply", "object")),
    "leader": frozenset(("sign_off",)),
}


def allowed(role, endpoint, op="read"):
    """May a user of this role do `op` on this screen?"""
    if role == "admin":
        return True
    return op in MATRIX.get(endpoint, {}).get(role, frozenset())


def may_take_step(role, step):
    if role == "admin":
        return True
    steps = STEPS.get(role, frozenset())
    return steps is None or step in steps


def sees_personal_data(role):
    """Full ID numbers and phones: shown on demand to staff, and logged (never to representatives)."""
    return role in ("admin", "staff")


# -- rows -------------------------------------------------------------------------------------------

IN_PERSON = ("visit", "appointment")  # the channels of a petitioner received at the studio


def petition_scope(user):
    """The petitions a user may see: all for the office, its team's and its cases for a representative,
    those referred to its department for a department user."""
    from models.casework import (
        ConsultationPetition, ConsultationRepresentative, DutyShift, Referral, ResolutionGroup, VisitLog,
        VisitRepresentative,
    )
    from models.petition import Petition
    from peewee import fn

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
                   .where((DutyShift.representative == rep) & Petition.channel.in_(IN_PERSON)))
        clause = ((Petition.lead_representative == rep) | Petition.id.in_(consulted) | Petition.id.in_(grouped)
                  | Petition.id.in_(visited) | Petition.id.in_(on_duty))
        if team is not None:
            clause = clause | (Petition.team == team)
        return clause
    return Petition.id < 0  # a role without petitions sees none


def referral_scope(user):
    from models.casework import Referral

    if user.role == "department":
        return Referral.department == user.department_id
    return _by_petition(user, Referral.petition)


def _by_petition(user, column):
    """Rows that belong to a petition the user may see."""
    from models.petition import Petition

    clause = petition_scope(user)
    if clause is None:
        return None
    return column.in_(Petition.select(Petition.id).where(clause))


def scope_for(endpoint, user):
    """The where-clause that limits a screen's rows for this user, or None for all rows."""
    from models.casework import Consultation, ConsultationPetition, FollowUp, Mediation, VisitLog
    from models.documents import Document

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
