"""Chinese everywhere: the locale, translated domain messages and choices, Chinese dates."""
import os

from flask_babel import Babel, gettext, lazy_gettext

TRANSLATIONS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "translations")
LOCALE = "zh_Hans_CN"


def init_app(app):
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", TRANSLATIONS_DIR)
    Babel(app, locale_selector=lambda: LOCALE)
    app.jinja_env.filters["cn_date"] = cn_date
    app.jinja_env.filters["cn_datetime"] = cn_datetime
    app.jinja_env.globals["choice_label"] = choice_label
    from models.casework import VISIT_KINDS
    from models.people import ROLES

    app.jinja_env.globals.update(roles=ROLES, visit_kinds=VISIT_KINDS)


def error_message(err):
    """The Chinese text of a models.errors.DomainError."""
    return gettext(err.message, **err.params)


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
