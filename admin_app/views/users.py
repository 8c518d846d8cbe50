"""系统 screens: user accounts, for the system administrator only."""
from flask_admin.contrib.peewee.filters import BooleanEqualFilter
from flask_babel import lazy_gettext as _l
from wtforms import PasswordField
from wtforms.validators import Optional

from models.errors import N_, ValidationError
from models.organisation import Department
from models.people import ROLES, Representative, User

from .. import i18n
from .base import SecureModelView
from .fields import ActiveLoader, ChoiceFilter


class UserView(SecureModelView):
    """用户: accounts and roles; a password typed here is checked and hashed, never shown."""

    column_list = ("username", "display_name", "role", "department", "representative", "active")
    column_labels = {
        "username": _l("Username"), "display_name": _l("Display name"), "role": _l("Role"),
        "department": _l("Department"), "representative": _l("Representative"), "active": _l("Active"),
        "created_at": _l("Created"), "new_password": _l("New password"),
    }
    column_details_list = ("username", "display_name", "role", "department", "representative", "active", "created_at")
    column_searchable_list = (User.username, User.display_name)
    column_filters = (
        ChoiceFilter(User.role, _l("Role"), i18n.choices(ROLES)),
        BooleanEqualFilter(User.active, _l("Active")),
    )
    form_columns = ("username", "display_name", "new_password", "role", "department", "representative", "active")
    form_extra_fields = {
        "new_password": PasswordField(_l("New password"), validators=[Optional()],
                                      description=_l("At least 10 characters, not only digits. Leave empty to keep the password.")),
    }
    form_ajax_refs = {
        "department": ActiveLoader("department", Department, fields=(Department.name,)),
        "representative": ActiveLoader("representative", Representative, fields=(Representative.name,)),
    }

    def on_model_change(self, form, model, is_created):
        if form.new_password.data:
            try:
                model.set_password(form.new_password.data)
            except ValidationError as err:
                err.field = "new_password"
                raise
        elif is_created:
            raise ValidationError(N_("A password is required."), field="new_password")

    def after_save(self, form, model, is_created):
        """A reset password is written to the audit log (the hash itself never is, so the record's own
        change entry would not show it)."""
        super().after_save(form, model, is_created)
        if form.new_password.data and not is_created:
            from flask_babel import gettext
            from flask_login import current_user

            from models import audit

            audit.record("update", model, model.id, by=current_user, summary=gettext("Reset the password"))

    def after_model_change(self, form, model, is_created):
        """A reset password or a deactivation ends every session of the user (models/sessions.py); the
        administrator who reset their own password keeps this one."""
        super().after_model_change(form, model, is_created)
        from flask import session
        from flask_login import current_user

        from models import sessions

        from ..auth import PASSWORD_STAMP, SESSION_TOKEN, password_stamp

        own = model.id == current_user.id
        if not model.active:
            sessions.end_all(model, "deactivated")
        elif form.new_password.data and not is_created:
            sessions.end_all(model, "reset", keep=session.get(SESSION_TOKEN) if own else None)
        if form.new_password.data and own:
            session[PASSWORD_STAMP] = password_stamp(model)

    def check_deletable(self, model):
        from flask_login import current_user

        if model.id == current_user.id:
            raise ValidationError(N_("You cannot delete your own account."))
        super().check_deletable(model)
