"""/api/v1/tickets: the 12345 platform pushes tickets and reads the status of their petitions."""
import json

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext

from models import audit
from models.db import database
from models.hotline import HotlineTicket
from models.imports import hotline as importer
from models.petition import STATUSES
from models.validation import mask_phone

from .. import i18n
from .openapi import API_FIELDS, MAX_TICKETS, OPENAPI
from .tokens import authenticate, error

bp = Blueprint("api", __name__, url_prefix="/api/v1")

MAX_BODY_BYTES = 2 * 1024 * 1024


def read_body(limit):
    """The request body, or None when it is longer than `limit` bytes (read no further than that)."""
    chunks, size = [], 0
    while True:
        chunk = request.stream.read(min(65536, limit + 1 - size))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            return None


def _time(value):
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else None


@bp.route("/openapi.json")
def openapi():
    return jsonify(OPENAPI)


@bp.route("/tickets", methods=["POST"])
def push_tickets():
    client, refused = authenticate("tickets:write")
    if refused is not None:
        return refused
    limit = current_app.config.get("HOTLINE_API_MAX_BYTES") or MAX_BODY_BYTES
    too_large = error(413, "too_large", gettext("The request is larger than %(size)s MB.", size=limit // 1024 // 1024))
    if (request.content_length or 0) > limit:
        return too_large
    data = read_body(limit)  # a body sent without its length (chunked) is refused at the limit too
    if data is None:
        return too_large
    try:
        body = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested beyond the parser's depth
        body = None
    if isinstance(body, dict) and "tickets" in body:
        tickets = body["tickets"]
        if not isinstance(tickets, list) or not tickets:
            return error(400, "bad_request", gettext("tickets must be a list of tickets."))
    elif isinstance(body, dict):
        tickets = [body]
    else:
        return error(400, "bad_request", gettext("The request body is not a JSON object."))
    if len(tickets) > MAX_TICKETS:
        return error(413, "too_large", gettext("At most %(num)s tickets in one request.", num=MAX_TICKETS))
    records, bad = [], {}
    for index, ticket in enumerate(tickets):
        if not isinstance(ticket, dict) or any(isinstance(v, (dict, list)) for v in ticket.values()):
            bad[index] = gettext("A ticket is a JSON object of text values.")
            continue
        records.append((index + 1, {field: ticket[key] for key, field in API_FIELDS.items() if key in ticket}))
    report = importer.import_records(records, summary=client.name)  # each row audited
    results = {}
    for row in report.rows:
        item = {"index": row.line - 1, "number": row.number or "", "result": row.result}
        if row.error is not None:
            item["reason"] = i18n.error_message(row.error)
        if row.changed and row.result == "updated":
            item["changed"] = [key for key, field in API_FIELDS.items() if field in row.changed]
        if row.notes:
            item["notes"] = [i18n.error_message(note) for note in row.notes]
        results[row.line - 1] = item
    for index, reason in bad.items():
        raw = tickets[index]
        number = raw.get("number") if isinstance(raw, dict) else None
        results[index] = {"index": index, "number": number if isinstance(number, str) else "", "result": "skipped",
                          "reason": reason}
    ordered = [results[i] for i in sorted(results)]
    summary = {code: sum(1 for r in ordered if r["result"] == code) for code in ("added", "updated", "unchanged",
                                                                                 "skipped")}
    if summary["added"] or summary["updated"]:
        with database.atomic():
            audit.record("create", HotlineTicket, None, by=None, summary=gettext(
                "API client %(client)s pushed tickets: %(added)s added, %(updated)s updated, %(skipped)s skipped.",
                client=client.name, **{k: v for k, v in summary.items() if k != "unchanged"}))
    return jsonify({"results": ordered, "summary": summary})


@bp.route("/tickets/<number>", methods=["GET"])
def get_ticket(number):
    client, refused = authenticate("tickets:read")
    if refused is not None:
        return refused
    ticket = HotlineTicket.get_or_none(HotlineTicket.number == number.strip())
    if ticket is None:
        return error(404, "not_found", gettext("There is no ticket %(number)s.", number=number[:40]))
    petition = None
    if ticket.petition_id is not None:
        linked = ticket.petition
        petition = {"number": linked.number, "status": linked.status,
                    "status_label": i18n.choice_label(STATUSES, linked.status),
                    "received_at": _time(linked.received_at), "closed_at": _time(linked.closed_at)}
    return jsonify({"ticket": {
        "number": ticket.number, "called_at": _time(ticket.called_at), "caller": ticket.caller,
        "phone": mask_phone(ticket.phone) or None, "content": ticket.content, "type": ticket.kind,
        "area": ticket.area, "handling_unit": ticket.handling_unit, "deadline": _time(ticket.deadline),
        "status": ticket.status, "satisfaction": ticket.satisfaction, "created_at": _time(ticket.created_at),
        "updated_at": _time(ticket.updated_at),
    }, "petition": petition})
