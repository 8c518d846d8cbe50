"""送达: record how and when an issued letter was delivered (models/delivery.py), once a letter, audited."""
from peewee import IntegrityError

from .. import audit
from ..casework import Referral
from ..db import database, now
from ..delivery import METHODS, TO_DEPARTMENT, Delivery, needs_delivery
from ..documents import Document
from ..errors import N_, NotAllowed, ValidationError
from ..petition import FUTURE_TOLERANCE
from ..supervision import Supervision


def default_recipient(document):
    """受送达人 by default: the department of a 交办单's referral, else the petitioner's name."""
    if document.kind == "supervision_sheet" and document.record_id is not None:
        supervision = Supervision.get_or_none(Supervision.id == document.record_id)
        if supervision is not None:
            return supervision.department.name
    if document.kind in TO_DEPARTMENT and document.record_id is not None:
        referral = Referral.get_or_none(Referral.id == document.record_id)
        if referral is not None:
            return referral.department.name
    return document.petition.petitioner.name if document.petition.petitioner_id else ""


def delivery_of(document):
    """The delivery recorded for the document, or None."""
    return Delivery.get_or_none(Delivery.document == document.id)


def record_delivery(document, by, method, delivered_at=None, recipient=None, note=None):
    """送达 of an issued letter: the method (METHODS), when (default now; 补录: an earlier time, never before the
    letter was issued nor in the future), to whom (default default_recipient), a note.

    Raises ValidationError on the field of a missing or wrong value; NotAllowed when the letter is not delivered
    to anyone (NOT_DELIVERED), is void, or was delivered already (another clerk a moment ago)."""
    if method not in dict(METHODS):
        raise ValidationError(N_("Choose how the letter was delivered."), field="method")
    delivered_at = (delivered_at or now()).replace(microsecond=0)
    note = (note or "").strip() or None
    try:
        with database.atomic():
            current = Document.select(*(f for f in Document._meta.sorted_fields if f.name != "pdf")).where(
                Document.id == document.id).get()
            if not needs_delivery(current.kind):
                raise NotAllowed(N_("This document is an internal record and is not delivered."))
            if current.is_void:
                raise NotAllowed(N_("A void document cannot be delivered."))
            if delivery_of(current) is not None:
                raise NotAllowed(N_("This document has already been delivered."))
            if delivered_at > now() + FUTURE_TOLERANCE:
                raise ValidationError(N_("The delivery cannot be dated in the future."), field="delivered_at")
            if delivered_at < current.issued_at.replace(microsecond=0):
                raise ValidationError(N_("The delivery cannot be before the document was issued (%(date)s %(time)s)."),
                                      field="delivered_at", date=current.issued_at.date(),
                                      time=current.issued_at.strftime("%H:%M"))
            recipient = (recipient or "").strip() or default_recipient(current)
            if not recipient:
                raise ValidationError(N_("Enter the recipient."), field="recipient")
            delivery = Delivery.create(document=current.id, method=method, delivered_at=delivered_at,
                                       recipient=recipient[:100], note=note, recorded_at=now(),
                                       recorded_by=getattr(by, "id", None))
            audit.record("create", delivery, delivery.id, by=by, summary=current.number,
                         after=audit.snapshot(delivery))
            return delivery
    except IntegrityError:  # the unique document: another clerk recorded its delivery a moment ago
        raise NotAllowed(N_("This document has already been delivered.")) from None
