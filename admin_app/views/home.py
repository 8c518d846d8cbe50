"""The home page: where the office stands today."""
import datetime as dt

from flask import url_for
from peewee import fn

from models.petition import STATUSES, Petition

from .. import i18n


def home_context(today=None):
    """Counts by status, with links to the filtered list, and this month's new petitions."""
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
    }


def filter_index(column):
    """The position of the petition list's filter on a column, for links to the filtered list."""
    from flask import current_app

    view = current_app.extensions["office_views"]["petition"]
    for index, flt in enumerate(view._filters):
        if getattr(flt, "column", None) is column:
            return index
    raise KeyError(column.name)
