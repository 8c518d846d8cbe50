"""The workflow steps on the petition screen: one form per step, for one petition or many at once.

A step is taken from the petition's page (a button) or from the list (an action on the selected rows).
Steps that need nothing more run at once; the others open a small form. Each petition goes through
models.workflow on its own, all or nothing; the page then says which were done and which were skipped, why.
"""
from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.form import SecureForm
from flask_admin.helpers import get_redirect_target
from flask_babel import gettext, lazy_gettext as _l, ngettext
from flask_login import current_user
from markupsafe import Markup
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, Optional

from models import workflow
from models.casework import (
    CONFIRMATION_STATES, EVALUATIONS, FOLLOW_UP_METHODS, HANDLERS, OUTCOMES, PARTICULARS_HELP, PLACES,
    REFERRAL_MODES,
)
from models.documents import KINDS, Document
from models.errors import N_, DomainError, ValidationError
from models.organisation import Department
from models.people import Team
from models.petition import CLASSIFICATIONS, Petition
from models.submissions import AlreadySaved
from models.workflow import guidance, studio
from models.workflow import letters as letter_rules

from ... import i18n, once, permissions
from ...letters import render as letters
from ..base import clean_ids
from ..consultations import REPRESENTATIVE_LOADER, MeetingForm, meeting_data, participant_rows
from ..datefields import TypedDateField, done_at
from ..fields import ActiveLoader, ScopedAjaxSelectField, filled, suggest_field
from .letters import flash_issued

# Loaders of the step forms' type-aheads, served by the petition view's ajax lookup.
STEP_LOADERS = {
    "step_department": ActiveLoader("step_department", Department, fields=(Department.name,)),
    "step_representative": REPRESENTATIVE_LOADER,
}


class WhenForm(SecureForm):
    """The steps without a form of their own (a button on the petition's page): only 办理时间, to back-date."""

    at = done_at()


class RejectForm(SecureForm):
    reason = TextAreaField(_l("Reason"), validators=[InputRequired()])
    legal_basis = StringField(_l("Legal basis"), validators=[InputRequired()],
                              default="《信访工作条例》第二十五条")
    at = done_at()


class ReferForm(SecureForm):
    department = ScopedAjaxSelectField(STEP_LOADERS["step_department"], _l("Department"), validators=[InputRequired()])
    mode = SelectField(_l("Mode"), choices=i18n.choices(REFERRAL_MODES), default="assign")
    due_on = TypedDateField(_l("Due date"), validators=[Optional()],
                       description=_l("Leave empty for the statutory handling limit; it cannot be later."))
    instructions = TextAreaField(_l("Instructions"))
    at = done_at()


def team_choices():
    return [("", "—")] + [(str(team.id), team.name) for team in Team.select().order_by(Team.id)]


class OwnResultForm(SecureForm):
    """自行办理: the office's (or its studio's) own result; the rule refuses a missing value on its field."""

    handled_by = SelectField(_l("Handled by"), choices=i18n.choices(HANDLERS), default="office")
    team = SelectField(_l("Team of the studio"), choices=team_choices, validators=[Optional()],
                       description=_l("When the studio handled it: leave empty for the petition's team."))
    outcome = SelectField(_l("Outcome"), choices=[("", "—")] + i18n.choices(OUTCOMES))
    facts = TextAreaField(_l("Facts"), render_kw={"rows": 4})
    opinion = TextAreaField(_l("Opinion"), render_kw={"rows": 4})
    legal_basis = TextAreaField(_l("Legal basis"), render_kw={"rows": 3})
    at = done_at()


def record_own_result(petition, data):
    team = Team.get_or_none(Team.id == int(data["team"])) if (data.get("team") or "").isdigit() else None
    return workflow.record_own_result(petition, by(), data["outcome"], data["facts"], data["opinion"],
                                      data["legal_basis"], handled_by=data["handled_by"], team=team,
                                      at=at_of(data))


class ClassifyForm(SecureForm):
    classification = SelectField(_l("Classification"), choices=i18n.choices(CLASSIFICATIONS[1:]))
    at = done_at()


ConveneForm = MeetingForm  # 会诊: the meeting form of the consultation screen (who took part, as rows)


