"""The letters of a petition, on the petition screen: its 文书 section (the documents issued, the letters it
can have now), preview (草稿), issue (印发), and the bulk print of the list's selected petitions.

Issued documents are served, voided and reissued by the 文书 screen (documents.py). Which letters a petition
may have and when is models/workflow/letters.py; letters are made by admin_app/letters/; here a domain refusal
is a Chinese message and nothing is written.
"""
import logging
from urllib.parse import quote

from flask import Response, abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.form import SecureForm
from flask_admin.helpers import get_redirect_target
from flask_babel import gettext, lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectField

from models import access, files
from models.casework import Consultation, ConsultationPetition, Mediation, Referral
from models.delivery import METHODS, Delivery, needs_delivery
from models.documents import KINDS, ONE_A_RECORD, Document, void_reason_text
from models.documents import current as current_letter
from models.errors import DomainError
from models.petition import Petition
from models.supervision import Supervision
from models.workflow import letters as letter_rules
from models.workflow.recorded_letters import RECORDABLE

from ... import i18n, permissions
from ...letters import render as letters
from ..base import clean_ids

log = logging.getLogger(__name__)

# Every column of a document but its bytes: lists and pages never load the archived PDFs.
LIGHT_FIELDS = tuple(f for f in Document._meta.sorted_fields if f.name != "pdf")


def kind_label(kind):
    return gettext(KINDS[kind])


def may(endpoint, op="letter"):
    """May the user do `op` (letter: preview, issue, print, download) on this screen?"""
    return permissions.allowed(current_user.role, endpoint, op)


def require(endpoint, op="letter"):
    if not may(endpoint, op):
        abort(403)


def scoped(query, endpoint):
    """The rows of `query` the user may see (access.visible)."""
    return access.visible(query, current_user.user, endpoint)


def font_notice():
    """Where letters are issued: a warning when no Chinese TrueType font can be embedded, else None."""
    if letters.find_fonts().embedded:
        return None
    return gettext("No Chinese font was found to embed in the letters: their Chinese text uses a font that is "
                   "not embedded, so the computer that opens or prints them needs a Chinese font. Set "
                   "LETTER_FONT to the path of a Chinese font file (仿宋 or 宋体) to embed it.")


def flash_issued(issued):
    """Say which document numbers were issued (and, where it applies, that the font is not embedded)."""
    for document in issued:
        flash(gettext("Issued %(number)s (%(kind)s).", number=document.number, kind=kind_label(document.kind)),
              "success")
    notice = font_notice() if issued else None
    if notice:
        flash(notice, "warning")


def pdf_response(data, filename, inline=False, mimetype="application/pdf"):
    """PDF bytes (or a recorded scan's image) with a Chinese file name (RFC 6266 filename*), never cached
    (letters carry personal data), never sniffed as something else."""
    response = Response(bytes(data), mimetype=mimetype)
    response.headers["Content-Disposition"] = "%s; filename=\"letter%s\"; filename*=UTF-8''%s" % (
        "inline" if inline else "attachment", files.extension(mimetype), quote(filename, safe=""))
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def shown_number(document):
    """The number a document is known by: its 文号, or a letter another organ issued, that organ's 文号 and name."""
    if document.issued_elsewhere:
        return gettext("%(number)s (issued by %(organ)s)", number=document.external_number,
                       organ=document.external_organ)
    return document.number


def record_label(kind, record_id):
    """What a letter about one record is about: the department referred to, the mediation, the consultation."""
    if record_id is None:
        return ""
    if kind in letter_rules.REFERRAL_LETTERS:
        referral = Referral.get_or_none(Referral.id == record_id)
        return "%s %s" % (referral.department.name, i18n.cn_date(referral.sent_at)) if referral else ""
    if kind in letter_rules.SUPERVISION_LETTERS:
        supervision = Supervision.get_or_none(Supervision.id == record_id)
        return "%s %s" % (supervision.department.name, i18n.cn_date(supervision.started_at)) if supervision else ""
    if kind == "mediation_agreement":
        mediation = Mediation.get_or_none(Mediation.id == record_id)
        return "%s %s" % (i18n.cn_date(mediation.signed_on), mediation.parties) if mediation else ""
    consultation = Consultation.get_or_none(Consultation.id == record_id)
    return "%s %s" % (i18n.cn_datetime(consultation.held_at), consultation.place) if consultation else ""


def may_issue(kind, petition, current):
    """May the user issue the letter now (letter_rules.issuable), and take the step that issues it, if one does?"""
    step = letter_rules.issuing_step(kind, petition)
    return letter_rules.issuable(kind, petition, current) and (
        step is None or permissions.may_take_step(current_user.role, step))


