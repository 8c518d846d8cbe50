"""Accounts: Flask-Login, the Chinese login page at /login, logout, changing one's own password.

A session remembers a stamp of the password it was opened with (a keyed hash of the password hash): when
the password changes (by its owner or reset by the administrator) every other session of that user ends.
"""
import hashlib
import hmac
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_admin.form import SecureForm
from flask_babel import gettext, lazy_gettext
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired

from models import audit
from models.db import database
from models.errors import ValidationError
from models.people import User, check_password_strength

from . import i18n, personal

bp = Blueprint("auth", __name__)
login_manager = LoginManager()


class LoginForm(SecureForm):
    username = StringField(lazy_gettext("Username"), validators=[InputRequired()])
    password = PasswordField(lazy_gettext("Password"), validators=[InputRequired()])


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


PASSWORD_STAMP = "password_stamp"  # session key


def password_stamp(user):
    """A keyed hash of the user's password hash: changes whenever the password does, reveals nothing."""
    secret = current_app.secret_key
    secret = secret.encode("utf-8") if isinstance(secret, str) else secret
    return hmac.new(secret, b"session:" + (user.password_hash or "").encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def start_session(user):
    """Log the user in on a fresh session that belongs to the present password."""
    session.clear()  # a fresh session at login: nothing carried over from before
    login_user(Account(user))
    session[PASSWORD_STAMP] = password_stamp(user)


@login_manager.user_loader
def load_user(user_id):
    """The session's user, unless deactivated or the password changed since the session began."""
    user = User.get_or_none(User.id == int(user_id)) if str(user_id).isdigit() else None
    if user is None or not user.active:
        return None
    if not hmac.compare_digest(str(session.get(PASSWORD_STAMP, "")), password_stamp(user)):
        return None
    return Account(user)


def safe_next(target):
    """Only a path on this site may follow a login (no open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("admin.index"))
    form = LoginForm(request.form)
    if request.method == "POST" and form.validate():
        user = User.get_or_none(User.username == form.username.data.strip())
        config = current_app.config
        if user is not None and user.is_locked():
            flash(gettext("Too many wrong passwords: the account is locked until %(time)s.",
                          time=user.locked_until.strftime("%H:%M")), "error")
        elif user is None or not user.check_password(form.password.data):
            flash(gettext("Wrong username or password."), "error")
            if user is not None and user.login_failed(config["LOCKOUT_ATTEMPTS"], config["LOCKOUT_MINUTES"]):
                audit.record("login_locked", user, user.id, by=user, summary="%d" % config["LOCKOUT_ATTEMPTS"])
        elif not user.active:
            flash(gettext("This account has been deactivated; ask the system administrator."), "error")
        else:
            user.login_succeeded()
            start_session(user)
            return redirect(safe_next(request.args.get("next")) or url_for("admin.index"))
    elif request.method == "POST" and form.csrf_token.errors:
        flash(gettext("The form has expired; please try again."), "error")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST", "GET"])
def logout():
    logout_user()
    flash(gettext("You have logged out."), "info")
    return redirect(url_for("auth.login"))


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
        config = current_app.config
        if not user.check_password(form.current_password.data):
            form.current_password.errors.append(gettext("The current password is wrong."))
            if user.login_failed(config["LOCKOUT_ATTEMPTS"], config["LOCKOUT_MINUTES"]):
                audit.record("login_locked", user, user.id, by=user, summary="%d" % config["LOCKOUT_ATTEMPTS"])
                logout_user()
                flash(gettext("Too many wrong passwords: the account is locked until %(time)s.",
                              time=user.locked_until.strftime("%H:%M")), "error")
                return redirect(url_for("auth.login"))
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
                user.login_succeeded()
                user.set_password(form.new_password.data)
                with database.atomic():  # only the hash: not an edit of the account that could clash with one
                    User.update(password_hash=user.password_hash).where(User.id == user.id).execute()
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
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = lazy_gettext("Please log in first.")
    login_manager.login_message_category = "info"
    app.register_blueprint(bp)
    personal.init_app(app)
