"""转为信访事项 on the petition form: /admin/petition/new/?ticket=<id> opens the create form filled from a 12345
ticket (models/workflow/hotline.draft) for the clerk to review, correct and save; saving links the ticket in the
same transaction (link_ticket), so a ticket makes one petition however often its form is posted."""
from flask import abort, flash, g, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext
from flask_login import current_user
from wtforms import HiddenField

from models import access
from models.errors import N_, NotAllowed
from models.hotline import HotlineTicket
from models.workflow import hotline

from ... import i18n, permissions, personal

TICKET_FIELD = "hotline_ticket"  # the hidden field that carries the ticket through the post
UNKNOWN_AREA = N_("The 12345 ticket's area %(area)s matches no town of the county; please choose one.")


def ticket_id(value):
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 12 else None


class TicketDraftMixin:
    """For PetitionView: the create form filled from a ticket, and the ticket linked when it is saved."""

    ticket_form_fields = {TICKET_FIELD: HiddenField()}

    def may_convert(self):
        return (permissions.allowed(current_user.role, "hotlineticket", "step")
                and permissions.allowed(current_user.role, "petition", "create"))

    def draft_ticket(self, value):
        """The ticket of this id the user may turn into a petition, or None."""
        number = ticket_id(value)
        if number is None or not self.may_convert():
            return None
        query = access.visible(HotlineTicket.select(), current_user.user, "hotlineticket")
        return query.where(HotlineTicket.id == number).first()

    @expose("/new/", methods=("GET", "POST"))
    def create_view(self):
        """As the other screens' (saved once); a ticket already made into a petition opens no form: its petition
        is named instead."""
        if request.method == "GET" and request.args.get("ticket"):
            ticket = self.draft_ticket(request.args.get("ticket"))
            if ticket is None:
                abort(404)
            if ticket.petition_id is not None:
                flash(gettext("Ticket %(number)s: %(error)s", number=ticket.number, error=i18n.error_message(
                    NotAllowed(hotline.ALREADY, number=ticket.petition.number))), "error")
                return redirect(url_for("hotlineticket.details_view", id=ticket.id))
        return super().create_view()

    def create_form(self, obj=None):
        form = super().create_form(obj)
        if request.method == "GET" and request.args.get("ticket"):
            ticket = self.draft_ticket(request.args.get("ticket"))
            if ticket is not None and ticket.petition_id is None:
                self.fill_from(form, hotline.draft(ticket))
        return form

    def fill_from(self, form, draft):
        """The form's fields as the draft has them; an unknown area is said on 所属镇街, not put in 村（社区）."""
        getattr(form, TICKET_FIELD).data = str(draft.ticket.id)
        form.channel.data = "hotline"
        form.received_at.data = draft.received_at
        form.subject.data, form.content.data = draft.subject, draft.content
        form.request_summary.data = draft.request_summary
        form.town.data, form.village.data, form.category.data = draft.town, draft.village, draft.category
        chosen = ticket_id(request.args.get("petitioner"))
        picked = next((p for p in draft.candidates if p.id == chosen), None) or draft.petitioner
        form.petitioner.data = picked
        full = personal.may_see_full("hotlineticket")  # the caller's full numbers: as on the ticket's own screen
        for name, value in draft.new_petitioner.items():
            if name == "name" or full:
                getattr(form, "new_petitioner_" + name).data = value
        if full and (draft.new_petitioner.get("phone") or draft.new_petitioner.get("id_number")):
            personal.mark_no_store()
            personal.record_view(draft.ticket, gettext("Opened the petition form filled from the ticket"))
        if draft.unknown_area:
            form.town.errors = [gettext(UNKNOWN_AREA, area=draft.unknown_area)]
        g.ticket_draft = {"ticket": draft.ticket, "draft": draft, "picked": picked}

    def ticket_context(self, form):
        """What the create page says above the form: the ticket it was filled from, the records to choose from."""
        info = getattr(g, "ticket_draft", None)
        if info is None:
            ticket = self.draft_ticket(getattr(form, TICKET_FIELD).data if form is not None else None)
            if ticket is None or ticket.petition_id is not None:
                return {}
            info = {"ticket": ticket, "draft": hotline.draft(ticket), "picked": None}
        draft = info["draft"]
        candidates = [{
            "name": person.name, "details": " ".join(d for d in (person.village, access.masked(person, "phone")) if d),
            "url": url_for(".create_view", ticket=draft.ticket.id, petitioner=person.id),
            "picked": info["picked"] is not None and info["picked"].id == person.id,
        } for person in draft.candidates] if len(draft.candidates) > 1 else []
        return {"ticket_draft": {"number": draft.ticket.number, "candidates": candidates,
                                 "url": url_for("hotlineticket.details_view", id=draft.ticket.id)}}

    def render(self, template, **kwargs):
        if template == self.create_template:
            kwargs.update(self.ticket_context(kwargs.get("form")))
        return super().render(template, **kwargs)

    def check_ticket_free(self, form):
        """Before anything is written (the petitioner's quick-add among it): a ticket made into a petition by
        another form meanwhile is said at once, not after a warning about the caller (link_ticket checks again)."""
        value = getattr(form, TICKET_FIELD, None)
        ticket = self.draft_ticket(value.data) if value is not None and (value.data or "").strip() else None
        if ticket is not None and ticket.petition_id is not None:
            raise NotAllowed(hotline.ALREADY, number=ticket.petition.number)

    def link_ticket_of(self, form, model):
        """Inside the transaction that registers the petition: the ticket it was made from is linked (audited)."""
        value = getattr(form, TICKET_FIELD, None)
        if value is None or not (value.data or "").strip():
            return
        ticket = self.draft_ticket(value.data)
        if ticket is None:
            raise NotAllowed(N_("The 12345 ticket of this form cannot be turned into a petition by you."))
        hotline.link_ticket(ticket.id, model, current_user.user)
        model.from_ticket = ticket

    def after_save(self, form, model, is_created):
        super().after_save(form, model, is_created)
        if is_created:
            self.link_ticket_of(form, model)

    def after_model_change(self, form, model, is_created):
        super().after_model_change(form, model, is_created)
        ticket = getattr(model, "from_ticket", None)
        if ticket is not None:
            flash(gettext("Ticket %(ticket)s was registered as petition %(number)s.", ticket=ticket.number,
                          number=model.number), "success")

    def get_save_return_url(self, model, is_created=False):
        if is_created and getattr(model, "from_ticket", None) is not None:
            return self.get_url(".details_view", id=model.id)
        return super().get_save_return_url(model, is_created)
