"""Personal data on screen: ID numbers and phones masked everywhere, shown in full only to the roles that
need them (and then written to the audit log), and searchable without ever being echoed back.

A list searched by a full ID number or phone (?search=371526196503121234) is redirected to the masked
term (?search=371526********1234); the session keeps a keyed hash of what was typed, so the list still
finds exactly that person while the page, the URL and the session cookie never hold the value itself.
"""
import hashlib
import hmac
import re
from urllib.parse import urlencode

from flask import current_app, g, redirect, request, session
from flask_babel import gettext
from flask_login import current_user

from models import access, audit
from models.validation import mask_id_number, mask_phone

from . import permissions
from .security import mask_text

FULL_ID_NUMBER = re.compile(r"^[0-9]{17}[0-9Xx]$")
FULL_PHONE = re.compile(r"^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})$")
MASKED_TERM = re.compile(r"^([0-9]{3,6}-?)\*+([0-9]{3}[0-9X])$")
SEARCH_KEYS = "personal_search"  # session: {masked term: keyed hash of the full term}
KEPT_SEARCHES = 5


def may_see_full(endpoint):
    """May the current user see full ID numbers and phones on this screen (edit forms, the reveal page)?"""
    return (current_user.is_authenticated and permissions.sees_personal_data(current_user.role)
            and permissions.allowed(current_user.role, endpoint, "personal"))


def masked(mask):
    """A column formatter that shows a value masked, for every role."""

    def format(view, context, model, name):
        return mask(getattr(model, name))

    return format


# -- search -----------------------------------------------------------------------------------------

def search_key(value):
    """A keyed hash of a full ID number or phone (0635-8123456 and 06358123456 alike): finds the record,
    cannot be turned back into the value."""
    secret = current_app.secret_key
    secret = secret.encode("utf-8") if isinstance(secret, str) else secret
    value = re.sub(r"[^0-9X]", "", value.upper())
    return hmac.new(secret, b"personal-search:" + value.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def mask_term(term):
    """The search term as it may be shown: a whole ID number or phone masked as on the lists, any other
    identifier inside it masked too."""
    if FULL_ID_NUMBER.match(term):
        return mask_id_number(term.upper())
    if FULL_PHONE.match(term):
        return mask_phone(term)
    return mask_text(term)


def guard_search():
    """Before every request: a search for a full ID number or phone is redirected to its masked form."""
    if request.method != "GET" or "search" not in request.args:
        return None
    term = request.args.get("search", "")
    words = term.split(" ")
    shown = [mask_term(word) for word in words]
    if shown == words:
        return None
    keys = dict(session.get(SEARCH_KEYS) or {})
    for word, mask in zip(words, shown):
        if word != mask:
            keys.pop(mask, None)
            keys[mask] = search_key(word)
    session[SEARCH_KEYS] = dict(list(keys.items())[-KEPT_SEARCHES:])
    args = request.args.copy()
    args["search"] = " ".join(shown)
    return redirect(request.path + "?" + urlencode(list(args.items(multi=True))), code=302)


def masked_search_clause(term, fields):
    """The where-clause for a masked term (371526********1234, 138****5678) over the given fields: the
    rows whose value has that beginning and end, narrowed to exactly the one typed when this session
    typed it. None when the term is not a masked identifier."""
    match = MASKED_TERM.match(term)
    if not match:
        return None
    head, tail = match.groups()
    pattern = head + "%" + tail
    candidates = fields[0].model.select(fields[0].model._meta.primary_key, *fields)
    clause = None
    for field in fields:
        part = field ** pattern  # ILIKE: an x or X at the end alike
        clause = part if clause is None else clause | part
    key = (session.get(SEARCH_KEYS) or {}).get(term)
    ids = []
    for row in candidates.where(clause).limit(1000):
        values = [getattr(row, field.name) or "" for field in fields]
        if key is None or any(hmac.compare_digest(search_key(v), key) for v in values if v):
            ids.append(row._pk)
    return fields[0].model._meta.primary_key.in_(ids)


# -- audit ------------------------------------------------------------------------------------------

def record_view(record, summary):
    """Write who saw the full personal data of a record (never the values themselves)."""
    audit.record("view_personal", record, record._pk, by=current_user, summary=summary)


def no_store(response):
    """A page with full values is not kept by the browser or any cache on the way."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


def mark_no_store():
    """The response of this request shows full values: no-store (see init_app)."""
    g.personal_no_store = True


def init_app(app):
    app.before_request(guard_search)

    @app.after_request
    def personal_pages_are_not_stored(response):
        return no_store(response) if g.get("personal_no_store") else response


def field_labels(view, names):
    labels = view.column_labels or {}
    return "、".join(str(labels.get(name, name)) for name in names)


class PersonalFields:
    """A screen over a record with personal fields (models.access.PERSONAL): masked on its list and details page
    for every role (and in its exports: views/export.py reads the same declaration); its edit form shows them in
    full only to a role that may see them (and that opening is audited), and leaves them out for any other
    role; only such a role finds records by them."""

    search_fields_for_all = ()  # what every role may search by; column_searchable_list adds the personal ones

    def __init__(self, model, *args, **kwargs):
        masks = {name: masked(mask) for name, mask in access.personal_fields(model).items()}
        self.column_formatters = dict(self.column_formatters or {}, **masks)  # a screen's own never unmasks
        if self.column_formatters_detail is not None:  # else Flask-Admin takes column_formatters
            self.column_formatters_detail = dict(self.column_formatters_detail, **masks)
        super().__init__(model, *args, **kwargs)

    @property
    def personal_fields(self):
        """{name: mask} of the screen's record."""
        return access.personal_fields(self.model)

    def may_see_full(self):
        return may_see_full(self.endpoint)

    def edit_form(self, obj=None):
        form = super().edit_form(obj)
        names = [name for name in self.personal_fields if name in form]
        if not self.may_see_full():
            for name in names:
                del form[name]  # never rendered, and never written back from a posted form
        elif names:
            mark_no_store()
            if request.method == "GET" and obj is not None and any(getattr(obj, n, None) for n in names):
                record_view(obj, gettext("Opened the edit form with the full %(fields)s",
                                         fields=field_labels(self, names)))
        return form

    # -- search: by full ID number or phone for the roles that may see them, by name for everyone --

    def search_placeholder(self):
        if self.may_see_full():
            return super().search_placeholder()
        labels = self.column_labels or {}
        names = [str(labels.get(f.name, f.name)) for f in self.search_fields_for_all]
        return gettext("Search: %(fields)s", fields="、".join(names))

    def personal_search(self, search):
        """The where-clause of a search: each word must match (as Flask-Admin's own search)."""
        see = self.may_see_full()
        personal = [f for f in self.column_searchable_list if f.name in self.personal_fields]
        fields = list(self.search_fields_for_all) + (personal if see else [])
        clause = None
        for word in (search or "").split(" "):
            if not word:
                continue
            part = masked_search_clause(word, personal) if see and personal else None
            if part is None:
                for field in fields:
                    part = field.contains(word) if part is None else part | field.contains(word)
            clause = part if clause is None else clause & part
        return clause

    def get_list(self, page, sort_column, sort_desc, search, filters, execute=True, page_size=None):
        g.personal_search_clause = self.personal_search(search)
        try:
            return super().get_list(page, sort_column, sort_desc, None, filters, execute, page_size)
        finally:
            g.pop("personal_search_clause", None)

    def get_query(self):
        query = super().get_query()
        clause = g.get("personal_search_clause")
        return query if clause is None else query.where(clause)
