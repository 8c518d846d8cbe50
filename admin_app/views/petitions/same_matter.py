"""同一事项 on the petition's page: the petitions of the same person a clerk linked to this one as the same matter,
and the form that links or unlinks one (POST with CSRF, audited by models/workflow/repeats.py). A link makes the
later petition 重件 (and unlinking takes it back); it is refused in Chinese for another person's petition or the
petition itself."""
from flask import flash, redirect, request
from flask_admin import expose
from flask_admin.form import SecureForm
from flask_babel import gettext
from flask_login import current_user

from models import access
from models.errors import ValidationError
from models.petition import Petition
from models.workflow import repeats

from ... import i18n, permissions

CANDIDATES = 100  # the person's other petitions offered for a link, newest first


class SameMatterMixin:
    """The petition view's 同一事项 route and the context of its section on the details page."""

    route_ops = {"same_matter_view": "edit"}  # the office's clerks (staff, admin)

    def same_matter_context(self, petition):
        user = current_user.user
        linked = [p for p in repeats.linked(petition)
                  if access.visible(Petition.select().where(Petition.id == p.id), user, "petition").exists()]
        may_link = permissions.allowed(current_user.role, self.endpoint, "edit")
        candidates = []
        if may_link:
            ids = {p.id for p in linked} | {petition.id}
            others = access.visible(Petition.select().where(
                (Petition.petitioner == petition.petitioner_id) & Petition.id.not_in(list(ids))), user, "petition")
            candidates = [(p.id, "%s %s %s" % (p.number, i18n.cn_date(p.received_at), p.subject))
                          for p in others.order_by(Petition.received_at.desc(), Petition.id.desc()).limit(CANDIDATES)]
        return {"same_matter": linked, "repeat_window": repeats.window_months(), "same_matter_candidates": candidates, "may_link": may_link,
                "same_matter_csrf": SecureForm().csrf_token.current_token if may_link else None}

    @expose("/same-matter/", methods=("POST",))
    def same_matter_view(self):
        """Link (or unlink) this petition and another of the same petitioner as the same matter."""
        petition = self.get_one(request.args.get("id"))  # the viewer's scope: 404 otherwise
        back = self.get_url(".details_view", id=petition.id)
        if not SecureForm(request.form).validate():
            flash(gettext("The form has expired; please try again."), "error")
            return redirect(back)
        other_id = request.form.get("other", "")
        other = self.get_query().where(Petition.id == int(other_id)).first() if other_id.isdigit() else None
        if other is None:
            flash(gettext("Choose a petition of the same petitioner."), "error")
            return redirect(back)
        try:
            if request.form.get("operation") == "unlink":
                done = repeats.unlink(petition, other, current_user.user)
                message = gettext("The link as the same matter with %(number)s was removed.", number=other.number)
            else:
                done = repeats.link(petition, other, current_user.user)
                message = gettext("Linked with %(number)s as the same matter.", number=other.number)
        except ValidationError as error:
            flash(i18n.error_message(error), "error")
            return redirect(back)
        flash(message if done else gettext("Nothing to change."), "success" if done else "info")
        return redirect(back)
