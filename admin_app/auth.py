"""Accounts: Flask-Login, the Chinese login page at /login, logout."""
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_admin.form import SecureForm
from flask_babel import gettext, lazy_gettext
from flask_login import LoginManager, current_user, login_user, logout_user
from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired

from models import audit
from models.people import User

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


@login_manager.user_loader
def load_user(user_id):
    user = User.get_or_none(User.id == int(user_id)) if str(user_id).isdigit() else None
    return Account(user) if user and user.active else None


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
            session.clear()  # a fresh session at login: nothing carried over from before
            login_user(Account(user))
            return redirect(safe_next(request.args.get("next")) or url_for("admin.index"))
    elif request.method == "POST" and form.csrf_token.errors:
        flash(gettext("The form has expired; please try again."), "error")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST", "GET"])
def logout():
    logout_user()
    flash(gettext("You have logged out."), "info")
    return redirect(url_for("auth.login"))


def init_app(app):
    app.config.setdefault("LOCKOUT_ATTEMPTS", 5)
    app.config.setdefault("LOCKOUT_MINUTES", 15)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = lazy_gettext("Please log in first.")
    login_manager.login_message_category = "info"
    app.register_blueprint(bp)
