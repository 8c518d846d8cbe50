"""A form saved once, on the screens (models/submissions.py keeps the claims).

Every create form (views/base.py), step form (views/petitions/steps.py, views/casework.py) and the lists' action
form (templates/admin/actions.html) carries the hidden field submission_token, random, made when the form is
drawn. A post claims it in the transaction of its write; a post whose token was claimed already is answered
"already saved" with the way to the record, and writes nothing. A post without a token (an old page, a script)
is saved as before: the token protects the forms people use, it does not lock anyone out.
"""
from contextlib import contextmanager
from functools import lru_cache
import secrets

from flask import flash, redirect, request, url_for
from flask_babel import gettext
from flask_login import current_user
from werkzeug.routing import BuildError
from wtforms import HiddenField

from models import submissions
from models.db import database
from models.submissions import AlreadySaved

TOKEN = "submission_token"


def new_token():
    return secrets.token_urlsafe(24)


def token_field():
    """The hidden field: a fresh token each time the form is drawn, the posted one when it comes back."""
    return HiddenField(default=new_token)


@lru_cache(maxsize=None)
def with_token(form_class):
    """form_class with the hidden token field (one subclass per form class)."""
    if hasattr(form_class, TOKEN):
        return form_class
    return type(form_class.__name__, (form_class,), {TOKEN: token_field()})


def posted_key(*parts):
    """The key of the token this request posted (with parts: what one use of a shared form was), or None."""
    token = (request.form.get(TOKEN) or "").strip() if request.method == "POST" else ""
    if not token or len(token) > 200:
        return None
    return submissions.key_of(token, *parts)


def earlier(*parts):
    """The submission that already saved the posted form, or None."""
    key = posted_key(*parts)
    return submissions.find(key) if key else None


@contextmanager
def saving(form_name, *parts):
    """The transaction of a form's write, its token claimed first; yields the submission (None: no token or no
    claim asked, form_name None). A token claimed before raises AlreadySaved and the write rolls back."""
    key = posted_key(*parts) if form_name else None
    with database.atomic():
        yield submissions.claim(key, current_user.user, form_name) if key else None


def settle(submission, record=None, kind=None, record_id=None):
    if submission is not None:
        submissions.settle(submission, record, kind=kind, record_id=record_id)


def answer(found, fallback=None, *parts):
    """The answer to a form posted again: the message, and the record it saved (else fallback, else the list)."""
    if isinstance(found, AlreadySaved):
        found = found.submission or earlier(*parts)  # a concurrent save: committed by now
    flash(gettext("This form was already saved; it was not registered again."), "warning")
    return redirect(link(found) or fallback or url_for(".index_view"))


def link(submission):
    """The page of the record a submission saved (only for the user who saved it), or None."""
    if submission is None or not submission.kind or submission.user_id != current_user.user.id:
        return None
    try:
        if submission.record_id is None:
            return url_for(submission.kind + ".index_view")
        return url_for(submission.kind + ".details_view", id=submission.record_id)
    except BuildError:
        return None
