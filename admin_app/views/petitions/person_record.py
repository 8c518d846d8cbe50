"""The petitioner's record on its details page: the person's petitions, 12345 tickets and visit logs, each counted,
newest first, every row a link to its own page, and each list narrowed by the viewer's row scope (models/access.py
visible) exactly as its own screen is; a list whose screen the viewer's role may not open is left out."""
from flask import url_for
from flask_babel import gettext

from models import access
from models.casework import VisitLog
from models.hotline import HotlineTicket
from models.petition import STATUSES, CoPetitioner, Petition

from ... import i18n, permissions

SHOWN = 200  # rows read per list; the count is of them all


def _section(kind, rows, count, columns):
    return {"kind": kind, "rows": rows, "count": count, "columns": columns, "more": count > len(rows)}


def _petitions(person, user):
    co = CoPetitioner.select(CoPetitioner.petition).where(CoPetitioner.petitioner == person.id)
    query = access.visible(Petition.select().where((Petition.petitioner == person.id) | Petition.id.in_(co)),
                           user, "petition")
    rows = [{"url": url_for("petition.details_view", id=p.id), "cells": (
        p.number, i18n.cn_date(p.received_at), p.subject, i18n.choice_label(STATUSES, p.status),
        gettext("Repeat petition") if p.is_repeat else gettext("First petition"),
    ), "co": p.petitioner_id != person.id} for p in query.order_by(Petition.received_at.desc(), Petition.id.desc())
        .limit(SHOWN)]
    columns = (gettext("Number"), gettext("Received"), gettext("Subject"), gettext("Status"),
               gettext("First or repeat"))
    return _section("petitions", rows, query.order_by().count(), columns)


def _tickets(person, user):
    """The tickets made into the person's petitions, and those whose caller is the person by ID number, or by
    phone together with the name (models/workflow/petitioners.py: a phone alone is nobody)."""
    theirs = Petition.select(Petition.id).where(Petition.petitioner == person.id)
    clause = HotlineTicket.petition.in_(theirs)
    if person.id_number:
        clause |= HotlineTicket.caller_id_number == person.id_number
    if person.phone:
        clause |= (HotlineTicket.phone == person.phone) & (HotlineTicket.caller == person.name)
    query = access.visible(HotlineTicket.select().where(clause), user, "hotlineticket")
    rows = [{"url": url_for("hotlineticket.details_view", id=t.id), "cells": (
        t.number, i18n.cn_date(t.called_at), (t.content or "")[:60], t.status or ""), "co": False}
        for t in query.order_by(HotlineTicket.called_at.desc(), HotlineTicket.id.desc()).limit(SHOWN)]
    columns = (gettext("Ticket number"), gettext("Call time"), gettext("Request"), gettext("Ticket status"))
    return _section("tickets", rows, query.order_by().count(), columns)


def _visits(person, user):
    theirs = Petition.select(Petition.id).where(Petition.petitioner == person.id)
    query = access.visible(VisitLog.select().where((VisitLog.petitioner == person.id) | VisitLog.petition.in_(theirs)),
                           user, "visitlog")
    visits = list(query.order_by(VisitLog.visited_at.desc(), VisitLog.id.desc()).limit(SHOWN))
    numbers = dict(Petition.select(Petition.id, Petition.number).where(
        Petition.id.in_([v.petition_id for v in visits if v.petition_id])).tuples())
    rows = [{"url": url_for("visitlog.details_view", id=v.id), "cells": (
        i18n.cn_date(v.visited_at), i18n.choice_label(VisitLog.kind.choices, v.kind), v.place,
        numbers.get(v.petition_id, ""), (v.summary or "")[:60]), "co": False} for v in visits]
    columns = (gettext("Time"), gettext("Kind"), gettext("Place"), gettext("Petition"), gettext("Summary"))
    return _section("visits", rows, query.order_by().count(), columns)


SECTIONS = (("petition", _petitions), ("hotlineticket", _tickets), ("visitlog", _visits))


def person_record(person, user):
    """The sections of the person's record the user may see: [{kind, rows, count, columns, more}]."""
    role = getattr(user, "role", None)
    return [build(person, user) for endpoint, build in SECTIONS if permissions.allowed(role, endpoint, "read")]