def may_record(kind, petition):
    """May the user record this letter as issued elsewhere: one of RECORDABLE, and, where recording it is the 答复
    (a handled petition's 处理意见书), may take that step?"""
    step = letter_rules.issuing_step(kind, petition)
    return kind in RECORDABLE and (step is None or permissions.may_take_step(current_user.role, step))


def in_force(petition):
    """{(kind, record id): the latest document not voided} of a petition."""
    query = (Document.select(*LIGHT_FIELDS).where((Document.petition == petition) & Document.voided_at.is_null())
             .order_by(Document.id))
    return {(d.kind, d.record_id): d for d in query}


def delivery_cell(document, delivery):
    """送达 of a letter on the petition's page: 已送达（当面送达，2026年12月5日）, or the 登记送达 button (for who may
    issue letters); and its 送达回证. Nothing for a void letter nor one not delivered (the 会诊纪要)."""
    if document.is_void or not needs_delivery(document.kind):
        return {"delivery": None, "deliver_url": None, "receipt_url": None}
    receipt = url_for("document.delivery_receipt_view", id=document.id) if may("document") else None
    if delivery is not None:
        return {"delivery": gettext("Delivered (%(method)s, %(date)s)", method=i18n.choice_label(
            METHODS, delivery.method), date=i18n.cn_date(delivery.delivered_at)), "deliver_url": None,
            "receipt_url": receipt}
    return {"delivery": None, "deliver_url": url_for("document.delivery_view", id=document.id) if may("petition")
            else None, "receipt_url": receipt}


class PrintForm(SecureForm):
    kind = SelectField(_l("Kind of document"), choices=i18n.choices(KINDS.items()), default="handling_opinion")


