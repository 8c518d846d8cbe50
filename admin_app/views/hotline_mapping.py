"""12345对应关系: the table that turns a ticket's area, request type and words into a town and a category
(models/hotline_mapping.py), kept by staff; every change audited (SecureModelView)."""
from flask_admin.contrib.peewee.filters import BooleanEqualFilter
from flask_babel import lazy_gettext as _l

from models.hotline_mapping import KINDS, HotlineMapping
from models.organisation import Category, Department

from .. import i18n
from .base import SecureModelView
from .fields import ActiveLoader, ChoiceFilter


def kind_label(view, context, model, name):
    return i18n.choice_label(KINDS, model.kind)


class HotlineMappingView(SecureModelView):
    """对应关系: 区域 → 所属镇街, 诉求类型 or 关键词 → 问题类别."""

    column_list = ("kind", "source", "town", "category", "position", "active")
    column_labels = {"kind": _l("Kind of text"), "source": _l("Hotline's text"), "town": _l("Town"),
                     "category": _l("Category"), "position": _l("Order"), "active": _l("Active"),
                     "created_at": _l("Created")}
    column_formatters = {"kind": kind_label}
    column_default_sort = [("kind", False), ("position", False), ("id", False)]
    column_searchable_list = (HotlineMapping.source,)
    column_filters = (ChoiceFilter(HotlineMapping.kind, _l("Kind of text"), i18n.choices(KINDS)),
                      BooleanEqualFilter(HotlineMapping.active, _l("Active")))
    form_columns = ("kind", "source", "town", "category", "position", "active")
    form_args = {
        "source": {"description": _l("An area is matched at the beginning of the ticket's area, a request type as a "
                                     "whole, a keyword anywhere in the request.")},
        "town": {"description": _l("For an area.")},
        "category": {"description": _l("For a request type or a keyword.")},
        "position": {"description": _l("Keywords are tried in this order, the smallest first.")},
    }
    form_ajax_refs = {
        "town": ActiveLoader("town", Department, fields=(Department.name,), where=Department.kind == "town"),
        "category": ActiveLoader("category", Category, fields=(Category.name,)),
    }

    def related_columns(self):
        return [HotlineMapping.town, HotlineMapping.category]
