"""更正办理时间: a step typed in with the wrong time (补录) corrected on a small form of the petition: the step,
the petition's timestamp it set and the deadlines that follow move together (models/workflow/backdating.py)."""
from flask import flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.form import SecureForm
from flask_babel import gettext, lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectField
from wtforms.validators import InputRequired

from models import access, workflow
from models.errors import DomainError
from models.petition import StepRecord
from models.workflow import backdating

from ... import i18n
from ..datefields import TypedDateTimeField


class StepTimeForm(SecureForm):
    step = SelectField(_l("Step"), coerce=int, validate_choice=True)
    at = TypedDateTimeField(_l("Done at"), validators=[InputRequired()])


class StepTimesMixin:
    """/admin/petition/step-time/?id=<petition>: the steps the user sees (not the registration, whose time is
    收到时间, corrected on the petition's form)."""

    def correctable_steps(self, petition):
        steps = access.visible(petition.steps, current_user.user, "steprecord")
        return list(steps.where(StepRecord.step != "register").order_by(StepRecord.at, StepRecord.id))

    @expose("/step-time/", methods=("GET", "POST"))
    def step_time_view(self):
        petition = self.get_one(request.args.get("id", ""))
        back = url_for(".details_view", id=petition.id)
        records = self.correctable_steps(petition)
        if not records:
            flash(gettext("The petition has no step to correct."), "error")
            return redirect(back)
        form = StepTimeForm(request.form if request.method == "POST" else None)
        form.step.choices = [(r.id, "%s %s" % (i18n.cn_datetime(r.at), gettext(workflow.STEPS.get(r.step, r.step))))
                             for r in records]
        if request.method == "POST" and form.validate():
            record = next(r for r in records if r.id == form.step.data)
            try:
                backdating.correct_step_time(record, form.at.data, current_user.user)
            except DomainError as err:
                self._show_error(form, err)
            else:
                flash(gettext("The time of the step was corrected; the deadlines follow from it."), "success")
                return redirect(back)
        elif request.method == "POST" and form.csrf_token.errors:
            flash(gettext("The form has expired; please try again."), "error")
        facts = [(gettext("Number"), petition.number), (gettext("Received"), i18n.cn_datetime(petition.received_at))]
        return self.render("admin/casework_form.html", form=form, title=gettext("Correct a step's time"), facts=facts,
                           cancel_url=back)
