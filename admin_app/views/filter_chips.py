"""当前筛选: a list's active filters in words, one chip each (its Chinese label and value, a day range as
"2022年1月1日 至 2022年12月31日"), each with a link to the same list without it (office_list.html)."""
from flask import request
from flask_admin.contrib.peewee.filters import DateBetweenFilter
from flask_babel import gettext

from .. import i18n

PLAIN_OPERATIONS = ("equals", "between")  # said by the value itself: 状态：已受理, 收到时间：A 至 B


def value_text(view, flt, value):
    """The value as people read it: an option's label, a day range in Chinese dates, else as typed."""
    if isinstance(flt, DateBetweenFilter):
        try:
            start, end = flt.clean(value)
        except (ValueError, TypeError):
            return value
        return gettext("From %(start)s to %(end)s", start=i18n.cn_date(start), end=i18n.cn_date(end))
    options = flt.get_options(view) if getattr(flt, "options", None) is not None else None
    for key, label in options or ():
        if str(key) == str(value):
            return str(label)
    return value


def operation_id(operation):
    """The English msgid of a filter's operation (a lazy string from Flask-Admin's catalog or ours)."""
    args = getattr(operation, "_args", None)  # flask_babel's LazyString keeps the msgid it was made with
    return args[0] if args else str(operation)


class FilterChipsMixin:
    """filter_chips(): [(label, value, url without it)] of the filters in this request's arguments, in their
    order; a value Flask-Admin refuses is not a chip (it says so itself)."""

    def filter_chips(self):
        if not self._filters:
            return []
        found = []
        for arg, value in request.args.items():
            position, _, key = arg[3:].partition("_")
            if not arg.startswith("flt") or key not in self._filter_args:
                continue
            index, flt = self._filter_args[key]
            if flt.validate(value):
                found.append((position, arg, flt, value))
        chips = []
        for _position, arg, flt, value in sorted(found, key=lambda item: item[0]):
            label = str(flt.name)
            operation = flt.operation()
            if operation_id(operation) not in PLAIN_OPERATIONS:  # 事由（包含）：宅基地
                label = "%s（%s）" % (label, operation)
            rest = {k: v for k, v in request.args.items() if k not in (arg, "page")}
            chips.append((label, value_text(self, flt, value), self.get_url(".index_view", **rest)))
        return chips
