"""The studio's steps on open petitions: 会诊 (a consultation, its corrections until the conclusion, the
conclusion), the "1+3" group, 调解; and what the 会诊 and 调解 forms are given first from the group."""
from .. import access, audit, documents
from ..casework import (
    PARTICIPANT_ROLES, Consultation, ConsultationParticipant, ConsultationPetition, ConsultationRepresentative,
    Mediation, ResolutionGroup,
)
from ..db import database, now
from ..errors import N_, NotAllowed, ValidationError
from ..petition import FUTURE_TOLERANCE, Petition
from .rules import _apply, _require, check

def convene(petitions, by, held_at, place, agenda, representatives, participants=()):
    """会诊 on one or more open petitions: one consultation; representatives and others (name, role, unit)."""
    if not representatives:
        raise ValidationError(N_("Convene at least one representative."), field="representatives")
    with database.atomic():
        for petition in petitions:
            check("convene", Petition.get_by_id(petition.id))
            access.check_links(ConsultationPetition(petition=petition), by)  # no wider scope for the writer
        consultation = Consultation.create(held_at=held_at, place=place, agenda=agenda,
                                           convened_by=getattr(by, "id", None))
        _add_members(consultation, representatives, participants)
        for petition in petitions:
            ConsultationPetition.create(consultation=consultation, petition=petition)
            _apply("convene", petition, by, note=place, at=held_at)
        audit.record("create", consultation, consultation.id, by=by, after=audit.snapshot(consultation))
        return consultation


def _add_members(consultation, representatives, participants):
    """The representatives (from the register) and the others, each a row (name, role, unit): the role is
    chosen, never guessed from the text, so "赵明律师明正律师事务所" is not a 其他."""
    for representative in dict.fromkeys(representatives):
        ConsultationRepresentative.create(consultation=consultation, representative=representative)
    roles = dict(PARTICIPANT_ROLES)
    for name, role, unit in participants:
        if role not in roles:
            raise ValidationError(N_("Choose the participant's role."), field="participants")
        ConsultationParticipant.create(consultation=consultation, name=_require(name, "participants"),
                                       role=role, unit=(unit or "").strip() or None)


def members(consultation):
    """Who took part, as the audit log keeps it: representatives' names and "name/role/unit" of the others."""
    representatives = [link.representative.name for link in
                       consultation.representative_links.order_by(ConsultationRepresentative.id)]
    others = ["%s/%s/%s" % (p.name, p.role, p.unit or "")
              for p in consultation.participants.order_by(ConsultationParticipant.id)]
    return {"representatives": "、".join(representatives), "participants": "；".join(others)}


def revise(consultation, by, held_at, place, agenda, representatives, participants=()):
    """Correct a consultation (time, place, agenda, who took part) until its conclusion is recorded, audited.

    Raises NotAllowed once it is concluded: its 会诊纪要 then stands as issued, and a wrong one is voided and
    reissued like any letter; ValidationError for a missing value (nothing is changed)."""
    if not representatives:
        raise ValidationError(N_("Convene at least one representative."), field="representatives")
    with database.atomic():
        current = Consultation.get_by_id(consultation.id)
        if current.concluded_at is not None:
            raise NotAllowed(N_("The consultation has its conclusion: it can no longer be changed. Void and "
                                "reissue its minutes to correct them."))
        before = dict(audit.snapshot(current), **members(current))
        current.held_at, current.place, current.agenda = held_at, place, agenda
        current.save()
        ConsultationRepresentative.delete().where(ConsultationRepresentative.consultation == current).execute()
        ConsultationParticipant.delete().where(ConsultationParticipant.consultation == current).execute()
        _add_members(current, representatives, participants)
        for link in current.representative_links:  # no wider scope for the writer
            access.check_links(link, by)
        changed = audit.changes(before, dict(audit.snapshot(current), **members(current)))
        audit.record("update", current, current.id, by=by, summary="revise",
                     **dict(zip(("before", "after"), changed)))
        return current


