"""转为信访事项: a 12345 hotline ticket registered as a petition, its caller matched to a petitioner on record."""
import re

from .. import audit
from ..db import database, now
from ..errors import N_, NotAllowed
from ..hotline import HotlineTicket, id_number_key, phone_key
from ..organisation import Category, Department
from ..petition import FUTURE_TOLERANCE, Petition
from .petitioners import add_petitioner, find_petitioner
from .petitions import register


def match_petitioner(ticket):
    """The petitioner on record for a ticket's caller (find_petitioner): by ID number, whatever name the hotline
    wrote down; else by phone and the same name; None when there is none."""
    return find_petitioner(ticket.caller_id_number, ticket.phone, ticket.caller)


def split_area(area):
    """(town, village) of a hotline area such as 梁庄镇张家村: the town whose name it begins with, the rest."""
    area = re.sub(r"\s+", "", area or "")
    if not area:
        return None, None
    towns = Department.select().where((Department.kind == "town") & (Department.active == True))  # noqa: E712
    best = None
    for town in towns:
        if area.startswith(town.name) and (best is None or len(town.name) > len(best.name)):
            best = town
    if best is None:
        return None, area[:50]
    return best, (area[len(best.name):] or None) and area[len(best.name):][:50]


def subject_of(content, limit=40):
    """The subject of a petition made from a ticket: the first line of its content, shortened."""
    first = next((line.strip() for line in (content or "").splitlines() if line.strip()), "")
    return first if len(first) <= limit else first[:limit - 1] + "…"


def ticket_to_petition(ticket, by, at=None):
    """转为信访事项: register a petition from a ticket in one step and link the two.

    The petitioner is the one on record (match_petitioner), or a new one with the caller's name, ID number and
    phone; the content is carried over; the channel is 12345 热线; the category is the one named like the
    ticket's type, the town and village are read from its area. Returns the petition."""
    with database.atomic():
        ticket = HotlineTicket.get_by_id(ticket.id)  # as it is now
        if ticket.petition_id is not None:
            raise NotAllowed(N_("This ticket was already turned into petition %(number)s."),
                             number=ticket.petition.number)
        petitioner = match_petitioner(ticket)
        town, village = split_area(ticket.area)
        if petitioner is None:
            petitioner = add_petitioner(
                by, ticket.number, name=(ticket.caller or "").strip() or "12345来电人", phone=phone_key(ticket.phone),
                id_number=id_number_key(ticket.caller_id_number), town=town, village=village)
        active = Category.active == True  # noqa: E712
        category = Category.get_or_none((Category.name == (ticket.kind or "").strip()) & active)
        received = ticket.called_at
        if received > (at or now()) + FUTURE_TOLERANCE:
            received = at or now()
        petition = Petition(channel="hotline", received_at=received, petitioner=petitioner,
                            subject=subject_of(ticket.content), content=ticket.content.strip(),
                            category=category, town=town, village=village)
        register(petition, by)
        before = audit.snapshot(ticket)
        ticket.petition = petition
        ticket.updated_at = now()
        ticket.save()
        old, new = audit.changes(before, audit.snapshot(ticket))
        audit.record("update", ticket, ticket.id, by=by, summary=petition.number, before=old, after=new)
        return petition
