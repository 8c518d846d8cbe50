"""Date and date-time inputs that read what a clerk types or pastes (models/dates.py), for every form and filter.

The picker stays (Flask-Admin's widgets); admin_app/static/office.js keeps it from rewriting typed text. A value
that cannot be read is refused on its field in Chinese and shown again as typed: never a guess, never now.
"""
import datetime as dt

from flask_admin import form as admin_form
from flask_admin.contrib.peewee.filters import DateBetweenFilter
from flask_babel import gettext, lazy_gettext as _l
from wtforms import fields
from wtforms.validators import Optional, StopValidation

from models import dates

DATETIME_SHOWN = "%Y-%m-%d %H:%M"
DATE_SHOWN = "%Y-%m-%d"


class TypedDateTimeField(fields.DateTimeField):
    """A date and time, typed in any form models/dates.py reads; a date alone is at default_time."""

    widget = admin_form.DateTimePickerWidget()

    example = "2022-12-09 09:30"

    def __init__(self, label=None, validators=None, default_time=dt.time(0, 0), **kwargs):
        kwargs.pop("format", None)  # one reader for every form: models/dates.py
        kwargs["render_kw"] = {"placeholder": self.example, "autocomplete": "off", **(kwargs.get("render_kw") or {})}
        super().__init__(label, validators, format=DATETIME_SHOWN, **kwargs)
        self.default_time = default_time

    def _value(self):
        if self.raw_data:
            return " ".join(self.raw_data)
        return self.data.strftime(DATETIME_SHOWN) if self.data else ""

    def process_formdata(self, valuelist):
        text = " ".join(valuelist or ()).strip()
        if not text:
            self.data = None
            return
        try:
            self.data = self.read(text)
        except dates.DateUnreadable as error:
            self.data = None
            raise ValueError(gettext(error.message, **error.params)) from None

    def pre_validate(self, form):
        if self.process_errors:  # the reader's message alone, not also "required"
            raise StopValidation()

    def read(self, text):
        return dates.parse_datetime(text, self.default_time)


class TypedDateField(TypedDateTimeField):
    """A date, typed in any form models/dates.py reads."""

    widget = admin_form.DatePickerWidget()
    example = "2022-12-09"

    def _value(self):
        if self.raw_data:
            return " ".join(self.raw_data)
        return self.data.strftime(DATE_SHOWN) if self.data else ""

    def read(self, text):
        return dates.parse_date(text)


def done_at():
    """办理时间 of a step form: when the step happened, now when left empty (补录: a step recorded on a later day;
    models/workflow/backdating.py checks it). Empty rather than filled with the time the form was opened: that
    minute, sent back, would come before a step taken a few seconds earlier."""
    return TypedDateTimeField(_l("Done at"), validators=[Optional()], render_kw={"placeholder": _l("now")},
                              description=_l("When the step happened: leave it empty for now; type the time to "
                                             "record a step that happened earlier (补录)."))


class DateRange(DateBetweenFilter):
    """From one day to another, both included ("A 至 B", "A to B", "A ~ B"), each day typed in any form
    models/dates.py reads; on a date or a date-and-time column."""

    SEPARATORS = (" 至 ", "至", " to ", "~", "～")

    def _days(self, value):
        text = value
        for separator in self.SEPARATORS:
            if separator in text:
                start, end = text.split(separator, 1)
                return dates.parse_date(start), dates.parse_date(end)
        raise dates.DateUnreadable(value, dates.UNREADABLE_DATE)

    def validate(self, value):
        try:
            start, end = self._days(value)
        except dates.DateUnreadable:
            return False
        return start <= end

    def clean(self, value):
        return self._days(value)

    def apply(self, query, value):
        start, end = value
        return query.where((self.column >= start) & (self.column < end + dt.timedelta(days=1)))

    def operation(self):
        return _l("between")
