"""单位 screens: departments and towns, problem categories."""
from flask import flash
from flask_admin.actions import action
from flask_admin.contrib.peewee.filters import BooleanEqualFilter
from flask_babel import lazy_gettext as _l, ngettext
from wtforms.validators import Optional

from models.organisation import DEPARTMENT_KINDS, Category, Department
from models.validation import normalize_phone

from .. import i18n
from .base import SecureModelView, deactivate, domain_validator
from .fields import ActiveLoader, ChoiceFilter


class DepartmentView(SecureModelView):
    """职能部门: county departments and towns; one with records is deactivated, not deleted."""

    action_ops = {"delete": "delete", "deactivate": "edit"}

    column_list = ("name", "short_name", "kind", "parent", "contact_person", "phone", "active")
    column_labels = {
        "name": _l("Name"), "short_name": _l("Short name"), "kind": _l("Kind"), "parent": _l("Parent"),
        "contact_person": _l("Contact person"), "phone": _l("Phone"), "active": _l("Active"),
        "review_organ": _l("Review organ"), "recheck_organ": _l("Re-examination organ"),
    }
    form_descriptions = {  # shown under the fields (form_args)
        "short_name": _l("The prefix of the document numbers of the letters it issues, e.g. 高自然资."),
        "review_organ": _l("Named in its handling opinions as the organ to ask for a review; empty: the review "
                           "organ of the office settings."),
        "recheck_organ": _l("Named in the review opinions as the organ to ask for a re-examination; empty: the "
                            "re-examination organ of the office settings."),
    }
    column_searchable_list = (Department.name, Department.short_name)
    column_filters = (
        ChoiceFilter(Department.kind, _l("Kind"), i18n.choices(DEPARTMENT_KINDS)),
        BooleanEqualFilter(Department.active, _l("Active")),
    )
    column_default_sort = ("id", False)
    form_columns = ("name", "short_name", "kind", "parent", "review_organ", "recheck_organ", "contact_person",
                    "phone", "active")
    form_args = {"phone": {"validators": [Optional(), domain_validator(normalize_phone)]},
                 **{name: {"description": text} for name, text in form_descriptions.items()}}
    form_ajax_refs = {"parent": ActiveLoader("parent", Department, fields=(Department.name,))}

    @action("deactivate", _l("Deactivate"), _l("Deactivate the selected departments?"))
    def action_deactivate(self, ids):
        count = deactivate(Department, ids)  # audited, one by one
        flash(ngettext("%(num)s department was deactivated.", "%(num)s departments were deactivated.", count), "success")


class CategoryView(SecureModelView):
    """问题类别: the office keeps its own list."""

    column_list = ("name", "description", "position", "active")
    column_labels = {"name": _l("Name"), "description": _l("Description"), "position": _l("Order"),
                     "active": _l("Active")}
    column_default_sort = ("position", False)
    column_searchable_list = (Category.name,)
    form_columns = ("name", "description", "position", "active")
