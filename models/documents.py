"""文书: every letter issued, numbered (高信访〔2022〕12号) and archived as issued (bytes and SHA-256).

A letter is rendered elsewhere (admin_app/letters/) and issued, voided and audited by models/workflow/letters.py,
which checks the rules first; here are its kinds, its number and its archive. An issued letter is never
changed: a wrong one is voided with a reason and a new one issued.
"""
import hashlib

from peewee import BlobField, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField, IntegrityError, TextField

from .db import BaseModel, database, now
from .errors import N_, NotAllowed, ValidationError
from .organisation import Department
from .people import User
from .petition import Petition, next_number

# kind: (title, who it goes to). The order is the order of a petition's life.
KINDS = {
    "acceptance_notice": N_("Notice of acceptance"),  # 受理告知书
    "rejection_notice": N_("Notice of non-acceptance"),  # 不予受理告知书
    "referral_notice": N_("Notice of referral"),  # 转送（交办）告知书
    "transfer_letter": N_("Transfer letter"),  # 转送函, to the department of a 转送 (no 办结报告)
    "assignment_sheet": N_("Assignment sheet"),  # 交办单, to the department of a 交办 (deadline, 办结报告, 版记)
    "extension_notice": N_("Notice of extension"),  # 延期办理告知书
    "handling_opinion": N_("Handling opinion"),  # 信访处理意见书
    "review_opinion": N_("Review opinion"),  # 复查意见书
    "recheck_opinion": N_("Re-examination opinion"),  # 复核意见书
    "mediation_agreement": N_("Mediation agreement"),  # 调解协议书
    "consultation_minutes": N_("Consultation minutes"),  # 会诊纪要
    "supervision_sheet": N_("Supervision sheet"),  # 督办单, to the department of a 督办 (its new deadline, a reply)
}


class Document(BaseModel):
    """One issued letter: its number, its bytes as issued, who issued it, and whether it was voided."""

    verbose_name = N_("Document")

    kind = CharField(max_length=30, index=True)
    petition = ForeignKeyField(Petition, backref="documents", on_delete="RESTRICT")
    issuer = ForeignKeyField(Department, backref="documents", on_delete="RESTRICT")
    number = CharField(max_length=40, unique=True)  # 高信访〔2022〕12号
    prefix = CharField(max_length=20)
    year = IntegerField()
    sequence = IntegerField()
    record_id = IntegerField(null=True)  # the referral, mediation or consultation it is about
    pdf = BlobField()
    sha256 = CharField(max_length=64)
    font_embedded = CharField(max_length=100, null=True)  # the font's file name, or None for STSong-Light
    issued_at = DateTimeField(default=now, index=True)
    issued_by = ForeignKeyField(User, null=True, backref="documents", on_delete="RESTRICT")
    voided_at = DateTimeField(null=True)
    void_reason = TextField(null=True)
    voided_by = ForeignKeyField(User, null=True, backref="voided_documents", on_delete="RESTRICT")
    replaces = ForeignKeyField("self", null=True, backref="replaced_by", on_delete="RESTRICT")
    wording_version = IntegerField(null=True)  # the version of its kind's wording it used (None: built-in)
    # A letter another organ issued, which the office records with its scan instead of generating one
    # (models/workflow/recorded_letters.py): the organ, its 文号 and date as issued; `pdf` holds the scan as sent
    # (PDF, JPEG or PNG: content_type).
    content_type = CharField(max_length=40, default="application/pdf")
    external_organ = CharField(max_length=100, null=True)
    external_number = CharField(max_length=60, null=True)
    external_date = DateField(null=True)

    def save(self, *args, **kwargs):
        if self._pk is not None and self.is_dirty() and set(self.dirty_fields) - {
                Document.voided_at, Document.void_reason, Document.voided_by}:
            raise NotAllowed(N_("An issued document is never changed; void it and issue a new one."))
        return super().save(*args, **kwargs)

    @property
    def issued_elsewhere(self):
        return self.external_organ is not None

    @property
    def is_void(self):
        return self.voided_at is not None

    def __str__(self):
        return self.number


# Letters about a record shared by several petitions: one letter in force for the record, whichever petition it
# is asked from (a 会诊 on two petitions has one 会诊纪要, one number), kept on the record's first petition.
ONE_A_RECORD = ("consultation_minutes",)
# ...enforced by the database too (installed by the schema upgrade that found two, install_record_index).
RECORD_INDEX = "document_record_once"
RECORD_INDEX_SQL = ("CREATE UNIQUE INDEX IF NOT EXISTS %s ON document (kind, record_id) "
                    "WHERE voided_at IS NULL AND kind = 'consultation_minutes'" % RECORD_INDEX)