class LettersMixin:
    """On PetitionView: /letter/preview/, /letter/issue/ and /letters/print/ (and the list's 打印文书 action)."""

    def letters_context(self, petition):
        """The 文书 section of the petition's page: what was issued, and what can be issued now."""
        issued, documents = [], []
        consulted = ConsultationPetition.select(ConsultationPetition.consultation).where(
            ConsultationPetition.petition == petition)  # its 会诊纪要 may be kept on another petition of the 会诊
        for document in (scoped(Document.select(*LIGHT_FIELDS), "document").where(
                (Document.petition == petition) | (Document.kind.in_(ONE_A_RECORD)
                                                   & Document.record_id.in_(consulted))).order_by(Document.id)):
            documents.append(document)
            issued.append({
                "number": shown_number(document), "kind": kind_label(document.kind), "record": record_label(
                    document.kind, document.record_id), "issued_on": i18n.cn_date(document.issued_at),
                "issued_by": str(document.issued_by) if document.issued_by_id else "",
                "void_reason": void_reason_text(document.void_reason, gettext) if document.is_void else None,
                "url": url_for("document.download_view", id=document.id),
                "details_url": url_for("document.details_view", id=document.id)})
        delivered = {d.document_id: d for d in Delivery.select().where(
            Delivery.document.in_([d.id for d in documents]))} if documents else {}
        for row, document in zip(issued, documents):
            row.update(delivery_cell(document, delivered.get(document.id)))
        available = []
        if may("petition"):
            current = in_force(petition)
            for kind, records in letter_rules.available(petition).records.items():
                for record_id in records:
                    if kind in ONE_A_RECORD:  # one letter for the whole 会诊: issued and printed on its page
                        available.append(self.meeting_letter(kind, record_id))
                        continue
                    document = current.get((kind, record_id))
                    target = dict(id=petition.id, kind=kind, record=record_id if record_id is not None else "")
                    elsewhere = document is not None and document.issued_elsewhere
                    available.append({
                        "kind": kind_label(kind), "record": record_label(kind, record_id),
                        "preview_url": url_for(".letter_preview_view", **target),
                        "issue_url": url_for(".letter_issue_view", **target) if may_issue(
                            kind, petition, document) else None,
                        "record_url": url_for(".letter_record_view", **target) if (
                            document is None or letter_rules.issuing_step(kind, petition)) and may_record(
                            kind, petition) else None,
                        "number": shown_number(document) if document else None,
                        "print_url": url_for("document.download_view", id=document.id, inline=1) if document else None,
                        "reissue_url": url_for("document.reissue_view", id=document.id) if document and not
                        elsewhere else None,  # a recorded letter is voided and recorded anew, never generated
                        "void_url": url_for("document.void_view", id=document.id) if elsewhere else None})
        return {"issued_documents": issued, "available_letters": available,
                "font_notice": font_notice() if available else None}

    def meeting_letter(self, kind, record_id):
        """The 会诊纪要 row of the petition's letters: its number when issued, and the way to the 会诊's page."""
        document = current_letter(kind, None, record_id)
        return {"kind": kind_label(kind), "record": record_label(kind, record_id), "number": document.number
                if document else None, "meeting_url": url_for("consultation.details_view", id=record_id)}

    def letter_target(self):
        """(petition, kind, record id) of a letter's URL; a Chinese 404 for an unknown one."""
        petition = self.get_one(request.args.get("id", ""))
        if not scoped(Petition.select(Petition.id), "petition").where(Petition.id == petition.id).exists():
            abort(404)
        kind, record = request.args.get("kind", ""), request.args.get("record", "")
        if kind not in KINDS or (record and not record.isdigit()):
            abort(404)
        record_id = int(record) if record else None
        try:
            records = letter_rules.records_for(kind, petition)
        except letter_rules.NotAvailable:
            return petition, kind, record_id  # the letter is refused with its reason
        if record_id not in records:
            abort(404)
        return petition, kind, record_id

    @expose("/letter/preview/")
    def letter_preview_view(self):
        """The draft (草稿) of a letter, shown in the browser; nothing is numbered or archived."""
        require("petition")
        petition, kind, record_id = self.letter_target()
        try:
            pdf = letters.preview(kind, petition, record_id)
        except DomainError as err:
            flash(i18n.error_message(err), "error")
            return redirect(url_for(".details_view", id=petition.id))
        except Exception:
            log.exception("the preview of a %s failed", kind)
            flash(gettext("The letter could not be made; nothing was changed."), "error")
            return redirect(url_for(".details_view", id=petition.id))
        return pdf_response(pdf, gettext("%(kind)s (draft).pdf", kind=kind_label(kind)), inline=True)

    @expose("/letter/issue/", methods=("POST",))
    def letter_issue_view(self):
        """印发: number, render and archive the letter; the 处理意见书 of a handled petition is the 答复 step."""
        require("petition")
        petition, kind, record_id = self.letter_target()
        back = url_for(".details_view", id=petition.id)
        if not SecureForm(request.form).validate():
            flash(gettext("The form has expired; please try again."), "error")
            return redirect(back)
        step = letter_rules.issuing_step(kind, petition)
        if step is not None:  # the 处理意见书 of a handled petition is the 答复: the step, with its permission
            if not permissions.may_take_step(current_user.role, step):
                abort(403)
            return self.run_step(step, [petition], {})
        issue_and_say(lambda: letters.issue_letter(kind, petition, current_user.user, record_id=record_id))
        return redirect(back)

    # -- the list: one PDF of the letters of the selected petitions ---------------------------------

    @action("print_letters", _l("Print letters"))
    def action_print_letters(self, ids):
        return redirect(url_for(".letters_print_view", ids=",".join(str(i) for i in clean_ids(ids)),
                                url=get_redirect_target()))  # the list as it was, to come back to

    @expose("/letters/print/", methods=("GET", "POST"))
    def letters_print_view(self):
        """Choose the kind; each petition's letter (archived, or issued now) in one PDF, and who was skipped."""
        require("petition")
        ids = clean_ids(request.args.get("ids", "").split(","))
        petitions = list(scoped(Petition.select().where(Petition.id.in_(ids)), "petition").order_by(Petition.id))
        if not petitions:
            flash(gettext("Select one or more petitions first."), "error")
            return redirect(url_for(".index_view"))
        form = PrintForm(request.form if request.method == "POST" else None,
                         data={"kind": request.args["kind"]} if request.args.get("kind") in KINDS else None)
        if request.method == "POST" and form.validate():
            try:  # each letter commits on its own (letters.print_batch); one that fails is listed as skipped
                pdf, printed, skipped = letters.print_batch(form.kind.data, petitions, current_user.user)
            except Exception:
                log.exception("printing %s letters failed", form.kind.data)
                flash(gettext("The letters could not be made; nothing was changed."), "error")
            else:
                return self.render("admin/print_result.html", kind=kind_label(form.kind.data), printed=[
                    (p.number, d.number) for p, d in printed], skipped=skipped, pages=letters.page_count(pdf)
                    if pdf else 0, download_url=url_for("document.merged_view", ids=",".join(
                        str(d.id) for _, d in printed)) if printed else None, font_notice=font_notice(),
                    return_url=get_redirect_target() or url_for(".index_view"))
        elif request.method == "POST" and form.csrf_token.errors:
            flash(gettext("The form has expired; please try again."), "error")
        return self.render("admin/step_form.html", form=form, petitions=petitions, step_label=gettext(
            "Print letters"), return_url=get_redirect_target() or url_for(".index_view"))


def issue_and_say(issue):
    """issue() -> Document, its number flashed; or the reason in Chinese, and nothing written."""
    try:
        document = issue()
    except DomainError as err:
        flash(i18n.error_message(err), "error")
        return None
    except Exception:
        log.exception("issuing a letter failed")
        flash(gettext("The letter could not be made; nothing was changed."), "error")
        return None
    flash_issued([document])
    return document
