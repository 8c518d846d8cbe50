"""One person, one record, on the screens: who already has an ID number (with a link to that record, or a way to
pick it), the warning of the same name and phone (仍然新建), and 信访人合并 with 重复登记的信访人 (staff and the
administrator: the petitioner screen's edit operation). The rules are models/workflow/petitioners.py and merge.py."""
from flask import abort, flash, redirect, request
from flask_admin import expose
from flask_admin.form import SecureForm
from flask_babel import gettext
from flask_login import current_user
from markupsafe import Markup, escape
from peewee import fn

from models import access
from models.db import database
from models.errors import DomainError
from models.people import Petitioner
from models.petition import Petition
from models.workflow import merge, petitioners

from ... import i18n
from ..fields import viewer

CREATE_ANYWAY = "create_anyway"  # the checkbox of the same-name-and-phone warning
USE_PETITIONER = "use_petitioner"  # the petition form's choice of the record that has the ID number


def offer(err, details_url, *choices):
    """The error's Chinese text with a link to the record it names and, optionally, checkboxes to tick before
    saving again: each choice = (name, value, label)."""
    text = escape(i18n.error_message(err))
    text += Markup(' <a class="same-person-link" href="%s" target="_blank">%s</a>') % (
        details_url, gettext("Open that petitioner"))
    for name, value, label in choices:
        text += Markup(' <label class="same-person-choice ml-2 mb-0"><input type="checkbox" name="%s" value="%s"> '
                       '%s</label>') % (name, value, label)
    return text


def create_anyway():
    """The clerk ticked 仍然新建 under the same-name warning."""
    return bool(request.form.get(CREATE_ANYWAY))


def holder_url(view, err):
    return view.get_url("petitioner.details_view", id=err.params["holder_id"])


def picked_petitioner():
    """The petitioner the clerk chose with 使用该信访人 on the petition form, if any (not merged away, visible)."""
    value = request.form.get(USE_PETITIONER, "")
    if not value.isdigit():
        return None
    query = Petitioner.select().where((Petitioner.id == int(value)) & petitioners.LIVE)
    return access.visible(query, viewer(), "petitioner").first()