DOUBLE_MINUTES_REASON = N_("Issued a second time from another petition of the same consultation; voided when the "
                           "database was upgraded. The earlier minutes stay in force.")

# One live (not voided) document per petition, kind and record, enforced by the database (schema version 10,
# install_live_index). A letter about the petition itself has no record id: COALESCE makes those rows collide too
# (NULLs never do in a unique index). Record ids are positive, so -1 is no record.
LIVE_INDEX = "document_live_once"
LIVE_INDEX_SQL = ("CREATE UNIQUE INDEX IF NOT EXISTS %s ON document (petition_id, kind, COALESCE(record_id, -1)) "
                  "WHERE voided_at IS NULL" % LIVE_INDEX)
# The void reason of a duplicate the upgrade found (stored as this msgid; screens translate it, void_reason_text).
DUPLICATE_REASON = N_("Issued twice by mistake (two clerks at the same moment); voided when the database was "
                      "upgraded. The earlier document stays in force.")
SUPERSEDED_REASON = N_("Superseded by the handling opinion issued with the new answer.")
SYSTEM_REASONS = (DUPLICATE_REASON, SUPERSEDED_REASON, DOUBLE_MINUTES_REASON)


class AlreadyIssued(NotAllowed):
    """The letter is in force already (issued by someone else, perhaps a moment ago): `document` is that one."""

    def __init__(self, document):
        super().__init__(N_("%(number)s is already issued: print it, or void it and issue a new one."),
                         number=document.number)
        self.document = document


def live_duplicates():
    """[(kept, [voided later])]: documents in force twice for one petition, kind and record; the oldest is kept."""
    groups = {}
    query = Document.select(*(f for f in Document._meta.sorted_fields if f.name != "pdf")).where(
        Document.voided_at.is_null()).order_by(Document.id)
    for document in query:
        groups.setdefault((document.petition_id, document.kind, document.record_id), []).append(document)
    return [(found[0], found[1:]) for found in groups.values() if len(found) > 1]


def install_live_index(db, record=None):
    """Schema version 10: the unique index of the live documents. Documents the race of two issuers left in force
    twice are voided first (the oldest stays in force), with DUPLICATE_REASON: voiding, not refusing the upgrade,
    because every office that met the race has them and could not remove them itself; a voided document keeps its
    number and bytes on record, so nothing issued is lost. record(document, kept) is called for each one voided
    (the caller's audit entry). Returns the documents voided."""
    voided = []
    at = now()
    for kept, later in live_duplicates():
        for document in later:
            (Document.update(voided_at=at, void_reason=DUPLICATE_REASON, version=Document.version + 1)
             .where(Document.id == document.id).execute())
            voided.append(document)
            if record is not None:
                record(document, kept)
    db.execute_sql(LIVE_INDEX_SQL)
    return voided


def install_record_index(db, record=None):
    """The unique index of RECORD_INDEX. A consultation whose minutes were issued from each of its petitions
    (before one letter a record) keeps the earliest in force; the later ones are voided with
    DOUBLE_MINUTES_REASON (their numbers and bytes stay on record), record(document, kept) called for each (the
    caller's audit entry). Returns the documents voided."""
    voided, kept = [], {}
    at = now()
    query = Document.select(*(f for f in Document._meta.sorted_fields if f.name != "pdf")).where(
        Document.voided_at.is_null() & Document.kind.in_(ONE_A_RECORD)).order_by(Document.id)
    for document in query:
        first = kept.setdefault((document.kind, document.record_id), document)
        if first is document:
            continue
        (Document.update(voided_at=at, void_reason=DOUBLE_MINUTES_REASON, version=Document.version + 1)
         .where(Document.id == document.id).execute())
        voided.append(document)
        if record is not None:
            record(document, first)
    db.execute_sql(RECORD_INDEX_SQL)
    return voided


def format_number(prefix, year, sequence):
    """高信访〔2022〕12号: 〔〕 brackets, no leading zeros."""
    return "%s〔%d〕%d号" % (prefix, year, sequence)


