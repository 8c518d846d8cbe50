"""系统设置: the office's settings on one page (the rules, precedence and audit are models/settings.py).

A setting the deployment fixes (an environment variable) is shown read-only; every other field is read before
anything is saved, so a wrong value is refused on its field with what was typed kept, and nothing is written."""
from flask import abort, current_app, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_admin.form import SecureForm
from flask_babel import gettext
from flask_login import current_user

from models import settings
from models.errors import StaleRecord
from models.organisation import Department

from .. import i18n
from .base import LoginRequired


class SettingsView(LoginRequired, BaseView):
    """One form: each setting with its label, help and value (read: see it; edit: save it)."""

    route_ops = {"index": "read"}  # saving (POST) is "edit", checked below

    @expose("/", methods=("GET", "POST"))
    def index(self):
        if request.method == "GET":
            return self.page({}, {})
        if not self.permitted("edit"):
            abort(403)
        form = SecureForm(request.form)
        if not form.validate():
            flash(gettext("The form has expired; please try again."), "error")
            return self.page(self.typed(), {}), 400
        versions = {key: _int(request.form.get("version-" + key)) for key in settings.BY_KEY}
        try:
            changed = settings.save(self.typed(), versions, by=current_user, config=current_app.config)
        except settings.Invalid as err:
            return self.page(self.typed(), {key: i18n.error_message(error) for key, error in err.errors.items()})
        except StaleRecord as err:
            flash(i18n.error_message(err), "error")
            return self.page(self.typed(), {}), 409
        if changed:
            flash(gettext("The settings were saved."), "success")
        else:
            flash(gettext("No setting was changed."), "info")
        return redirect(url_for(".index"))

    @staticmethod
    def typed():
        return {key: request.form[key] for key in settings.BY_KEY if key in request.form}

    def page(self, typed, errors):
        fixed = settings.fixed(current_app.config)
        rows = []
        for setting in settings.SETTINGS:
            row = settings.stored(setting.key)
            rows.append({
                "key": setting.key, "label": gettext(setting.label), "help": gettext(setting.help),
                "kind": setting.kind, "fixed": setting.key in fixed,
                "value": typed.get(setting.key, settings.shown(setting.key, current_app.config)),
                "default": settings.shown_default(setting.key),
                "version": row.version if row is not None else "", "error": errors.get(setting.key),
            })
        issuer = Department.get_or_none(Department.name == settings.value("LETTER_ISSUER", current_app.config))
        return self.render("admin/office_settings.html", rows=rows, form=SecureForm(),
                           prefix=issuer.short_name if issuer is not None else None,
                           editable=self.permitted("edit"), failed=bool(errors))


def _int(text):
    """The version a field was read at: 0 when it had no row yet, None when the form did not say."""
    if text == "":
        return 0
    try:
        return int(text)
    except (TypeError, ValueError):
        return None