class ExtendForm(SecureForm):
    days = IntegerField(_l("Days"), validators=[InputRequired(), NumberRange(min=1, max=30)], default=30)
    reason = TextAreaField(_l("Reason"), validators=[InputRequired()])
    approver = StringField(_l("Approved by"), validators=[InputRequired()])
    at = done_at()


class FollowUpForm(SecureForm):
    followed_on = TypedDateField(_l("Date"), validators=[InputRequired()])
    method = SelectField(_l("Method"), choices=i18n.choices(FOLLOW_UP_METHODS))
    evaluation = SelectField(_l("Evaluation"), choices=i18n.choices(EVALUATIONS))
    comments = TextAreaField(_l("Comments"))
    at = done_at()


class OpinionForm(SecureForm):
    opinion = TextAreaField(_l("Opinion"), validators=[InputRequired()])
    at = done_at()


class NoteForm(SecureForm):
    note = TextAreaField(_l("Note"), validators=[InputRequired()])
    at = done_at()


class VoidForm(SecureForm):
    reason = TextAreaField(_l("Reason"), validators=[InputRequired()])
    at = done_at()


class GroupForm(SecureForm):
    representative = ScopedAjaxSelectField(STEP_LOADERS["step_representative"], _l("Representative"),
                                     validators=[InputRequired()])
    town_officer = StringField(_l("Town petition officer"), validators=[InputRequired()])
    mediator = StringField(_l("People's mediator"), validators=[InputRequired()])
    lawyer = StringField(_l("Lawyer"), validators=[InputRequired()])
    at = done_at()


class MediateForm(SecureForm):
    committee = StringField(_l("Mediation committee"), validators=[filled],
                            render_kw={"placeholder": "高桥镇人民调解委员会"})
    parties = TextAreaField(_l("Parties"), validators=[InputRequired()])
    party_particulars = TextAreaField(_l("Parties' particulars"), validators=[filled],
                                      description=_l(PARTICULARS_HELP), render_kw={"rows": 3})
    dispute_facts = TextAreaField(_l("Facts of the dispute"), validators=[filled])
    disputed_matters = TextAreaField(_l("Matters in dispute"), validators=[filled])
    mediator = StringField(_l("Mediator"), validators=[InputRequired()])
    lawyer = StringField(_l("Witnessing lawyer"))
    place = suggest_field(_l("Place"), PLACES, validators=[InputRequired()])
    agreement = TextAreaField(_l("Agreement"), validators=[InputRequired()])
    signed_on = TypedDateField(_l("Signed on"), validators=[InputRequired()])
    judicial_confirmation = SelectField(_l("Judicial confirmation"), choices=i18n.choices(CONFIRMATION_STATES))
    at = done_at()


class NothingDone(Exception):
    """No petition took the step: the form's token is given back (its claim rolls back)."""


def by():
    return current_user.user


def step_label(name):
    return gettext(workflow.STEPS[name])


def at_of(data):
    """办理时间 as typed, or None (now): the one-click buttons and the list's actions send none."""
    return data.get("at")


def answer(petition, data):
    """答复: the step and its 信访处理意见书 in one transaction (models.workflow.letters.answer); a letter that
    fails to render writes nothing."""
    try:
        return letters.answer(petition, by(), at=at_of(data))
    except letters.RenderError:
        raise DomainError(N_("The letter could not be made; nothing was changed."))


