"""登记他机关出具的文书, on the petition screen: where the organ that decided (县人民政府's 复查意见书, a department's
own 处理意见书) issued the letter itself, the clerk records its organ, 文号, date and scan instead of generating one
(models/workflow/recorded_letters.py). The record then stands in the petition's 文书 like a letter issued here."""
from flask import flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.form import SecureForm
from flask_babel import gettext, lazy_gettext as _l
from flask_login import current_user
from wtforms import FileField, StringField
from wtforms.validators import InputRequired, Length

from models.errors import DomainError
from models.submissions import AlreadySaved
from models.workflow import letters as letter_rules
from models.workflow.recorded_letters import record_issued_elsewhere

from ... import i18n, once
from ...letters import render as letters, scans
from ..datefields import TypedDateField
from .letters import kind_label, may_record, require


class RecordedLetterForm(SecureForm):
    organ = StringField(_l("Issuing organ"), validators=[InputRequired(), Length(max=100)])
    number = StringField(_l("Document number as printed"), validators=[InputRequired(), Length(max=60)],
                         render_kw={"placeholder": "高政复〔2026〕3号"})
    issued_on = TypedDateField(_l("Date issued"), validators=[InputRequired()])
    scan = FileField(_l("Scanned letter (PDF, JPEG or PNG)"), render_kw={"accept": ".pdf,.jpg,.jpeg,.png"})


class RecordedLettersMixin:
    """On PetitionView: /letter/record/ (the petition's 文书 section links to it beside 印发)."""

    @expose("/letter/record/", methods=("GET", "POST"))
    def letter_record_view(self):
        require("petition")
        petition, kind, record_id = self.letter_target()
        back = url_for(".details_view", id=petition.id)
        if record_id is not None or not may_record(kind, petition):
            flash(gettext("This letter cannot be recorded as issued by another organ."), "error")
            return redirect(back)
        try:
            letter_rules.check_available(kind, petition)
        except letter_rules.NotAvailable as reason:  # a 复查意见书 before the 复查 opinion is recorded
            flash(i18n.error_message(reason), "error")
            return redirect(back)
        organ = letters.organ_of(kind, petition).name  # who would issue it: the form starts with that name
        found = once.earlier() if request.method == "POST" else None
        if found is not None:  # saved already (a double click, or Back and 登记 again): admin_app/once.py
            return once.answer(found, back)
        form = once.with_token(RecordedLetterForm)(request.form if request.method == "POST" else None,
                                  data=None if request.method == "POST" else {"organ": organ})
        if request.method == "POST" and form.validate():
            upload = request.files.get("scan")
            data = upload.stream.read(scans.max_bytes() + 1) if upload else b""  # never more than the limit read
            try:
                with once.saving(request.endpoint) as submission:
                    document = record_issued_elsewhere(
                        kind, petition, current_user.user, organ=form.organ.data, number=form.number.data,
                        issued_on=form.issued_on.data, scan=data, office=letters.issuer(),
                        max_bytes=scans.max_bytes())
                    once.settle(submission, kind="petition", record_id=petition.id)
            except AlreadySaved as err:  # the same form, posted twice at once: the first one saved it
                return once.answer(err, back)
            except DomainError as err:
                field = form._fields.get(err.field) if err.field else None
                if field is not None:
                    field.errors = list(field.errors) + [i18n.error_message(err)]
                else:
                    flash(i18n.error_message(err), "error")
            else:
                flash(gettext("Recorded %(kind)s %(number)s issued by %(organ)s.", kind=kind_label(kind),
                              number=document.external_number, organ=document.external_organ), "success")
                return redirect(back)
        elif request.method == "POST" and form.csrf_token.errors:
            flash(gettext("The form has expired; please try again."), "error")
        return self.render("admin/recorded_letter_form.html", form=form, petition=petition, return_url=back,
                           title=gettext("Record a %(kind)s issued by another organ", kind=kind_label(kind)))