class SamePersonMixin:
    """For PetitionerView: the ID number's holder and the same-name warning on its form; stubs kept out of its
    list; the merge and duplicates pages."""

    route_ops = {"merge_view": "edit", "duplicates_view": "edit"}
    # a stub's page says where it was merged (petitioner_same_person.html), not as raw columns
    column_details_exclude_list = ("version", "id", "merged_into", "merged_at")
    column_export_exclude_list = ("version", "id", "merged_into", "merged_at")
    LIST_ENDPOINTS = ("index_view", "export", "action_view")

    def get_query(self):
        """Records merged into another are left out of the list (their pages still open, saying so)."""
        query = super().get_query()
        if (request.endpoint or "").rsplit(".", 1)[-1] in self.LIST_ENDPOINTS:
            query = query.where(petitioners.LIVE)
        return query

    def on_model_change(self, form, model, is_created):
        """A new record of the same name and phone as one on record: a warning the clerk confirms (仍然新建)."""
        super().on_model_change(form, model, is_created)
        if not is_created or create_anyway():
            return
        model.clean()  # normalized as it will be saved; the ID number's holder refused first
        same = petitioners.same_name_and_phone(model)
        if same is not None:
            raise petitioners.same_name_warning(same)

    def _show_error(self, form, err):
        if "holder_id" not in err.params:
            return super()._show_error(form, err)
        choices = [(CREATE_ANYWAY, "1", gettext("Create anyway"))] if err.message == petitioners.SAME_NAME_AND_PHONE \
            else []
        message = offer(err, holder_url(self, err), *choices)
        field = getattr(form, err.field, None)
        if field is not None:
            field.errors = list(field.errors or []) + [message]
        flash(message, "error")

    def same_person_context(self, person):
        """For the details page: the record it was merged into, or the merge link for those who may merge."""
        return {"merged_into": person.merged_into if person.merged_into_id else None,
                "may_merge": self.permitted("edit") and person.merged_into_id is None}

    # -- 信访人合并 ------------------------------------------------------------------------------------------

    def one_person(self, value):
        """A petitioner the user may see, stubs included; 404 otherwise."""
        if not str(value or "").isdigit():
            abort(404)
        query = access.visible(Petitioner.select(), viewer(), self.endpoint)
        person = query.where(Petitioner.id == int(value)).first()
        if person is None:
            abort(404)
        return person

    def candidates(self, person, other=None):
        """Who `person` may be merged with: the record asked for, those with its ID number, those of its name."""
        found = [other] if other is not None and other.id != person.id and other.merged_into_id is None else []
        same = Petitioner.name == person.name
        if person.id_number:
            same = same | (Petitioner.id_number == person.id_number)
        query = access.visible(Petitioner.select().where(same & petitioners.LIVE & (Petitioner.id != person.id)),
                               viewer(), self.endpoint)
        found += [p for p in query.order_by(Petitioner.id).limit(50) if p not in found]
        return found

    def described(self, people):
        counts = dict(Petition.select(Petition.petitioner, fn.COUNT(Petition.id)).where(
            Petition.petitioner.in_([p.id for p in people])).group_by(Petition.petitioner).tuples()) if people else {}
        return [{"person": p, "details": petitioners.holder_details(p), "id_number": access.masked(p, "id_number"),
                 "phone": access.masked(p, "phone"), "petitions": counts.get(p.id, 0),
                 "url": self.get_url(".details_view", id=p.id)} for p in people]

    @expose("/merge/", methods=("GET", "POST"))
    def merge_view(self):
        """信访人合并: choose which of two records of one person is kept; the other's petitions, co-petitions and
        visit logs move to it (models/workflow/merge.py)."""
        if request.method == "POST":
            return self.merge_post()
        person = self.one_person(request.args.get("id"))
        other = request.args.get("other")
        other = self.one_person(other) if other else None
        people = [] if person.merged_into_id else self.candidates(person, other)
        return self.render("admin/petitioner_merge.html", person=self.described([person])[0],
                           merged_into=person.merged_into if person.merged_into_id else None,
                           candidates=self.described(people), csrf=SecureForm().csrf_token.current_token,
                           duplicates_url=self.get_url(".duplicates_view"))

    def merge_post(self):
        keep, other = self.one_person(request.form.get("keep")), self.one_person(request.form.get("other"))
        back = self.get_url(".merge_view", id=request.args.get("id") or other.id)
        if not SecureForm(request.form).validate():
            flash(gettext("The form has expired; please try again."), "error")
            return redirect(back)
        try:
            with database.atomic():
                merge.merge(keep, other, by=current_user)
        except DomainError as err:
            flash(i18n.error_message(err), "error")
            return redirect(back)
        flash(gettext("%(other)s was merged into %(keep)s.", other=petitioners.holder_details(other),
                      keep=petitioners.holder_details(Petitioner.get_by_id(keep.id))), "success")
        return redirect(self.get_url(".details_view", id=keep.id))

    @expose("/duplicates/")
    def duplicates_view(self):
        """重复登记的信访人: records that share an ID number (left by the times before the rule), for merging."""
        visible = {p.id for p in access.visible(Petitioner.select(Petitioner.id), viewer(), self.endpoint)}
        groups = []
        for group in merge.duplicates():
            shown = [p for p in group if p.id in visible]
            if len(shown) > 1:
                rows = self.described(shown)
                for row in rows[1:]:
                    row["merge_url"] = self.get_url(".merge_view", id=shown[0].id, other=row["person"].id)
                groups.append(rows)
        return self.render("admin/petitioner_duplicates.html", groups=groups)
