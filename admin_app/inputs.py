"""What a request may carry, checked once before any view sees it: no NUL character in its path, its query, its
form fields or the names of its uploaded files. PostgreSQL refuses a NUL in text (a 500 on a search, a lost
push), SQLite cuts the text at it, and a log line would carry it; no form or address of the office ever needs one.
A refused request is a 400 with a Chinese sentence: the error page for the screens, JSON for the API.

BadInput is the 400 of this module and of the list screens (a page beyond any list, views/base.py): its
description is the sentence the error page shows.
"""
import logging

from flask import request
from flask_babel import gettext
from werkzeug.exceptions import BadRequest

from models.errors import N_

log = logging.getLogger(__name__)

NUL = "\x00"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
FORM_CHECK_MAX = 32 * 1024 * 1024  # a larger body is left unread here: every upload screen refuses it by its size
REFUSED = N_("The request contains a NUL character, which no address or form field may hold.")


class BadInput(BadRequest):
    """A 400 with a Chinese sentence (description) that the error page shows."""


def carries_nul():
    """Whether the request's path, query, form fields or file names hold a NUL character."""
    if NUL in request.path:
        return True
    for key, values in request.args.lists():
        if NUL in key or any(NUL in value for value in values):
            return True
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in FORM_TYPES \
            and (request.content_length or 0) <= FORM_CHECK_MAX:
        for key, values in request.form.lists():
            if NUL in key or any(NUL in value for value in values):
                return True
        for key, upload in request.files.items(multi=True):
            if NUL in key or NUL in (upload.filename or ""):
                return True
    return False


def refuse_nul():
    if not carries_nul():
        return None
    log.warning("refused a request with a NUL character: %s %s", request.method, request.path)
    message = gettext(REFUSED)
    if request.blueprint == "api" or request.path.startswith("/api/"):
        from .api.tokens import error

        return error(400, "bad_request", message)
    raise BadInput(message)


def init_app(app):
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_nul)  # before the session and login checks
