"""The data's safety while the application runs: the audit chain's key and daily anchor, and maintenance.

Maintenance: while the file MAINTENANCE_FILE (instance/maintenance) exists, every request that could write
(any method but GET, HEAD and OPTIONS) is answered 503 with a Chinese page, or JSON under /api/, and
nothing is written. `flask restore` puts it up for its duration; the check is one stat() a request.
"""
import os

from flask import current_app, jsonify, render_template, request
from flask_babel import gettext

from models import audit
from models.db import database

READING = frozenset(("GET", "HEAD", "OPTIONS"))


def init_app(app):
    audit.configure(app.config["AUDIT_KEY"], app.config.get("AUDIT_ANCHORS"))

    @app.before_request
    def refuse_writes_in_maintenance():
        if request.method not in READING and in_maintenance(current_app.config):
            return unavailable()

    @app.teardown_appcontext
    def anchor_audit_log(exc):
        if not audit._anchoring["due"]:  # the common case: one dictionary look-up
            return
        opened = database.is_closed()
        if not opened and database.in_transaction():
            return  # the next request anchors it
        if opened:
            database.connect()
        try:
            audit.anchor_if_due()
        finally:
            if opened:
                database.close()


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
