"""The petition office's back-office: create_app() wires the database, login, screens and commands."""
import logging
import os

from flask import Flask, redirect, render_template, request, url_for

from models import settings
from models.db import connect, database
from models.workflow import repeats

from . import auth, commands, i18n, inputs, maintenance, security
from .config import INSTANCE_DIR, from_environment

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def create_app(config=None):
    """The app factory: settings from the environment, overridden by config (tests pass their own)."""
    app = Flask(__name__, template_folder=os.path.join(ROOT, "templates"), instance_path=INSTANCE_DIR)
    app.config.update(from_environment(config))
    init_database(app)
    repeats.configure(app.config.get("REPEAT_WINDOW_MONTHS"))  # 初件/重件: the window of models/workflow/repeats.py
    settings.fix(app.config)  # the office settings the deployment sets; the rest are the 系统设置 page's
    maintenance.init_app(app)  # the audit key and anchors; writes refused while restoring
    i18n.init_app(app)
    auth.init_app(app)
    security.init_app(app)
    inputs.init_app(app)  # no NUL character in a path, query or form
    from . import views

    views.register(app)
    from . import api

    api.init_app(app)  # /api/v1: the hotline API (tokens, no session)
    from . import public

    public.init_app(app)  # /chaxun: the petitioner's look-up and 评价 (no session)
    release_startup_connection(app)
    commands.init_app(app)
    register_error_pages(app)

    @app.route("/")
    def root():
        return redirect(url_for("admin.index"))

    return app


def init_database(app):
    """Bind the models to DATABASE_URL; one connection per request, closed after it."""
    url = app.config["DATABASE_URL"]
    if url.startswith("sqlite:///") and not url.endswith(":memory:"):
        os.makedirs(os.path.dirname(os.path.abspath(url[len("sqlite:///"):])), exist_ok=True)
    connect(url)
    in_memory = url.endswith(":memory:")

    @app.before_request
    def open_connection():
        database.connect(reuse_if_open=True)
        settings.forget()  # the office settings are read afresh by each request (a change applies at once)

    @app.teardown_request
    def close_connection(exc):
        if not in_memory and not database.is_closed() and not database.in_transaction():
            database.close()


def release_startup_connection(app):
    """Close the connection that building the screens opened (their filters read options from the database).

    Requests run in the server's threads, each with a connection of its own per request; left open, this one
    would sit idle in the starting thread for the life of the process (a PostgreSQL session; on SQLite in
    WAL mode a lock that keeps the file handles of closed connections open)."""
    if not app.config["DATABASE_URL"].endswith(":memory:") and not database.is_closed() \
            and not database.in_transaction():
        database.close()


def register_error_pages(app):
    """400, 403, 404, 405 and 500 in Chinese; a 400 of inputs.BadInput says what was refused; the 500 page shows
    no detail of the error (the log has its kind and the request, control characters escaped by security.py)."""

    def page(code):
        def handler(error):
            if code == 500:
                logging.getLogger(__name__).error("internal error: %s on %s %s", type(getattr(
                    error, "original_exception", None) or error).__name__, request.method, request.path)
            message = error.description if isinstance(error, inputs.BadInput) else None
            return render_template("errors/page.html", code=code, message=message), code

        return handler

    for code in (400, 403, 404, 405, 500):
        app.register_error_handler(code, page(code))