# name: (form, call(petition, data) -> result, one petition only?); each takes the step at data["at"] (办理时间)
STEPS = {
    "accept": (None, lambda p, d: workflow.accept(p, by(), at=at_of(d)), False),
    "reject": (RejectForm, lambda p, d: workflow.reject(p, by(), d["reason"], d["legal_basis"], at=at_of(d)), False),
    "refer": (ReferForm, lambda p, d: workflow.refer(p, d["department"], by(), mode=d["mode"], due_on=d["due_on"],
                                                     instructions=d["instructions"], at=at_of(d)), False),
    "record_own_result": (OwnResultForm, record_own_result, True),
    "classify": (ClassifyForm, lambda p, d: workflow.classify(p, by(), d["classification"], at=at_of(d)), False),
    "extend": (ExtendForm, lambda p, d: workflow.extend(p, by(), d["days"], d["reason"], d["approver"], at=at_of(d)),
               False),
    "answer": (None, answer, False),
    "follow_up": (FollowUpForm, lambda p, d: workflow.follow_up(p, by(), d["followed_on"], d["method"],
                                                                 d["evaluation"], d["comments"], at=at_of(d)), False),
    "close": (None, lambda p, d: workflow.close(p, by(), at=at_of(d)), False),
    "request_review": (None, lambda p, d: workflow.request_review(p, by(), at=at_of(d)), False),
    "record_review": (OpinionForm, lambda p, d: workflow.record_review(p, by(), d["opinion"], at=at_of(d)), False),
    "request_recheck": (None, lambda p, d: workflow.request_recheck(p, by(), at=at_of(d)), False),
    "record_recheck": (OpinionForm, lambda p, d: workflow.record_recheck(p, by(), d["opinion"], at=at_of(d)), False),
    "void": (VoidForm, lambda p, d: workflow.void(p, by(), d["reason"], at=at_of(d)), False),
    "sign_off": (NoteForm, lambda p, d: workflow.sign_off(p, by(), d["note"], at=at_of(d)), False),
    "form_group": (GroupForm, lambda p, d: workflow.form_group(p, by(), d["representative"], d["town_officer"],
                                                                d["mediator"], d["lawyer"], at=at_of(d)), True),
    "mediate": (MediateForm, lambda p, d: workflow.mediate(
        p, by(), d["parties"], d["mediator"], d["place"], d["agreement"], d["signed_on"], d["lawyer"],
        d["judicial_confirmation"], at=at_of(d), committee=d["committee"], party_particulars=d["party_particulars"],
        dispute_facts=d["dispute_facts"], disputed_matters=d["disputed_matters"]), True),
}


# Steps that cannot be undone: confirmed first, naming the petitions (a page for the list's, a confirm() for a
# button of the petition's page; a POST of the step's form is the confirmation).
IRREVERSIBLE = ("accept", "close", "void")
# The letter the 条例 requires after a step (the petitioner is told of it): offered once the step is done.
LETTER_AFTER = {"accept": "acceptance_notice", "refer": "referral_notice"}