# A letter the office drafts in the name of an organ not on record (a 复查/复核意见书 of 市人民政府), and the 调解协议书
# (the mediation committee's document), bear no 文号: archived under a registration number of the petition's
# (XF-2022-000001-复核1, XF-2022-000001-调解1), never printed on it.
REGISTRATION = {"review_opinion": "复查", "recheck_opinion": "复核", "mediation_agreement": "调解",
                "handling_opinion": "处理"}


def registration_number(kind, petition):
    """(number, sequence) of an unnumbered letter: the petition's number, the kind and its count of that kind."""
    sequence = Document.select().where((Document.petition == petition) & (Document.kind == kind)).count() + 1
    return "%s-%s%d" % (petition.number, REGISTRATION.get(kind, kind), sequence), sequence


def archive(kind, petition, issuer, pdf_bytes_for, by, at=None, record_id=None, replaces=None, font=None,
            numbered=True, wording_version=None, external=None):
    """Give the letter its number, render it with that number (pdf_bytes_for(number, at) -> bytes), archive it.

    numbered False: the letter bears no 文号 (pdf_bytes_for gets ""), archived under its registration_number, the
    issuer being the office that drafted it. external: the columns of a letter another organ issued (its scan is
    what pdf_bytes_for returns; see models/workflow/recorded_letters.py).

    All in one transaction: a failed rendering takes no number. Raises AlreadyIssued when the letter is in force:
    decided once the number series is locked (a second issuer waits for the first, then sees its letter), and
    enforced by the database's LIVE_INDEX; either way the number goes back to the series (no gap). Unchecked and
    unaudited: issue letters through models.workflow.letters."""
    if kind not in KINDS:
        raise ValidationError(N_("Unknown kind of letter."), field="kind")
    if numbered and not issuer.short_name:
        raise ValidationError(N_("The issuing organ %(name)s has no short name for document numbers."),
                              field="issuer", name=issuer.name)
    at = at or now()
    try:
        with database.atomic():
            if numbered:
                sequence = next_number(issuer.short_name, at.year)  # locks the series until the transaction ends
            in_force = current(kind, petition, record_id)
            if in_force is not None:
                raise AlreadyIssued(in_force)
            if numbered:
                number, prefix = format_number(issuer.short_name, at.year, sequence), issuer.short_name
                pdf = pdf_bytes_for(number, at)
            else:
                (number, sequence), prefix = registration_number(kind, petition), petition.number
                pdf = pdf_bytes_for("", at)
            return Document.create(
                kind=kind, petition=petition, issuer=issuer, number=number, prefix=prefix, year=at.year,
                sequence=sequence, record_id=record_id, pdf=pdf, sha256=hashlib.sha256(pdf).hexdigest(),
                font_embedded=font, issued_at=at, issued_by=getattr(by, "id", None),
                replaces=replaces.id if replaces is not None else None, wording_version=wording_version,
                **(external or {}))
    except IntegrityError:  # another series (another issuer or year) issued it meanwhile: LIVE_INDEX refused ours
        in_force = current(kind, petition, record_id)
        if in_force is None:
            raise
        raise AlreadyIssued(in_force) from None


def mark_void(document, by, reason, at=None):
    """Mark an issued letter void with a reason; its number and bytes stay on record (unaudited: void letters
    through models.workflow.letters)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(N_("Give the reason for voiding."), field="reason")
    with database.atomic():
        document = Document.get_by_id(document.id)
        if document.is_void:
            raise NotAllowed(N_("This document is already void."))
        document.voided_at, document.void_reason, document.voided_by = at or now(), reason, getattr(by, "id", None)
        document.save()
        return document


def current(kind, petition, record_id=None):
    """The letter of this kind in force for the petition (not voided), or None; of a kind in ONE_A_RECORD, the
    record's letter whichever of its petitions it is kept on."""
    query = Document.select().where((Document.kind == kind) & Document.voided_at.is_null())
    if kind in ONE_A_RECORD and record_id is not None:
        return query.where(Document.record_id == record_id).order_by(Document.id.desc()).first()
    query = query.where(Document.petition == petition)
    if record_id is not None:
        query = query.where(Document.record_id == record_id)
    return query.order_by(Document.id.desc()).first()


def void_reason_text(reason, translate):
    """A void reason as shown: the reasons the system writes (SYSTEM_REASONS) translated, people's as written."""
    return translate(reason) if reason in SYSTEM_REASONS else reason


def verify(document):
    """True when the archived bytes still match their SHA-256."""
    return hashlib.sha256(bytes(document.pdf)).hexdigest() == document.sha256
