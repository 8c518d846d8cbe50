"""The petition list's filters behind the 三率 (models/reports/rates.py): 三率口径 (one measure's condition) and
责任单位 (the department of the latest referral not objected to); the home page's figures link to them."""
import datetime as dt

from flask_admin.contrib.peewee.filters import BasePeeweeFilter
from flask_babel import lazy_gettext as _l

from models.organisation import Department
from models.reports import rates

from ..fields import rows_of

# The measures' names (the filter's options and the home page's words), in rates.MEASURES' keys.
MEASURE_LABELS = {
    "received": _l("Received in the period"),
    "acceptance_counted": _l("Due for an acceptance decision"),
    "timely": _l("Accepted or refused in time"),
    "handling_counted": _l("Due to be answered or closed"),
    "on_time": _l("Answered or closed on time"),
    "answered": _l("Answered"),
    "evaluated": _l("Evaluated by the petitioner"),
    "satisfied": _l("Satisfied or basically satisfied"),
    "closed": _l("Closed"),
    "resolved_once": _l("Resolved at once"),
    "repeat": _l("Repeat petitioning"),
    "department_counted": _l("Due from the department"),
    "department_on_time": _l("Replied on time by the department"),
    "department_overdue": _l("Overdue at the department"),
    "department_pending": _l("Within the department's limit"),
}


class RateFilter(BasePeeweeFilter):
    """三率口径: the petitions a measure counts (its condition as of today); with the 登记 dates of a period and
    not void, the list holds exactly the figure's petitions."""

    def __init__(self, column, name):
        super().__init__(column, name, options=tuple((key, label) for key, label in MEASURE_LABELS.items()
                                                     if key != "received"))

    def validate(self, value):
        return value in rates.MEASURES and value != "received"

    def apply(self, query, value):
        return query.where(rates.condition(value, dt.date.today()))

    def operation(self):
        return _l("equals")


class HandlerFilter(BasePeeweeFilter):
    """责任单位: the petitions whose latest referral not objected to went to this department."""

    def __init__(self, column, name):
        super().__init__(column, name, options=rows_of(Department))

    def get_options(self, view):
        return [(str(k), v) for k, v in self.options()]

    def validate(self, value):
        return str(value).isdigit()

    def apply(self, query, value):
        return query.where(rates.handled_by(int(value)))

    def operation(self):
        return _l("equals")