class StepsMixin:
    """The workflow on PetitionView: /admin/petition/step/<name>/?ids=1,2,3, the actions, the buttons."""

    def step_url(self, name, ids):
        """The step's page; from the list it carries the list's URL (filters, search) to come back to."""
        return url_for(".step_view", step=name, ids=",".join(str(i) for i in ids), url=get_redirect_target())

    def selected(self, ids):
        """The petitions with these ids that the user may see (the others are not there for them)."""
        return list(self.get_query().where(Petition.id.in_(clean_ids(ids))).order_by(Petition.id))

    @expose("/step/<step>/", methods=("GET", "POST"))
    def step_view(self, step):
        name = step
        if name not in STEPS and name != "convene":
            abort(404)
        if not permissions.may_take_step(current_user.role, name):
            abort(403)
        petitions = self.selected(request.values.get("ids", "").split(","))
        if not petitions:
            flash(gettext("Select one or more petitions first."), "error")
            return redirect(get_redirect_target() or url_for(".index_view"))
        form_class = ConveneForm if name == "convene" else STEPS[name][0]
        if name in STEPS and STEPS[name][2] and len(petitions) > 1:
            flash(gettext("This step is taken on one petition at a time."), "error")
            return redirect(self.return_to(petitions))
        # a button's step has 办理时间 alone (补录, now when not typed); every form is saved once (admin_app/once.py)
        form = once.with_token(form_class or WhenForm)(request.form, **self.step_defaults(name, petitions))
        if request.method == "POST" and form.validate():
            try:
                if name == "convene":
                    return self.convene(petitions, form)
                return self.run_step(name, petitions, form.data)
            except DomainError as err:  # a problem with the form's values, not with one petition
                self._show_error(form, err)
        elif request.method == "POST" and getattr(form, "csrf_token", None) is not None and form.csrf_token.errors:
            flash(gettext("The form has expired; please try again."), "error")
        refused = {p.id: self.refusal_text(name, p) for p in petitions} if name in workflow.ALLOWED else {}
        if request.method == "GET" and len(petitions) > 1 and refused and all(refused.values()):
            self.report(name, [], [(p, None) for p in petitions], refused)
            return redirect(self.return_to(petitions))
        return self.render("admin/step_form.html", form=form, petitions=petitions, step=name,
                           step_label=step_label(name), refused=refused,
                           confirm=name in IRREVERSIBLE, return_url=self.return_to(petitions))

    @staticmethod
    def step_defaults(name, petitions):
        """What a step's form is given first (a GET): the petitions' "1+3" group for 会诊 (its members) and for
        调解 (its mediator and lawyer)."""
        if request.method != "GET":
            return {}
        if name == "convene":
            return {"data": meeting_data(*studio.from_group(petitions))}
        if name == "mediate" and len(petitions) == 1:
            return {"data": studio.mediation_defaults(petitions[0])}
        return {}

    @staticmethod
    def refusal_text(name, petition):
        """Why the step cannot be taken on the petition now, in Chinese, or None."""
        why = guidance.reason(name, petition)
        return gettext(why) if why else None

    def return_to(self, petitions):
        """The list as it was when the step came from it (its filters, search and page: Flask-Admin's url), even
        for one row; else the petition's page (its buttons), or the list."""
        back = get_redirect_target()
        if back is None and len(petitions) == 1:
            return url_for(".details_view", id=petitions[0].id)
        return back or url_for(".index_view")

    def run_step(self, name, petitions, data):
        """Take the step on each petition, each all or nothing. When none went through because of a
        value of the form, the form is shown again with the message (nothing was written).
        The posted form is saved once: its token is claimed with the steps (a savepoint each), and the same
        form posted again on the same petitions is answered "already saved" (admin_app/once.py)."""
        call = STEPS[name][1]
        done, skipped, issued = [], [], []
        use = (name, ",".join(str(p.id) for p in petitions))  # an action form's token serves many uses
        found = once.earlier(*use)
        if found is not None:
            return once.answer(found, self.return_to(petitions))
        try:
            with once.saving(request.endpoint, *use) as submission:
                for petition in petitions:
                    try:
                        result = call(petition, data)
                        done.append(petition)
                    except DomainError as err:
                        skipped.append((petition, err))
                    else:
                        if isinstance(result, Document):
                            issued.append(result)
                if not done:
                    raise NothingDone()  # the token stays unclaimed: nothing was saved
                self.settle_step(submission, petitions)
        except AlreadySaved as err:
            return once.answer(err, self.return_to(petitions), *use)
        except NothingDone:
            pass
        if not done and skipped and all(isinstance(e, ValidationError) and e.field for _, e in skipped):
            raise skipped[0][1]
        self.report(name, done, skipped)
        flash_issued(issued)
        self.offer_letter(name, done)
        return redirect(self.return_to(petitions))

    def offer_letter(self, name, done):
        """After 受理 / 分诊, the letter the 条例 requires next: issue it (one petition) or print them (several)."""
        kind = LETTER_AFTER.get(name)
        if kind is None or not done or not permissions.allowed(current_user.role, "petition", "letter"):
            return
        label = gettext(KINDS[kind])
        text = gettext("Next, give the petitioner the %(kind)s.", kind=label)
        if len(done) > 1:
            url = url_for(".letters_print_view", ids=",".join(str(p.id) for p in done), kind=kind)
            flash(Markup('%s <a class="btn btn-sm btn-primary letter-offer" href="%s">%s</a>') % (
                text, url, gettext("Print the %(kind)s", kind=label)), "info")
            return
        petition = Petition.get_by_id(done[0].id)  # as the step left it
        try:
            record = letter_rules.records_for(kind, petition)[-1]
        except (DomainError, IndexError):
            return
        target = dict(id=petition.id, kind=kind, record=record if record is not None else "")
        flash(Markup('%s <form method="post" action="%s" class="d-inline letter-offer">'
                     '<input type="hidden" name="csrf_token" value="%s">'
                     '<button type="submit" class="btn btn-sm btn-primary">%s</button></form> '
                     '<a href="%s" target="_blank">%s</a>') % (
            text, url_for(".letter_issue_view", **target), SecureForm().csrf_token.current_token,
            gettext("Issue the %(kind)s", kind=label), url_for(".letter_preview_view", **target),
            gettext("Preview (draft)")), "info")

    def settle_step(self, submission, petitions):
        """The saved form's record for a second post: the petition, or the list for several."""
        once.settle(submission, kind="petition", record_id=petitions[0].id if len(petitions) == 1 else None)

    def convene(self, petitions, form):
        open_ones = [p for p in petitions if p.status in workflow.OPEN]
        skipped = [(p, DomainError(N_("The petition is no longer open."))) for p in petitions if p not in open_ones]
        if not open_ones:
            self.report("convene", [], skipped)
            return redirect(self.return_to(petitions))
        use = ("convene", ",".join(str(p.id) for p in petitions))
        found = once.earlier(*use)
        if found is not None:
            return once.answer(found, self.return_to(petitions))
        try:
            with once.saving(request.endpoint, *use) as submission:
                consultation = workflow.convene(open_ones, by(), form.held_at.data, form.place.data, form.agenda.data,
                                                form.representatives.data, participant_rows(form))
                once.settle(submission, consultation)
        except AlreadySaved as err:
            return once.answer(err, self.return_to(petitions), *use)
        self.report("convene", open_ones, skipped)
        return redirect(self.return_to(petitions))

    def report(self, name, done, skipped, refused=None):
        """Say what was done, and which petitions were skipped and why (`refused`: {id: reason} said before)."""
        label = step_label(name)
        if done:
            flash(ngettext("%(step)s: done for %(num)s petition.", "%(step)s: done for %(num)s petitions.",
                           len(done), step=label), "success")
        elif len(skipped) > 1:
            flash(gettext("%(step)s applies to none of the %(num)s selected petitions:", step=label,
                          num=len(skipped)), "error")
        for petition, err in skipped:
            reason = refused[petition.id] if refused else i18n.error_message(err)
            flash(gettext("%(number)s skipped: %(reason)s", number=petition.number, reason=reason), "warning")

    # -- the list's actions: the selected rows go to the step (its form first where it needs one) ---------

    def _action(self, name, ids):
        form_class = ConveneForm if name == "convene" else STEPS[name][0]
        if form_class is None and name not in IRREVERSIBLE:
            return self.run_step(name, self.selected(ids), {})
        return redirect(self.step_url(name, clean_ids(ids)))  # a form, or the page that asks to confirm

    @action("accept", _l("Accept"))
    def action_accept(self, ids):
        return self._action("accept", ids)

    @action("reject", _l("Do not accept"))
    def action_reject(self, ids):
        return self._action("reject", ids)

    @action("refer", _l("Refer to a department"))
    def action_refer(self, ids):
        return self._action("refer", ids)

    @action("classify", _l("Classify"))
    def action_classify(self, ids):
        return self._action("classify", ids)

    @action("convene", _l("Convene a consultation"))
    def action_convene(self, ids):
        return self._action("convene", ids)

    @action("extend", _l("Extend"))
    def action_extend(self, ids):
        return self._action("extend", ids)

    @action("answer", _l("Answer the petitioner"),
            _l("Answer the selected petitions and issue their handling opinions (信访处理意见书)?"))
    def action_answer(self, ids):
        return self._action("answer", ids)

    @action("follow_up", _l("Follow up"))
    def action_follow_up(self, ids):
        return self._action("follow_up", ids)

    @action("close", _l("Close"))
    def action_close(self, ids):
        return self._action("close", ids)

    @action("void", _l("Void the petition"))
    def action_void(self, ids):
        return self._action("void", ids)

    def step_buttons(self, petition):
        """(name, label, needs a form?, confirmation or None) of the steps allowed now, for the petition's page."""
        buttons = []
        for name in workflow.allowed_steps(petition):
            if name not in STEPS and name != "convene" or not permissions.may_take_step(current_user.role, name):
                continue
            form_class = ConveneForm if name == "convene" else STEPS[name][0]
            confirm = gettext("Confirm %(step)s of the petition %(number)s (%(subject)s)? It cannot be undone.",
                              step=step_label(name), number=petition.number,
                              subject=petition.subject) if name in IRREVERSIBLE else None
            buttons.append((name, step_label(name), form_class is not None, confirm))
        return buttons

    def step_guidance(self, petition):
        """The petition page's "下一步：…" line, and (label, reason) of the steps the role could take in another
        state but not now (greyed buttons)."""
        found = guidance.guidance(petition)
        steps = "、".join(step_label(s) for s in found.next_steps)
        line = gettext("Next: %(steps)s. %(why)s", steps=steps, why=gettext(found.why)) if steps else gettext(
            "Next: %(why)s", why=gettext(found.why))
        greyed = [(step_label(s), gettext(why)) for s, why in found.reasons.items()
                  if (s in STEPS or s == "convene") and permissions.may_take_step(current_user.role, s)]
        return {"next_step": line, "greyed_steps": greyed}
