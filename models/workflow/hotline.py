"""转为信访事项: a 12345 hotline ticket registered as a petition.

The screen drafts the petition (draft: the caller matched to petitioners on record, the area and the request type
read through the mapping table, hotline_mapping.py) for the clerk to review and save; saving links the ticket
(link_ticket) in the transaction that registers the petition. ticket_to_petition does both in one step, for the
programs that have no clerk (tests, scripts).
"""
from dataclasses import dataclass, field
import datetime as dt

from .. import audit
from ..db import database, now
from ..errors import N_, NotAllowed
from ..hotline import HotlineTicket, id_number_key, phone_key
from ..hotline_mapping import category_of, subject_of, town_of
from ..people import Petitioner
from ..petition import FUTURE_TOLERANCE, REQUEST_SUMMARY_MAX, Petition
from .petitioners import LIVE, add_petitioner, find_petitioner
from .petitions import register

ALREADY = N_("This ticket was already turned into petition %(number)s.")
CALLER = "12345来电人"  # the name of a caller who gave none


def match_petitioner(ticket):
    """The petitioner on record for a ticket's caller (find_petitioner): by ID number, whatever name the hotline
    wrote down; else by phone and the same name; None when there is none."""
    return find_petitioner(ticket.caller_id_number, ticket.phone, ticket.caller)


def caller_candidates(ticket):
    """(how, [petitioners]) the caller may be, for the clerk to choose from: the one of the ticket's ID number
    ("id_number"); else every record of its phone ("phone", several: the clerk chooses); else ("", [])."""
    id_number = id_number_key(ticket.caller_id_number)
    if id_number:
        found = Petitioner.select().where((Petitioner.id_number == id_number) & LIVE).order_by(Petitioner.id).first()
        if found is not None:
            return "id_number", [found]
    phone = phone_key(ticket.phone)
    if phone:
        found = list(Petitioner.select().where((Petitioner.phone == phone) & LIVE).order_by(Petitioner.id))
        if found:
            return "phone", found
    return "", []


@dataclass
class Draft:
    """A petition drafted from a ticket, not saved: what the create form is filled with."""

    ticket: HotlineTicket
    received_at: dt.datetime
    subject: str
    content: str
    town: object = None  # Department or None
    village: str = None
    category: object = None  # Category or None
    matched_by: str = ""  # "id_number", "phone" or "" (see caller_candidates)
    candidates: list = field(default_factory=list)
    new_petitioner: dict = field(default_factory=dict)  # the quick-add's values when no record matched
    request_summary: str = ""  # 信访请求: the content's first sentence, for the clerk to shorten

    @property
    def petitioner(self):
        """The petitioner on record when exactly one matched, else None (the clerk chooses or adds)."""
        return self.candidates[0] if len(self.candidates) == 1 else None

    @property
    def unknown_area(self):
        """The ticket's area when no town is known for it, else None."""
        return ((self.ticket.area or "").strip() or None) if self.town is None else None


def received_of(ticket, at=None):
    """收到时间: the call time, never later than now."""
    at = at or now()
    return at if ticket.called_at > at + FUTURE_TOLERANCE else ticket.called_at


def draft(ticket, at=None):
    """The petition a ticket makes, for review. Raises NotAllowed when it was already made into one."""
    if ticket.petition_id is not None:
        raise NotAllowed(ALREADY, number=ticket.petition.number)
    town, village = town_of(ticket.area)
    matched_by, candidates = caller_candidates(ticket)
    result = Draft(ticket=ticket, received_at=received_of(ticket, at), subject=subject_of(ticket.content),
                   request_summary=subject_of(ticket.content, REQUEST_SUMMARY_MAX),
                   content=(ticket.content or "").strip(), town=town, village=village,
                   category=category_of(ticket.kind, ticket.content), matched_by=matched_by, candidates=candidates)
    if not candidates:
        result.new_petitioner = {"name": (ticket.caller or "").strip() or CALLER,
                                 "id_number": id_number_key(ticket.caller_id_number) or "",
                                 "phone": phone_key(ticket.phone) or ""}
    return result


def link_ticket(ticket_id, petition, by):
    """Record that the petition was made from the ticket (inside the caller's transaction, audited). Raises
    NotAllowed when the ticket was made into a petition meanwhile: the caller's transaction rolls back."""
    with database.atomic():
        ticket = HotlineTicket.get_by_id(ticket_id)
        before = audit.snapshot(ticket)
        changed = (HotlineTicket.update(petition=petition, updated_at=now(), version=HotlineTicket.version + 1)
                   .where((HotlineTicket.id == ticket_id) & HotlineTicket.petition.is_null()).execute())
        if not changed:  # a petition made from it by another form or step, committed or not
            ticket = HotlineTicket.get_by_id(ticket_id)
            raise NotAllowed(ALREADY, number=ticket.petition.number if ticket.petition_id else "")
        ticket = HotlineTicket.get_by_id(ticket_id)
        old, new = audit.changes(before, audit.snapshot(ticket))
        audit.record("update", ticket, ticket.id, by=by, summary=petition.number, before=old, after=new)
        return ticket


def ticket_to_petition(ticket, by, at=None):
    """转为信访事项 in one step, the draft taken as it is: the petitioner is the one on record (match_petitioner), or
    a new one with the caller's name, ID number and phone. Returns the petition."""
    with database.atomic():
        ticket = HotlineTicket.get_by_id(ticket.id)  # as it is now
        proposal = draft(ticket, at)
        petitioner = match_petitioner(ticket)
        if petitioner is None:
            petitioner = add_petitioner(
                by, ticket.number, name=(ticket.caller or "").strip() or CALLER, phone=phone_key(ticket.phone),
                id_number=id_number_key(ticket.caller_id_number), town=proposal.town, village=proposal.village)
        petition = Petition(channel="hotline", received_at=proposal.received_at, petitioner=petitioner,
                            subject=proposal.subject or ticket.number, content=proposal.content,
                            category=proposal.category, town=proposal.town, village=proposal.village)
        register(petition, by)
        link_ticket(ticket.id, petition, by)
        return petition
