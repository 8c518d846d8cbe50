"""The data's safety while the application runs: the audit chain's key and daily anchor, and maintenance.

Maintenance: while the file MAINTENANCE_FILE (instance/maintenance) exists, every request that could write
(any method but GET, HEAD and OPTIONS) is answered 503 with a Chinese page, or JSON under /api/, and
nothing is written. `flask restore` puts it up for its duration; the check is one stat() a request.

The daily anchor of the audit log (models/audit.py) is written at the end of the first writing request (or
command) of a day that recorded an audit entry, outside its transaction; reading pages never pay for it.
"""
import os
from urllib.parse import urlsplit, urlunsplit

from flask import current_app, g, jsonify, render_template, request
from flask_babel import gettext

from models import audit
from models.db import database

READING = frozenset(("GET", "HEAD", "OPTIONS"))


def init_app(app):
    audit.configure(app.config["AUDIT_KEY"], app.config.get("AUDIT_ANCHORS"),
                    database=database_name(app.config["DATABASE_URL"]))

    @app.before_request
    def refuse_writes_in_maintenance():
        g.audit_anchored_by_request = True  # the app context's end leaves the anchor to the request's
        if request.method not in READING and in_maintenance(current_app.config):
            return unavailable()

    @app.teardown_request
    def anchor_after_a_write(exc):
        if request.method not in READING:  # reading pages never pay for the day's anchor
            anchor_if_due()

    @app.teardown_appcontext
    def anchor_after_a_command(exc):
        if not g.get("audit_anchored_by_request"):
            anchor_if_due()


def anchor_if_due():
    """The audit log's daily anchor, once the first audited write of the day is committed."""
    if not audit._anchoring["due"]:  # the common case: one dictionary look-up
        return
    opened = database.is_closed()
    if not opened and database.in_transaction():
        return  # the next write anchors it
    if opened:
        database.connect()
    try:
        audit.anchor_if_due()
    finally:
        if opened:
            database.close()


def database_name(url):
    """The database as the anchors file names it: a SQLite file by its full path, a PostgreSQL URL without
    its password."""
    if url.startswith("sqlite:///") and not url.endswith(":memory:"):
        return "sqlite:///" + os.path.realpath(url[len("sqlite:///"):])
    parts = urlsplit(url)
    if parts.password is not None:
        host = parts.hostname + (":%d" % parts.port if parts.port else "")
        parts = parts._replace(netloc="%s@%s" % (parts.username, host) if parts.username else host)
    return urlunsplit(parts)


def in_maintenance(config):
    path = config.get("MAINTENANCE_FILE")
    return bool(path) and os.path.exists(path)


def unavailable():
    message = gettext("The system is under maintenance (a database restore); nothing was saved. "
                      "Please try again in a few minutes.")
    if request.path.startswith("/api/"):
        response = jsonify({"error": "maintenance", "message": message})
    else:
        response = current_app.make_response(render_template("errors/maintenance.html", message=message))
    response.status_code = 503
    response.headers["Retry-After"] = "60"
    return response
