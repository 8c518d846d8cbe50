"""Browser tests: the real app served on 127.0.0.1 in a thread, driven by Debian's Chromium through Playwright.

The app binds the global peewee DatabaseProxy (models.db.database), so the server runs in this process:
the test seeds the database directly and the server reads the same file.
Without /usr/bin/chromium the whole directory is skipped (see test_browser.py).
"""
import os
import threading
from dataclasses import dataclass

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
USERNAME = "zhangsan"
PASSWORD = "correct-horse-1"


@dataclass
class LiveServer:
    url: str
    username: str
    password: str
    town: object
    category: object
    petitioner: object


@pytest.fixture
def live_server(tmp_path):
    """The app on a fresh SQLite database with a staff user, a town, a category and a petitioner on record."""
    from admin_app import create_app
    from models import schema
    from models.db import database
    from models.organisation import Category, Department
    from models.people import Petitioner, User

    app = create_app({"DATABASE_URL": "sqlite:///" + str(tmp_path / "e2e.db"),
                      "SECRET_KEY": "e2e-secret", "TESTING": True})
    schema.upgrade()
    user = User(username=USERNAME, display_name="张三", role="staff")
    user.set_password(PASSWORD)
    user.save()
    town = Department.create(name="高桥镇", short_name="高桥", kind="town")
    category = Category.create(name="土地宅基地")
    petitioner = Petitioner.create(name="王某某", phone="13812345678")
    database.close()  # the server's requests open their own connections

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer("http://127.0.0.1:%d" % server.server_port, USERNAME, PASSWORD, town, category, petitioner)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        if not database.is_closed():
            database.close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no cookies) whose relative URLs go to the live server; fails on JS errors."""
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 1366, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    try:
        yield page
    finally:
        context.close()
    assert not errors, "JavaScript errors on the pages: %s" % errors
