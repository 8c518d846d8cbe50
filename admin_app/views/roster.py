"""坐诊日历 and 按月排班: the duty roster as a month calendar, and a month's roster made in one form.
The rule (working days, conflicts, all or nothing) is models/workflow/roster.py."""
import datetime as dt

from flask import flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_admin.form import SecureForm
from flask_babel import gettext, lazy_gettext as _l, ngettext
from flask_login import current_user
from wtforms import SelectMultipleField, StringField, widgets

from models import access
from models.casework import PLACES, SESSIONS, DutyShift
from models.errors import N_, DomainError, ValidationError
from models.people import Representative
from models.submissions import AlreadySaved
from models.workflow import roster

from .. import i18n, once
from .base import LoginRequired
from .home.worklist import may_record_visit

WEEKDAY_NAMES = (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"), _l("Saturday"),
                 _l("Sunday"))


class Checkboxes(SelectMultipleField):
    """A multiple choice drawn as a row of check boxes."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class RosterForm(SecureForm):
    month = StringField(_l("Month"), render_kw={"type": "month", "required": True})
    representatives = Checkboxes(_l("Representatives"), coerce=int)
    weekdays = Checkboxes(_l("Days of the week"), coerce=int,
                          choices=[(day, name) for day, name in enumerate(WEEKDAY_NAMES)], default=[0, 1, 2, 3, 4])
    sessions = Checkboxes(_l("Session"), default=["am", "pm"])
    place = StringField(_l("Place"), default=PLACES[0], render_kw={"list": "roster-places"})


def parse_month(value, default=None):
    """(year, month) of "2026-12", or default for anything else."""
    try:
        year, month = (int(part) for part in str(value or "").split("-"))
        dt.date(year, month, 1)
    except (TypeError, ValueError):
        return default
    return (year, month) if 2000 <= year <= 2100 else default


class RosterView(LoginRequired, BaseView):
    """The month calendar (read) and the month's roster form (create: the office's, see permissions.py)."""

    route_ops = {"index": "read", "create_view": "create"}

    @expose("/")
    def index(self):
        today = dt.date.today()
        year, month = parse_month(request.args.get("month"), (today.year, today.month))
        query = access.visible(DutyShift.select(DutyShift, Representative).join(Representative),
                               current_user.user, "dutyshift")
        weeks = [[self.cell(day, today) for day in week]
                 for week in roster.month_grid(year, month, roster.month_shifts(year, month, query))]
        before, after = roster.neighbours(year, month)
        return self.render("admin/roster_calendar.html", weeks=weeks, year=year, month=month,
                           title=gettext("Duty calendar of %(year)s-%(month)s", year=year, month=month),
                           weekdays=[str(name) for name in WEEKDAY_NAMES],
                           before_url=url_for(".index", month="%d-%02d" % before),
                           after_url=url_for(".index", month="%d-%02d" % after),
                           today_url=url_for(".index"),
                           create_url=url_for(".create_view", month="%d-%02d" % (year, month))
                           if self.permitted("create") else None)

    @staticmethod
    def cell(day, today):
        """A day of the calendar as the template draws it: its shifts with their 记录接访 links."""
        if day is None:
            return None
        halves = [(i18n.choice_label(SESSIONS, code), [
            {"name": shift.representative.name, "place": shift.place,
             "visit_url": url_for("dutyshift.visit_view", id=shift.id) if may_record_visit(shift) else None}
            for shift in day[code]]) for code, _ in SESSIONS]
        return {"day": day["date"].day, "date": day["date"].isoformat(), "working": day["working"],
                "today": day["date"] == today, "halves": halves}

    @expose("/new/", methods=("GET", "POST"))
    def create_view(self):
        form = once.with_token(RosterForm)(request.form if request.method == "POST" else None)
        form.representatives.choices = [(rep.id, rep.name) for rep in Representative.select().where(
            Representative.active).order_by(Representative.name)]
        form.sessions.choices = i18n.choices(SESSIONS)
        if request.method == "GET":
            today = dt.date.today()
            form.month.data = "%d-%02d" % parse_month(request.args.get("month"), (today.year, today.month))
        elif once.earlier() is not None:  # 排班 clicked twice, or Back and again: the roster is made once
            return once.answer(once.earlier(), url_for(".index", month=form.month.data or None))
        elif form.validate():
            try:
                made = self.make(form)
            except AlreadySaved as err:  # the same form posted at the same moment
                return once.answer(err, url_for(".index", month=form.month.data or None))
            if made is not None:
                flash(ngettext("%(num)s shift was put on the roster.", "%(num)s shifts were put on the roster.",
                               len(made)), "success")
                return redirect(url_for(".index", month=form.month.data))
        elif form.csrf_token.errors:
            flash(gettext("The form has expired; please try again."), "error")
        return self.render("admin/roster_form.html", form=form, places=PLACES,
                           cancel_url=url_for(".index", month=form.month.data or None))

    def make(self, form):
        """The shifts made, or None with the reason on its field (nothing is written then)."""
        month = parse_month(form.month.data)
        chosen = list(Representative.select().where(Representative.id.in_(form.representatives.data or [0]))
                      .order_by(Representative.name))
        try:
            if month is None:
                raise ValidationError(N_("Choose the month."), field="month")
            with once.saving(request.endpoint) as submission:
                made = roster.make_roster(month[0], month[1], chosen, form.weekdays.data, form.sessions.data,
                                          by=current_user.user, place=form.place.data)
                once.settle(submission, kind="dutyshift")  # a second post is answered with the month's list
            return made
        except AlreadySaved:
            raise
        except DomainError as err:
            message = i18n.error_message(err)
            field = getattr(form, err.field or "", None)
            if field is not None:
                field.errors = list(field.errors or []) + [message]
            flash(message, "error")
            return None
