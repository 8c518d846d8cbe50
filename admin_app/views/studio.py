"""代表委员 screens: representatives and the three teams."""
from flask_admin.contrib.peewee.filters import BooleanEqualFilter
from flask_babel import lazy_gettext as _l
from wtforms.validators import Optional

from models.people import REPRESENTATIVE_KINDS, REPRESENTATIVE_LEVELS, Representative, Team
from models.validation import normalize_phone

from .. import i18n, personal
from .base import SecureModelView, domain_validator
from .fields import ActiveLoader, ChoiceFilter, rows_of


class RepresentativeView(personal.PersonalFields, SecureModelView):
    """代表委员: who serves at the studio, in which team. The phone (models.access.PERSONAL) is masked on the
    details page and in exports; staff see it in full in the edit form (audited) and in an export asked for in
    full."""

    column_list = ("name", "kind", "level", "sector", "work_unit", "post", "team", "active")
    column_labels = {
        "name": _l("Full name"), "kind": _l("Kind"), "level": _l("Level"), "sector": _l("Sector"),
        "work_unit": _l("Work unit"), "post": _l("Post"), "phone": _l("Phone"), "team": _l("Team"),
        "active": _l("Active"), "notes": _l("Notes"),
    }
    column_searchable_list = (Representative.name, Representative.work_unit, Representative.sector)
    search_fields_for_all = column_searchable_list
    column_filters = (
        ChoiceFilter(Representative.kind, _l("Kind"), i18n.choices(REPRESENTATIVE_KINDS)),
        ChoiceFilter(Representative.level, _l("Level"), i18n.choices(REPRESENTATIVE_LEVELS)),
        ChoiceFilter(Representative.team, _l("Team"), rows_of(Team)),
        BooleanEqualFilter(Representative.active, _l("Active")),
    )
    column_default_sort = ("id", False)
    form_columns = ("name", "kind", "level", "sector", "work_unit", "post", "phone", "team", "active", "notes")
    form_args = {"phone": {"validators": [Optional(), domain_validator(normalize_phone)]}}
    form_ajax_refs = {"team": ActiveLoader("team", Team, fields=(Team.name,))}


class TeamView(SecureModelView):
    """团队: the three fixed teams; their duty text may be edited, the teams not added or removed."""

    can_create = False
    can_delete = False
    column_list = ("name", "duty")
    column_labels = {"name": _l("Name"), "duty": _l("Duty"), "code": _l("Code")}
    column_details_list = ("name", "duty")
    form_columns = ("duty",)
