"""登记他机关出具的文书: where another organ issued the opinion itself (县人民政府's 复查意见书, a department's own
信访处理意见书 under its 文号), the office records the organ, the 文号, the date and the scan instead of generating a
letter in that organ's name. The record stands in the archive for that letter: one in force a petition and kind,
voided with a reason like any other, never changed; a 处理意见书 recorded for a handled petition is its 答复.
"""
import datetime as dt

from .. import audit, documents, files
from ..db import database, now
from ..documents import KINDS, Document
from ..errors import N_, NotAllowed, ValidationError
from ..petition import Petition
from .letters import check_available, issuing_step, void
from .petitions import answer as take_answer

# The letters another organ may have issued: the opinions (第三十二至三十五条), never the office's own notices.
RECORDABLE = ("handling_opinion", "review_opinion", "recheck_opinion")


def _text(value, field, limit, missing):
    value = (value or "").strip()
    if not value:
        raise ValidationError(missing, field=field)
    if len(value) > limit:
        raise ValidationError(N_("At most %(limit)s characters."), field=field, limit=limit)
    return value


def record_issued_elsewhere(kind, petition, by, *, organ, number, issued_on, scan, office,
                            max_bytes=files.MAX_BYTES):
    """Record a letter of `kind` another organ issued: its organ, 文号 (as printed on it), date and scan (PDF, JPEG
    or PNG bytes, judged by content), archived by `office` (the Department that issues the office's letters).
    Audited; returns the Document.

    Raises ValidationError (a field: organ, number, issued_on, scan) for what is missing or wrong, NotAvailable when
    the petition cannot have this letter yet (a 复查意见书 before the 复查 opinion is recorded), NotAllowed when
    one is in force (void it first). A 处理意见书 recorded for a handled petition takes the 答复 step with it. All in
    one transaction: a refusal writes nothing."""
    if kind not in RECORDABLE:
        raise ValidationError(N_("Only a handling, review or re-examination opinion can be recorded as issued by "
                                 "another organ."), field="kind")
    organ = _text(organ, "organ", 100, N_("Give the organ that issued it."))
    number = _text(number, "number", 60, N_("Give its document number as printed on it."))
    if not isinstance(issued_on, dt.date):
        raise ValidationError(N_("Give the date it was issued."), field="issued_on")
    content_type = files.check_scan(scan, max_bytes)
    with database.atomic():
        petition = Petition.get_by_id(petition.id)  # as it is now, not as the caller saw it
        if issued_on > now().date():
            raise ValidationError(N_("The date it was issued cannot be later than today."), field="issued_on")
        if issued_on < petition.received_at.date():
            raise ValidationError(N_("The date it was issued cannot be earlier than the petition was received "
                                     "(%(date)s)."), field="issued_on", date=petition.received_at.date())
        if kind == "handling_opinion" and issuing_step(kind, petition) == "answer":
            petition = take_answer(petition, by)  # the department's own letter answers the petitioner
            in_force = documents.current(kind, petition)
            if in_force is not None:  # answered anew: the earlier letter stays on record, void
                void(in_force, by, documents.SUPERSEDED_REASON)
        check_available(kind, petition)
        in_force = documents.current(kind, petition)
        if in_force is not None:  # the one on record is corrected by voiding it, never by a second beside it
            raise NotAllowed(N_("The %(kind)s of this petition is on record already (%(number)s): void it first, "
                                "then record the right one. Nothing was recorded."), translate=("kind",),
                             kind=KINDS[kind], number=in_force.external_number or in_force.number)
        external = {"content_type": content_type, "external_organ": organ, "external_number": number,
                    "external_date": issued_on}
        document = documents.archive(kind, petition, office, lambda _number, _at: scan, by, numbered=False,
                                     external=external)
        audit.record("create", Document, document.id, by=by, summary=document.number, after={
            "kind": kind, "number": document.number, "petition": petition.id, "sha256": document.sha256,
            "external_organ": organ, "external_number": number, "external_date": issued_on.isoformat(),
            "content_type": content_type})
        return document

