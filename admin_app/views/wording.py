"""文书措辞 (系统 → 文书措辞): the kinds of letter and their wording in force; an editor per kind with its named
fields, a live preview on a real petition (text, or the draft PDF: nothing numbered or archived), save as a new
version, and the history with revert to any version or to the built-in default. The versions are
models/wording.py, the sandbox and the fields admin_app/letters/wording.py."""
import logging

from flask import abort, flash, jsonify, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_admin.form import SecureForm
from flask_babel import gettext
from flask_login import current_user

from models import access, wording as versions
from models.documents import KINDS
from models.errors import N_, DomainError
from models.petition import Petition
from models.workflow import letters as letter_rules

from .. import i18n
from ..letters import render as letters, wording as letter_wording
from .base import LoginRequired
from .petitions.letters import pdf_response

log = logging.getLogger(__name__)
CANDIDATES = 10  # petitions offered for the preview
SCANNED = 300  # the latest petitions looked at to find them


def kind_title(kind):
    return gettext(KINDS[kind])


def version_label(row):
    """第3版, or 内置措辞 for the built-in default."""
    if row is None or row.is_builtin:
        return gettext("Built-in wording")
    return gettext("Version %(number)d", number=row.number)


class WordingView(LoginRequired, BaseView):
    """The list of kinds (read), the editor (read), and its writes and previews (edit): see permissions.py."""

    route_ops = {"index": "read", "kind_view": "read", "save_view": "edit", "revert_view": "edit",
                 "preview_view": "edit", "preview_pdf_view": "edit"}

    @expose("/")
    def index(self):
        rows = []
        for kind in KINDS:
            row = versions.current(kind) if letter_wording.worded(kind) else None
            rows.append({"kind": kind, "title": kind_title(kind), "editable": letter_wording.worded(kind),
                         "version": version_label(row) if letter_wording.worded(kind) else "",
                         "changed": i18n.cn_datetime(row.created_at) if row is not None else "",
                         "by": str(row.created_by) if row is not None and row.created_by_id else "",
                         "url": url_for(".kind_view", kind=kind)})
        return self.render("admin/wording_list.html", rows=rows)

    def kind_arg(self):
        kind = request.args.get("kind") or next(iter(letter_wording.FIELDS))
        if not letter_wording.worded(kind):
            abort(404)
        return kind

    @expose("/kind/")
    def kind_view(self):
        kind = self.kind_arg()
        current = versions.current(kind)
        source = current.source if current is not None and not current.is_builtin else letter_wording.builtin(kind)
        source = source.rstrip("\n")  # the cursor at its end is at the end of its last paragraph
        return self.editor(kind, source, request.args.get("petition", ""), current)

    def editor(self, kind, source, petition_number, current, note=""):
        """The editor page of a kind, with this source in the text area (as posted, when a save was refused)."""
        candidates = self.candidates(kind)
        if not petition_number and candidates:
            petition_number = candidates[0]["number"]
        preview = self.preview_text(kind, source, petition_number)
        history = [{"number": row.number, "label": version_label(row), "at": i18n.cn_datetime(row.created_at),
                    "by": str(row.created_by) if row.created_by_id else "", "note": row.note or "",
                    "what": self.what(row), "in_force": current is not None and row.id == current.id}
                   for row in versions.history(kind)]
        fields = [(name, gettext(description)) for name, (_, description) in letter_wording.fields(kind).items()]
        return self.render("admin/wording_edit.html", kind=kind, title=kind_title(kind), source=source, note=note,
                           expected=current.number if current is not None else 0, fields=fields, history=history,
                           builtin_in_force=current is None or current.is_builtin, current=version_label(current),
                           candidates=candidates, petition=petition_number, preview=preview,
                           may_edit=self.permitted("edit"), csrf=SecureForm().csrf_token,
                           kinds=[(k, kind_title(k)) for k in letter_wording.FIELDS])

    @staticmethod
    def what(row):
        if row.restores == 0:
            return gettext("Built-in wording restored")
        if row.restores:
            return gettext("Version %(number)d restored", number=row.restores)
        return gettext("New wording")

    def visible_petitions(self):
        return access.visible(Petition.select(), current_user.user, "petition")

    def candidates(self, kind):
        """Up to CANDIDATES of the latest petitions the user may see that can have this letter now."""
        found = []
        for petition in self.visible_petitions().order_by(Petition.id.desc()).limit(SCANNED):
            try:
                letter_rules.records_for(kind, petition)
            except letter_rules.NotAvailable:
                continue
            found.append({"number": petition.number, "label": "%s %s %s" % (
                petition.number, petition.petitioner.name if petition.petitioner_id else "", petition.subject)})
            if len(found) == CANDIDATES:
                break
        return found

    def target(self, kind, number):
        """(petition, record id) of the preview; DomainError when the petition cannot have the letter; 404 when
        the user may not see it or it is unknown."""
        petition = self.visible_petitions().where(Petition.number == (number or "").strip()).first()
        if petition is None:
            return None, None
        records = letter_rules.records_for(kind, petition)
        return petition, records[-1]

    def preview_text(self, kind, source, number):
        """{title, addressee, paragraphs, organ, date} of the letter with this wording, or {error}."""
        try:
            petition, record_id = self.target(kind, number)
            if petition is None:
                return {"error": gettext("Choose a petition to preview the letter on.")}
            values = letters.letter_values(kind, petition, record_id, gettext("(draft, no number yet)"),
                                           letters.now(), letter_wording.Wording(kind, source))
            text = values["wording"].text(values)
        except DomainError as err:
            return {"error": i18n.error_message(err)}
        return {"title": values["title"], "number": values["number"], "addressee": values["petitioner"] + "：",
                "paragraphs": [line.strip() for line in text.split("\n") if line.strip()],
                "organ": values["organ"], "date": values["date"]}

    def posted(self):
        """The posted form's CSRF check; 400 answered by the caller."""
        return SecureForm(request.form).validate()

    @expose("/preview/", methods=("POST",))
    def preview_view(self):
        kind = self.kind_arg()
        if not self.posted():
            return jsonify({"error": gettext("The form has expired; please try again.")}), 400
        source = request.form.get("source", "")
        if len(source) > versions.MAX_SOURCE:
            return jsonify({"error": gettext("The wording is too long: at most %(limit)d characters (it has "
                                             "%(count)d).", limit=versions.MAX_SOURCE, count=len(source))})
        return jsonify(self.preview_text(kind, source, request.form.get("petition", "")))

    @expose("/preview.pdf", methods=("POST",))
    def preview_pdf_view(self):
        """The draft PDF (草稿) of the letter with the wording in the editor: not numbered, not archived."""
        kind = self.kind_arg()
        source, number = request.form.get("source", ""), request.form.get("petition", "")
        if not self.posted():
            flash(gettext("The form has expired; please try again."), "error")
        else:
            try:
                petition, record_id = self.target(kind, number)
                if petition is None:
                    raise letter_rules.NotAvailable(N_("Choose a petition to preview the letter on."))
                pdf = letters.preview(kind, petition, record_id, letter_wording.Wording(kind, source))
                return pdf_response(pdf, gettext("%(kind)s (draft).pdf", kind=kind_title(kind)), inline=True)
            except DomainError as err:
                flash(i18n.error_message(err), "error")
            except Exception:
                log.exception("the preview of a %s wording failed", kind)
                flash(gettext("The letter could not be made; nothing was changed."), "error")
        return self.editor(kind, source, number, versions.current(kind))

    @expose("/save/", methods=("POST",))
    def save_view(self):
        kind = self.kind_arg()
        source, note = request.form.get("source", ""), request.form.get("note", "")
        if not self.posted():
            flash(gettext("The form has expired; please try again."), "error")
            return self.editor(kind, source, request.form.get("petition", ""), versions.current(kind), note)
        try:
            row = versions.save(kind, source, current_user.user, check=letter_wording.check, note=note,
                                expected=self.expected())
        except DomainError as err:
            flash(i18n.error_message(err), "error")
            return self.editor(kind, source, request.form.get("petition", ""), versions.current(kind), note)
        flash(gettext("Saved as version %(number)d: letters issued from now on use it.", number=row.number),
              "success")
        return redirect(url_for(".kind_view", kind=kind, petition=request.form.get("petition") or None))

    @expose("/revert/", methods=("POST",))
    def revert_view(self):
        kind = self.kind_arg()
        back = url_for(".kind_view", kind=kind)
        if not self.posted():
            flash(gettext("The form has expired; please try again."), "error")
            return redirect(back)
        number = request.form.get("number", "")
        if not number.isdigit() or len(number) > 9:
            abort(400)
        try:
            row = versions.revert(kind, int(number), current_user.user, check=letter_wording.check,
                                  note=request.form.get("note", ""), expected=self.expected())
        except DomainError as err:
            flash(i18n.error_message(err), "error")
            return redirect(back)
        flash(gettext("Saved as version %(number)d: letters issued from now on use it.", number=row.number),
              "success")
        return redirect(back)

    @staticmethod
    def expected():
        value = request.form.get("expected", "")
        return int(value) if value.isdigit() and len(value) < 10 else None
