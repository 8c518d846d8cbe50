"""Accounts: Flask-Login, the Chinese login page at /login, logout, changing one's own password.

Sessions live in the database (models/sessions.py): the session cookie carries a random token whose row says
whether the session is still open. Logging out, changing one's password (the other sessions), a password reset
by the administrator or a deactivation (every session of that user), and SESSION_IDLE_MINUTES without a request
end it there, so a copy of the cookie kept from before opens nothing.

A session also remembers a stamp of the password it was opened with (a keyed hash of the password hash): a
password changed by any other way (the command line) ends the sessions as well.

Logins are counted before any password is checked: per account (LOCKOUT_ATTEMPTS wrong passwords in a row lock it
for LOCKOUT_MINUTES, and while it is locked no password is checked at all) and per client address
(LOGIN_ADDRESS_ATTEMPTS failures within LOGIN_ADDRESS_WINDOW_MINUTES block the address for
LOGIN_ADDRESS_BLOCK_MINUTES). An unknown username costs the same password hash as a known one.
"""
import hashlib
import hmac
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_admin.form import SecureForm
from flask_babel import gettext, lazy_gettext
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired

from models import audit, sessions
from models.db import database, now
from models.errors import ValidationError
from models.people import User, check_password_strength, verify_password

from . import i18n, personal

bp = Blueprint("auth", __name__)
login_manager = LoginManager()


class LoginForm(SecureForm):
    username = StringField(lazy_gettext("Username"), validators=[InputRequired()])
    password = PasswordField(lazy_gettext("Password"), validators=[InputRequired()])


class LogoutForm(SecureForm):
    """Only the CSRF token: logging out is a POST from a page of this site."""


class Account:
    """The logged-in user as Flask-Login sees it; wraps the User record."""

    def __init__(self, user):
        self.user = user

    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self):
        return self.user.active

    def get_id(self):
        return str(self.user.id)

    def __getattr__(self, name):
        return getattr(self.user, name)


PASSWORD_STAMP = "password_stamp"  # session keys
SESSION_TOKEN = "session_token"


