"""The studio's steps on open petitions: 会诊 (a consultation and its conclusion), the "1+3" group, 调解."""
from .. import access, audit
from ..casework import (
    Consultation, ConsultationParticipant, ConsultationPetition, ConsultationRepresentative, Mediation,
    ResolutionGroup,
)
from ..db import database, now
from ..errors import N_, ValidationError
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
        for representative in representatives:
            ConsultationRepresentative.create(consultation=consultation, representative=representative)
        for name, role, unit in participants:
            ConsultationParticipant.create(consultation=consultation, name=_require(name, "participants"),
                                           role=role, unit=unit)
        for petition in petitions:
            ConsultationPetition.create(consultation=consultation, petition=petition)
            _apply("convene", petition, by, note=place, at=held_at)
        audit.record("create", consultation, consultation.id, by=by, after=audit.snapshot(consultation))
        return consultation


def conclude(consultation, by, conclusion, minutes=None, follow_up_tasks=None, at=None):
    """The consultation's conclusion, minutes and follow-up tasks, recorded after it met: a step on the
    consultation (RECORD_STEPS), audited as an update of it; the petitions' statuses stay."""
    conclusion = _require(conclusion, "conclusion")
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
            at=None):
    """调解: the agreement signed by the parties (调解协议书), witnessed by the lawyer (第三十三条)."""
    with database.atomic():
        mediation = Mediation.create(petition=petition, parties=parties, mediator=mediator, lawyer=lawyer,
                                     place=place, agreement=agreement, signed_on=signed_on,
                                     judicial_confirmation=judicial_confirmation, recorded_by=getattr(by, "id", None))
        _apply("mediate", petition, by, note=place, at=at)
        return mediation