def conclude(consultation, by, conclusion, minutes=None, follow_up_tasks=None, at=None):
    """The consultation's conclusion, minutes and follow-up tasks, recorded after it met: a step on the
    consultation (RECORD_STEPS), audited as an update of it; the petitions' statuses stay.

    Raises NotAllowed while its 会诊纪要 is in force (the letter states the conclusion: void it first)."""
    conclusion = _require(conclusion, "conclusion")
    issued = documents.current("consultation_minutes", None, consultation.id)
    if issued is not None:
        raise NotAllowed(N_("The consultation minutes %(number)s state this conclusion: void them first to "
                            "correct it."), number=issued.number)
    at = at or now()
    if at > now() + FUTURE_TOLERANCE:
        raise ValidationError(N_("A step cannot be dated in the future."), field="at")
    if consultation.held_at is not None and at < consultation.held_at:  # 补录: concluded after it met
        raise ValidationError(N_("The conclusion cannot be dated before the consultation met."), field="at")
    with database.atomic():
        before = audit.snapshot(consultation)
        consultation.conclusion, consultation.minutes = conclusion, minutes
        consultation.follow_up_tasks, consultation.concluded_at = follow_up_tasks, at
        consultation.save()
        audit.record("update", consultation, consultation.id, by=by, summary="conclude",
                     **dict(zip(("before", "after"), audit.changes(before, audit.snapshot(consultation)))))
        return consultation


def form_group(petition, by, representative, town_officer, mediator, lawyer, at=None):
    """The "1+3" resolution group: one representative, the town's petition officer, a mediator, a lawyer.

    One group a petition (a guard of the step table): raises NotAllowed for a second one."""
    if representative is None:
        raise ValidationError(N_("Choose the representative."), field="representative")
    with database.atomic():
        current = Petition.get_by_id(petition.id)
        check("form_group", current)
        group = ResolutionGroup(petition=current, representative=representative, town_officer=town_officer,
                                mediator=mediator, lawyer=lawyer, formed_at=at or now())
        group.clean()  # all four members, before the step is recorded
        access.check_links(group, by)
        note = "%s、%s、%s、%s" % (representative.name, group.town_officer, group.mediator, group.lawyer)
        _apply("form_group", current, by, note=note, at=at, lead_representative=representative)
        group.save()  # after the step, whose guard allows no group yet
        return group


def mediate(petition, by, parties, mediator, place, agreement, signed_on, lawyer=None, judicial_confirmation="none",
            at=None, committee=None, party_particulars=None, dispute_facts=None, disputed_matters=None):
    """调解: the agreement signed by the parties before the committee (调解协议书), witnessed by the lawyer."""
    with database.atomic():
        mediation = Mediation.create(petition=petition, parties=parties, mediator=mediator, lawyer=lawyer,
                                     place=place, agreement=agreement, signed_on=signed_on, committee=committee,
                                     party_particulars=party_particulars, dispute_facts=dispute_facts,
                                     disputed_matters=disputed_matters,
                                     judicial_confirmation=judicial_confirmation, recorded_by=getattr(by, "id", None))
        _apply("mediate", petition, by, note=place, at=at)
        return mediation


def from_group(petitions):
    """What the 会诊 form is given first: the "1+3" groups of the petitions (ResolutionGroup), as
    (representatives, [(name, role, unit)]): the town's petition officer a 部门工作人员 of the town, the
    mediator and the lawyer as such."""
    representatives, rows = [], []
    groups = (ResolutionGroup.select().where(ResolutionGroup.petition.in_([p.id for p in petitions]))
              .order_by(ResolutionGroup.id))
    for group in groups:
        town = group.petition.town.name if group.petition.town_id else None
        representatives.append(group.representative)
        rows += [(group.town_officer, "department_staff", town), (group.mediator, "mediator", None),
                 (group.lawyer, "lawyer", None)]
    return list(dict.fromkeys(representatives)), list(dict.fromkeys(rows))


def mediation_defaults(petition):
    """What the 调解 form is given first: the "1+3" group's mediator and lawyer, or nothing."""
    group = ResolutionGroup.get_or_none(ResolutionGroup.petition == petition)
    return {"mediator": group.mediator, "lawyer": group.lawyer} if group else {}