def password_stamp(user):
    """A keyed hash of the user's password hash: changes whenever the password does, reveals nothing."""
    secret = current_app.secret_key
    secret = secret.encode("utf-8") if isinstance(secret, str) else secret
    return hmac.new(secret, b"session:" + (user.password_hash or "").encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def start_session(user):
    """Log the user in on a fresh session (a new row and token) that belongs to the present password."""
    session.clear()  # a fresh session at login: nothing carried over from before
    login_user(Account(user))
    session[SESSION_TOKEN] = sessions.start(user)
    session[PASSWORD_STAMP] = password_stamp(user)


def end_session(reason):
    """End the present session: its row in the database, then the cookie."""
    token = session.get(SESSION_TOKEN)
    if token:
        sessions.end(token, reason)
    logout_user()
    session.clear()


@login_manager.user_loader
def load_user(user_id):
    """The session's user, unless the session has ended (or has now, idle), the account is deactivated, or the
    password changed since the session began."""
    found, state = sessions.find(session.get(SESSION_TOKEN), current_app.config["SESSION_IDLE_MINUTES"])
    if state == "idle":
        g.session_idle = True
    if state != "open" or str(found.user_id) != str(user_id):
        return None
    user = found.user
    if not user.active:
        sessions.end(found, "deactivated")
        return None
    if not hmac.compare_digest(str(session.get(PASSWORD_STAMP, "")), password_stamp(user)):
        sessions.end(found, "password")
        return None
    return Account(user)


def end_idle_sessions():
    """Before every request: a session unused for SESSION_IDLE_MINUTES has ended (load_user); say so."""
    if request.endpoint in ("static", "admin.static") or request.blueprint == "public":
        return None  # the public look-up page neither reads nor ends a back-office session
    if current_user.is_authenticated:
        return None
    if not g.pop("session_idle", False):
        return None
    logout_user()
    session.clear()
    flash(gettext("You were logged out after %(minutes)s minutes without activity.",
                  minutes=current_app.config["SESSION_IDLE_MINUTES"]), "info")
    if request.endpoint == "auth.login":
        return None
    return redirect(url_for("auth.login", next=request.full_path))


def safe_next(target):
    """Only a path on this site may follow a login (no open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def locked_message(user):
    until = user.locked_until or now()
    return gettext("Too many wrong passwords: the account is locked until %(time)s.", time=until.strftime("%H:%M"))


def count_attempt(user):
    """Count a try of user's password before it is checked (User.login_attempt): None while locked."""
    config = current_app.config
    return user.login_attempt(config["LOCKOUT_ATTEMPTS"], config["LOCKOUT_MINUTES"])


def record_lock(user):
    audit.record("login_locked", user, user.id, by=user, summary="%d" % current_app.config["LOCKOUT_ATTEMPTS"])


def address_attempt():
    """Count a login attempt from the client's address; (allowed, blocked_until, blocked_now)."""
    config = current_app.config
    return sessions.address_attempt(request.remote_addr, config["LOGIN_ADDRESS_ATTEMPTS"],
                                    config["LOGIN_ADDRESS_WINDOW_MINUTES"], config["LOGIN_ADDRESS_BLOCK_MINUTES"])


def address_blocked_message(until):
    return gettext("Too many failed logins from this computer: try again after %(time)s.",
                   time=until.strftime("%H:%M") if until else "")


def authenticate(username, password):
    """Check a login; return the user, or None after flashing why not. Every path that reaches a password checks
    exactly one hash (a dummy one for an unknown username); a locked account or blocked address checks none."""
    allowed, blocked_until, blocked_now = address_attempt()
    if not allowed:
        flash(address_blocked_message(blocked_until), "error")
        return None
    user = User.get_or_none(User.username == username)
    attempt = count_attempt(user) if user is not None else False
    if attempt is None:
        flash(locked_message(user), "error")
        return None
    if not verify_password(user, password):
        flash(gettext("Wrong username or password."), "error")
        if attempt:
            record_lock(user)
        if blocked_now:
            audit.record("login_locked", "login_throttle", None, summary="%d" % current_app.config[
                "LOGIN_ADDRESS_ATTEMPTS"])
        return None
    user.login_succeeded()
    sessions.address_succeeded(request.remote_addr, current_app.config["LOGIN_ADDRESS_ATTEMPTS"])
    if not user.active:
        flash(gettext("This account has been deactivated; ask the system administrator."), "error")
        return None
    return user


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("admin.index"))
    form = LoginForm(request.form)
    if request.method == "POST" and form.validate():
        user = authenticate(form.username.data.strip(), form.password.data)
        if user is not None:
            start_session(user)
            return redirect(safe_next(request.args.get("next")) or url_for("admin.index"))
    elif request.method == "POST" and form.csrf_token.errors:
        flash(gettext("The form has expired; please try again."), "error")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    """POST (with the CSRF token) ends the session; GET only shows the button (a link or an image elsewhere
    must not log anyone out)."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    form = LogoutForm(request.form)
    if request.method == "POST":
        if form.validate():
            end_session("logout")
            flash(gettext("You have logged out."), "info")
            return redirect(url_for("auth.login"))
        flash(gettext("The form has expired; please try again."), "error")
    return render_template("auth/logout.html", form=form)


def logout_csrf():
    """The CSRF token of the logout button in the layout."""
    return LogoutForm().csrf_token.current_token


class PasswordForm(SecureForm):
    current_password = PasswordField(lazy_gettext("Current password"), validators=[InputRequired()])
    new_password = PasswordField(lazy_gettext("New password"), validators=[InputRequired()],
                                 description=lazy_gettext("At least 10 characters, not only digits."))
    new_password_again = PasswordField(lazy_gettext("New password again"), validators=[InputRequired()])


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """A user changes their own password; their other sessions end, this one goes on."""
    form = PasswordForm(request.form)
    user = User.get_by_id(current_user.id)
    if request.method == "POST" and form.validate():
        attempt = count_attempt(user)  # the current password is a password check like a login's
        right = attempt is not None and user.check_password(form.current_password.data)
        if right:
            user.login_succeeded()
        if not right and attempt is not False:  # locked before, or by this wrong password
            if attempt:
                record_lock(user)
            end_session("locked")
            flash(locked_message(user), "error")
            return redirect(url_for("auth.login"))
        if not right:
            form.current_password.errors.append(gettext("The current password is wrong."))
        elif form.new_password.data != form.new_password_again.data:
            form.new_password_again.errors.append(gettext("The two new passwords are not the same."))
        elif form.new_password.data == form.current_password.data:
            form.new_password.errors.append(gettext("The new password must differ from the current one."))
        else:
            try:
                check_password_strength(form.new_password.data)
            except ValidationError as err:
                form.new_password.errors.append(i18n.error_message(err))
            else:
                user.set_password(form.new_password.data)
                with database.atomic():  # only the hash: not an edit of the account that could clash with one
                    User.update(password_hash=user.password_hash).where(User.id == user.id).execute()
                    sessions.end_all(user, "password", keep=session.get(SESSION_TOKEN))
                    audit.record("update", user, user.id, by=user, summary=gettext("Changed own password"))
                session[PASSWORD_STAMP] = password_stamp(user)
                flash(gettext("Your password has been changed. Your other sessions have ended."), "success")
                return redirect(url_for("admin.index"))
    elif request.method == "POST" and form.csrf_token.errors:
        flash(gettext("The form has expired; please try again."), "error")
    response = current_app.make_response(render_template("auth/password.html", form=form))
    return personal.no_store(response)


def init_app(app):
    app.config.setdefault("LOCKOUT_ATTEMPTS", 5)
    app.config.setdefault("LOCKOUT_MINUTES", 15)
    app.config.setdefault("SESSION_IDLE_MINUTES", 30)
    app.config.setdefault("LOGIN_ADDRESS_ATTEMPTS", 30)
    app.config.setdefault("LOGIN_ADDRESS_WINDOW_MINUTES", 15)
    app.config.setdefault("LOGIN_ADDRESS_BLOCK_MINUTES", 15)
    app.config.setdefault("TRUSTED_PROXIES", 0)
    if app.config["TRUSTED_PROXIES"]:  # the client's address (throttling) and scheme as the proxies forward them
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    app.before_request(end_idle_sessions)
    app.context_processor(lambda: {"logout_csrf": logout_csrf})
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = lazy_gettext("Please log in first.")
    login_manager.login_message_category = "info"
    app.register_blueprint(bp)
    personal.init_app(app)
