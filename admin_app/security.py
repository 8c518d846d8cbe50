"""Session cookies, headers and logs: browsers are told to trust nothing remote, and ID numbers and phone numbers
never reach a log line. (The sessions themselves, and their end when idle, are in auth.py.)"""
import logging
import re

from flask import g, has_request_context, request
from flask.sessions import SecureCookieSessionInterface

# Content Security Policy: everything from this server, nothing remote. Flask-Admin's pages use inline
# scripts and styles, hence 'unsafe-inline' for them (still no other origin).
CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
       "frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": CSP,
}

ID_NUMBER = re.compile(r"(?<!\d)(\d{6})\d{8}(\d{3}[\dXx])(?!\d)")
MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})-?\d{3,4}(\d{4})(?!\d)")


def mask_text(text):
    """Any ID number or phone in free text, masked (371526********1234, 138****5678)."""
    text = ID_NUMBER.sub(lambda m: m.group(1) + "*" * 8 + m.group(2), text)
    text = MOBILE.sub(lambda m: m.group(1) + "****" + m.group(2), text)
    return LANDLINE.sub(lambda m: m.group(1) + "-****" + m.group(2), text)


CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def escape_controls(text):
    """Control characters (a path's %00%0A, a tab, ANSI escapes, line separators) as \\x00, \\n, \\u2028: one
    record is one line, and a request cannot forge another."""
    def escape(match):
        char = match.group()
        return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char) or (
            "\\x%02x" % ord(char) if ord(char) < 0x100 else "\\u%04x" % ord(char))
    return CONTROL.sub(escape, text)


class PersonalDataFilter(logging.Filter):
    """Masks personal identifiers in every record before any handler writes it (URLs, SQL, errors), and escapes
    its control characters."""

    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:  # a record whose arguments do not format: leave it to the handler
            return True
        masked = escape_controls(mask_text(message))
        if record.exc_info and record.exc_info[1] is not None:
            masked += " [%s]" % type(record.exc_info[1]).__name__
            record.exc_info, record.exc_text = None, None  # tracebacks carry SQL parameters and form values
        record.msg, record.args = masked, ()
        return True


def install_log_filter():
    """On the handlers of the root logger, on logging's last resort (what writes to stderr when no handler is
    configured, as under waitress), and of werkzeug's request log and waitress's."""
    log_filter = PersonalDataFilter()
    if logging.lastResort is not None and not any(isinstance(f, PersonalDataFilter)
                                                  for f in logging.lastResort.filters):
        logging.lastResort.addFilter(log_filter)
    for name in ("", "werkzeug", "waitress", "flask.app", "peewee", "admin_app"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, PersonalDataFilter) for f in logger.filters):
            logger.addFilter(log_filter)
        for handler in logger.handlers:
            if not any(isinstance(f, PersonalDataFilter) for f in handler.filters):
                handler.addFilter(log_filter)


class SessionInterface(SecureCookieSessionInterface):
    """The session cookie is Secure whenever the request came over HTTPS (or the setting says so)."""

    def get_cookie_secure(self, app):
        return bool(app.config["SESSION_COOKIE_SECURE"] or (has_request_context() and request.is_secure))

    def save_session(self, app, session, response):
        """Pages that keep no session (the public look-up, admin_app/public) never set or refresh the cookie."""
        if g.get("no_session"):
            return
        super().save_session(app, session, response)


def init_app(app):
    app.session_interface = SessionInterface()
    install_log_filter()
    app.logger.addFilter(PersonalDataFilter())

    @app.after_request
    def security_headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
