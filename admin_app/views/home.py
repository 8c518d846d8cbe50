"""The home page: where the office stands today."""
import datetime as dt

from flask import current_app, url_for
from flask_babel import gettext
from peewee import fn

from models import deadlines, workflow
from models.casework import SESSIONS, DutyShift
from models.errors import N_
from models.people import Representative
from models.petition import STATUSES, Petition

from .. import i18n


def home_context(today=None):
    """Counts by status, with links to the filtered list; deadlines passed or near; who is on duty today."""
    today = today or dt.date.today()
    counts = dict(Petition.select(Petition.status, fn.COUNT(Petition.id)).group_by(Petition.status).tuples())
    status_index = filter_index(Petition.status)
    by_status = [
        {"label": i18n.choice_label(STATUSES, code), "count": counts.get(code, 0),
         "url": url_for("petition.index_view", **{"flt0_%d" % status_index: code})}
        for code, _ in STATUSES
    ]
    month_start = dt.datetime(today.year, today.month, 1)
    return {
        "today": today,
        "total": sum(counts.values()),
        "by_status": by_status,
        "new_this_month": Petition.select().where(Petition.received_at >= month_start).count(),
        "deadlines": deadline_counts(today),
        "on_duty": on_duty(today),
    }


def deadline_counts(today):
    """Open petitions whose present deadline has passed (已超期) or is DUE_SOON_DAYS away or less (即将到期)."""
    open_ = Petition.select().where(Petition.status.in_(workflow.OPEN) & Petition.due_on.is_null(False))
    soon = today + dt.timedelta(days=deadlines.DUE_SOON_DAYS)
    rows = []
    for msgid, css, where in ((N_("Overdue"), "text-overdue", Petition.due_on < today),
                              (N_("Due soon"), "text-due-soon", Petition.due_on.between(today, soon))):
        index = filter_index(Petition.due_on, msgid)
        rows.append({"label": gettext(msgid), "css": css, "count": open_.where(where).count(),
                     "url": url_for("petition.index_view", **{"flt0_%d" % index: 1}) if index is not None else None})
    return rows


def on_duty(today):
    """Today's representatives on duty, morning first, each with the link that starts a visit log."""
    shifts = (DutyShift.select(DutyShift, Representative).join(Representative)
              .where(DutyShift.on_date == today).order_by(DutyShift.session, Representative.name))
    return [{"session": i18n.choice_label(SESSIONS, shift.session), "name": shift.representative.name,
             "place": shift.place, "visit_url": url_for("dutyshift.visit_view", id=shift.id)} for shift in shifts]


def filter_index(column, name=None):
    """The position of the petition list's filter on a column (and of that name, a msgid, when given),
    for links to the filtered list; None when the list has no such filter."""
    view = current_app.extensions["office_views"]["petition"]
    for index, flt in enumerate(view._filters):
        if getattr(flt, "column", None) is column and (name is None or str(flt.name) == gettext(name)):
            return index
    if name is None:
        raise KeyError(column.name)
    return None
