"""Chinese everywhere: the locale, translated domain messages and choices, Chinese dates."""
import datetime as dt
import os

from flask_babel import Babel, gettext, lazy_gettext

TRANSLATIONS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "translations")
LOCALE = "zh_Hans_CN"


def compile_catalogs(force=False):
    """Compile messages.po into messages.mo, and into admin.mo together with Flask-Admin's own catalog.

    Flask-Admin's shipped admin.mo lags behind its admin.po (e.g. "Failed to create record." is
    untranslated), so we compile its .po ourselves and let our entries fill what it lacks.
    """
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    import flask_admin

    folder = os.path.join(TRANSLATIONS_DIR, LOCALE, "LC_MESSAGES")
    source = os.path.join(folder, "messages.po")
    targets = [os.path.join(folder, name) for name in ("messages.mo", "admin.mo")]
    if not force and all(os.path.exists(t) and os.path.getmtime(t) >= os.path.getmtime(source) for t in targets):
        return False
    with open(source, "rb") as f:
        ours = read_po(f, locale=LOCALE)
    with open(targets[0], "wb") as f:
        write_mo(f, ours)
    theirs_path = os.path.join(os.path.dirname(flask_admin.__file__), "translations", LOCALE, "LC_MESSAGES", "admin.po")
    with open(theirs_path, "rb") as f:
        theirs = read_po(f, locale=LOCALE)
    for message in ours:
        if message.id and message.string and not theirs.get(message.id):
            theirs[message.id] = message
    with open(targets[1], "wb") as f:
        write_mo(f, theirs)
    return True


def init_app(app):
    try:
        compile_catalogs()
    except OSError:  # a read-only installation: the catalogs were compiled when it was built
        pass
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", TRANSLATIONS_DIR)
    Babel(app, locale_selector=lambda: LOCALE)
    app.jinja_env.filters["cn_date"] = cn_date
    app.jinja_env.filters["cn_datetime"] = cn_datetime
    app.jinja_env.globals["choice_label"] = choice_label
    from models.casework import VISIT_KINDS
    from models.people import ROLES
    from models.petition import STATUSES

    app.jinja_env.globals.update(roles=ROLES, visit_kinds=VISIT_KINDS, statuses=STATUSES)


def error_message(err):
    """The Chinese text of a models.errors.DomainError: dates as 2022年12月9日, msgid params translated."""
    params = {}
    for name, value in err.params.items():
        if isinstance(value, dt.date):
            value = cn_date(value)
        elif name in err.translate:
            value = gettext(value)
        params[name] = value
    return gettext(err.message, **params)


def choices(pairs):
    """(code, msgid) pairs of models/ as (code, lazy Chinese label) for forms and filters."""
    return [(code, lazy_gettext(label)) for code, label in pairs]


def choice_label(pairs, code):
    """The Chinese label of a code, or the code itself when unknown."""
    label = dict(pairs).get(code)
    return gettext(label) if label else (code or "")


def cn_date(value):
    """2022年12月9日: Arabic numerals, no leading zeros."""
    if not value:
        return ""
    return "%d年%d月%d日" % (value.year, value.month, value.day)


def cn_datetime(value):
    """2022年12月9日 09:30"""
    if not value:
        return ""
    return "%s %02d:%02d" % (cn_date(value), value.hour, value.minute)
