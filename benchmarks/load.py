"""Load test: 8 clerks at once against a real server process, then a reconciliation that nothing was lost.

    .venv/bin/python benchmarks/load.py [--seconds 60] [--clients 8] [--threads 8]
    .venv/bin/python benchmarks/load.py --database postgresql://postgres@127.0.0.1:5432/test

Starts waitress (as `make serve` does: waitress-serve --threads=8 --call admin_app:create_app) on a free port of
127.0.0.1, on a database of its own: a temporary SQLite file (deleted at the end), or, with --database, a
schema of its own in that PostgreSQL database (created, and dropped at the end; the server gets DATABASE_URL
with `?options=-c search_path=<schema>`). It holds the issuing office 县信访局 (高信访), a department, a town and
one staff account per client.

Each client is a thread with its own requests.Session that logs in through the login page, then, for
--seconds, takes petitions through the screens as a clerk does, each step a form page (GET) and its post
(POST, following the redirect to the page that says how it went):

    register  the new-petition form, with a new petitioner and a subject carrying a marker (client, counter)
    accept    受理 from the petition's page (/admin/petition/step/accept/?ids=)
    refer     the 转送/交办 form (/admin/petition/step/refer/?ids=) to the department
    edit      the edit form (/admin/petition/edit/?id=), every field as shown, its version and opened_at
              hidden fields carried back, the content replaced
    letter    印发 of the 受理告知书 from the petition's page (POST /admin/petition/letter/issue/)

A step counts as acknowledged when the page it leads to says so (已办理 1 件, 保存记录成功, 已印发 ...). An
error is an HTTP status of 500 or more, a failed connection, or any other page (its flashed messages are
kept as the reason); a refusal by the optimistic lock (其他人已保存了这条记录) is counted apart, as a conflict.
After the run, the database is read directly: every marker registered is there exactly once, every
acknowledged accept, referral, edit and letter is there exactly once (steps, referrals and documents counted
per petition, the content equal to the last acknowledged edit), letter and petition numbers are never given
twice, and the audit log's hash chain is whole.

The script also counts the server's open database connections (each request opens one and closes it after):
at most one per server thread during the run, none left open after it.

Figures measured on the development machine (2026-11-27; 2 cores shared by the server, the 8 clients and
other work: load average 5.5 to 8; Python 3.11, waitress 3.0.2, 8 server threads, 8 clients, 60 s, AR PL
UMing embedded in the letters; latencies in ms, median / p95, of a post and the page it leads to):

    SQLite (WAL)  2538 requests, 0 errors, 0 conflicts, 42.1 requests/s
                  register 205/1384, accept 232/1425, refer 304/1250, edit 281/1204, letter 572/1829, form 71/168
                  144 petitions: every write acknowledged is there once (140 accepted, 140 referred, 138 letters,
                  276 edits), 844 audit entries, the chain whole
    PostgreSQL    1767 requests, 0 errors, 0 conflicts, 29.3 requests/s
                  register 385/672, accept 434/706, refer 501/797, edit 530/833, letter 1086/2151, form 162/393
                  100 petitions: every write acknowledged is there once (99 accepted, 97 referred, 95 letters,
                  190 edits), 586 audit entries, the chain whole

Before SQLite transactions began IMMEDIATE (models/db.py), the same run on SQLite gave 584 errors of 5198
requests: "database is locked" on accept, refer and letter (a transaction that had read could not take the
write lock once another had written, and SQLite fails that at once, whatever the busy timeout).
"""
import argparse
import collections
import html
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from html.parser import HTMLParser
from urllib.parse import quote

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from models import audit, schema  # noqa: E402
from models.reports import tallies  # noqa: E402
from models import db as models_db  # noqa: E402
from models.casework import Referral  # noqa: E402
from models.documents import Document  # noqa: E402
from models.organisation import Department  # noqa: E402
from models.reports.tallies import PetitionTally  # noqa: E402
from models.people import User  # noqa: E402
from models.petition import NumberSeries, Petition, StepRecord  # noqa: E402

PASSWORD = "load-test-pass-1"
KINDS = ("login", "register", "accept", "refer", "edit", "letter", "form")
MARKER = "压测%s-%d-%d"  # run, client, counter


# -- the database and the server -------------------------------------------------------------------

class Database:
    """The load test's own database: a temporary SQLite file, or a schema of its own in PostgreSQL."""

    def __init__(self, postgres_url=None):
        self.postgres_url, self.schema, self.folder = postgres_url, None, None
        if postgres_url:
            self.schema = "load_%s" % uuid.uuid4().hex[:10]
            admin = models_db.connect(postgres_url)
            admin.execute_sql('CREATE SCHEMA "%s"' % self.schema)
            admin.close()
            separator = "&" if "?" in postgres_url else "?"
            self.url = postgres_url + separator + "options=" + quote("-c search_path=%s" % self.schema)
            self.server_url = self.url + "&application_name=" + self.schema  # to count its sessions
        else:
            self.folder = tempfile.mkdtemp(prefix="load-")
            self.url = self.server_url = "sqlite:///" + os.path.realpath(os.path.join(self.folder, "load.db"))

    def bind(self):
        self.admin = models_db.connect(self.url)
        return self.admin

    def drop(self):
        if self.schema:
            admin = models_db.connect(self.postgres_url)
            admin.execute_sql('DROP SCHEMA "%s" CASCADE' % self.schema)
            admin.close()
        if self.folder:
            shutil.rmtree(self.folder, ignore_errors=True)


def seed(clients):
    """The issuing office, a department, a town and one staff account per client; returns their ids."""
    schema.upgrade()
    Department.create(name="县信访局", short_name="高信访", kind="county")
    department = Department.create(name="县自然资源局", short_name="高自然资源", kind="county")
    town = Department.create(name="高桥镇", short_name="高桥", kind="town")
    for n in range(1, clients + 1):
        user = User(username="clerk%d" % n, display_name="压测干部%d" % n, role="staff")
        user.set_password(PASSWORD)
        user.save()
    return department.id, town.id


AUDIT_KEY = uuid.uuid4().hex
audit.configure(AUDIT_KEY)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(url, port, threads, log):
    """waitress-serve on 127.0.0.1:port, as `make serve` runs it; returns the process once it answers."""
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY=uuid.uuid4().hex, PYTHONWARNINGS="ignore",
               AUDIT_KEY=AUDIT_KEY, AUDIT_ANCHORS=os.devnull,  # the audit chain checked here with the same key
               LETTER_ISSUER="县信访局", SESSION_COOKIE_SECURE="")
    waitress = os.path.join(os.path.dirname(sys.executable), "waitress-serve")
    if not os.path.exists(waitress):
        waitress = shutil.which("waitress-serve") or waitress
    process = subprocess.Popen([waitress, "--threads=%d" % threads, "--host=127.0.0.1", "--port=%d" % port,
                                "--call", "admin_app:create_app"], cwd=ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT)
    deadline = time.time() + 60
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the server stopped at start-up (exit %s)" % process.returncode)
        try:
            if requests.get("http://127.0.0.1:%d/login" % port, timeout=2).status_code == 200:
                return process
        except requests.ConnectionError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("the server did not answer within 60 s")


class ConnectionWatcher(threading.Thread):
    """Counts the server's open database connections twice a second: on PostgreSQL its sessions (by their
    application_name), on SQLite the server process's open handles on the database file (Linux /proc).
    Each request opens one and closes it after (admin_app.init_database), so at most one per server thread."""

    def __init__(self, database, process):
        super().__init__(daemon=True)
        self.database, self.process, self.most, self.left, self.stop = database, process, 0, 0, threading.Event()

    def count(self):
        if self.database.schema:
            return self.database.admin.execute_sql("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
                                                   (self.database.schema,)).fetchone()[0]
        folder = "/proc/%d/fd" % self.process.pid
        target = self.database.url[len("sqlite:///"):]
        try:
            return sum(1 for fd in os.listdir(folder) if os.path.realpath(os.path.join(folder, fd)) == target)
        except OSError:
            return 0

    def run(self):
        while not self.stop.wait(0.5):
            self.most = max(self.most, self.count())

    def finish(self):
        """Stop sampling; count what is still open once the last responses are sent."""
        self.stop.set()
        self.join()
        time.sleep(1)
        self.left = self.count()


# -- reading pages ---------------------------------------------------------------------------------

def alerts(page):
    """The flashed messages of a page."""
    found = re.findall(r'(?s)<div class="alert[^"]*"[^>]*>(.*?)</div>', page)
    return [" ".join(html.unescape(re.sub(r"(?s)<[^>]+>|&times;", " ", a)).split()) for a in found]


def csrf_token(page):
    """The CSRF token of the page's forms (every form of a session carries the same kind of token)."""
    for tag in re.findall(r'<input[^>]*name="csrf_token"[^>]*>', page):
        match = re.search(r'value="([^"]+)"', tag)
        if match:
            return match.group(1)
    raise Unexpected("no CSRF token on the page")


class FormFields(HTMLParser):
    """The values a browser would submit from the page's first form of class `form_class`."""

    def __init__(self, form_class):
        super().__init__(convert_charrefs=True)
        self.form_class, self.inside, self.done = form_class, False, False
        self.fields, self.select, self.select_first, self.textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and not self.done and self.form_class in (a.get("class") or "").split():
            self.inside = True
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file", "image", "reset"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append((name, a.get("value", "on" if a.get("type") == "checkbox" else "")))
        elif tag == "select" and name:
            self.select, self.select_first = [name, None], None
        elif tag == "option" and self.select is not None:
            if self.select_first is None:
                self.select_first = a.get("value", "")
            if "selected" in a:
                self.select[1] = a.get("value", "")
        elif tag == "textarea" and name:
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if not self.inside:
            return
        if tag == "select" and self.select is not None:
            value = self.select[1] if self.select[1] is not None else self.select_first
            if value is not None:
                self.fields.append((self.select[0], value))
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            value = self.textarea[1]  # a browser drops the newline that opens a textarea
            self.fields.append((self.textarea[0], value[2:] if value.startswith("\r\n") else value[
                1:] if value.startswith("\n") else value))
            self.textarea = None
        elif tag == "form":
            self.inside, self.done = False, True


def form_fields(page, form_class):
    parser = FormFields(form_class)
    parser.feed(page)
    return parser.fields


# -- a client --------------------------------------------------------------------------------------

class Unexpected(Exception):
    """A page other than the one the step leads to."""


class Conflict(Exception):
    """The optimistic lock refused a save."""


class Client(threading.Thread):
    """One clerk: logs in, then registers, accepts, refers, edits and prints letters until the time is up."""

    def __init__(self, number, base, run, department, town, until):
        super().__init__(daemon=True)
        self.number, self.base, self.run_id, self.department, self.town = number, base, run, department, town
        self.until = until
        self.session = requests.Session()
        self.latencies = collections.defaultdict(list)
        self.requests = 0
        self.errors = []  # what went wrong, one line each
        self.conflicts = 0
        # What the server acknowledged: marker -> {"id", "accept", "refer", "letter": number, "edits": [content]}
        self.acknowledged = {}
        self.attempted = []  # every marker posted, acknowledged or not

    # one HTTP exchange: timed per kind, redirects followed (each one counted as a request)
    def call(self, kind, method, path, **kwargs):
        start = time.perf_counter()
        try:
            response = self.session.request(method, self.base + path, timeout=60, **kwargs)
        finally:
            self.latencies[kind].append(time.perf_counter() - start)
        self.requests += 1 + len(response.history)
        for r in response.history + [response]:
            if r.status_code >= 500:
                raise Unexpected("HTTP %d on %s" % (r.status_code, r.url))
        return response

    def page(self, path):
        response = self.call("form", "GET", path)
        if response.status_code != 200:
            raise Unexpected("HTTP %d on %s" % (response.status_code, path))
        return response.text

    def expect(self, response, pattern, where):
        """The page the post led to must say `pattern` (a regular expression): its match is returned;
        a refusal by the optimistic lock is a Conflict."""
        messages = alerts(response.text)
        for message in messages:
            match = re.search(pattern, message)
            if match:
                return match
        if any("其他人已保存了这条记录" in m for m in messages):
            raise Conflict(where)
        raise Unexpected("%s: HTTP %d, %s" % (where, response.status_code, " / ".join(messages) or "no message"))

    def login(self):
        token = csrf_token(self.page("/login"))
        response = self.call("login", "POST", "/login", data={
            "username": "clerk%d" % self.number, "password": PASSWORD, "csrf_token": token})
        if response.url.rstrip("/").endswith("/login") or "/admin" not in response.url:
            raise Unexpected("login: %s" % " / ".join(alerts(response.text)))

    def register(self, marker):
        token = csrf_token(self.page("/admin/petition/new/"))
        self.attempted.append(marker)
        response = self.call("register", "POST", "/admin/petition/new/", data={
            "csrf_token": token, "channel": "visit", "received_at": time.strftime("%Y-%m-%d %H:%M:%S"),
            "petitioner": "", "new_petitioner_name": "压测信访人%d" % self.number,
            "new_petitioner_phone": "138%08d" % (self.number * 1000000 + len(self.attempted) % 1000000),
            "head_count": "1", "subject": "宅基地纠纷 " + marker, "content": "压测登记的信访事项 " + marker,
            "town": str(self.town), "category": "", "_continue_editing": "1"})
        self.expect(response, "创建记录成功", "register")
        match = re.search(r"/admin/petition/edit/\?id=(\d+)", response.url)
        if not match:
            raise Unexpected("register: no petition id in %s" % response.url)
        self.acknowledged[marker] = {"id": int(match.group(1))}
        return int(match.group(1))

    def step(self, kind, petition_id, data=None):
        path = "/admin/petition/step/%s/?ids=%d" % (kind, petition_id)
        page = self.page(path if data is not None else "/admin/petition/details/?id=%d" % petition_id)
        response = self.call(kind, "POST", path, data=dict(data or {}, csrf_token=csrf_token(page)))
        self.expect(response, "已办理 1 件", kind)

    def edit(self, petition_id, content):
        path = "/admin/petition/edit/?id=%d&url=%s" % (petition_id, quote("/admin/petition/details/?id=%d"
                                                                          % petition_id, safe=""))
        fields = [(k, v) for k, v in form_fields(self.page(path), "admin-form") if k != "content"]
        names = {k for k, _ in fields}
        if not {"version", "opened_at", "csrf_token"} <= names:
            raise Unexpected("edit: the form lacks %s" % ({"version", "opened_at", "csrf_token"} - names))
        response = self.call("edit", "POST", path, data=fields + [("content", content)])
        self.expect(response, "保存记录成功", "edit")
        return content

    def letter(self, petition_id):
        page = self.page("/admin/petition/details/?id=%d" % petition_id)
        response = self.call("letter", "POST", "/admin/petition/letter/issue/?id=%d&kind=acceptance_notice&record="
                             % petition_id, data={"csrf_token": csrf_token(page)})
        return self.expect(response, r"已印发 (\S+)（信访事项受理告知书）", "letter").group(1)

    def one_petition(self, counter):
        """Register a petition, then accept, refer, edit, print its 受理告知书 and edit it again."""
        marker = MARKER % (self.run_id, self.number, counter)
        petition_id = self.register(marker)
        done = self.acknowledged[marker]
        done["edits"] = []
        for kind, action in (
                ("accept", lambda: self.step("accept", petition_id)),
                ("refer", lambda: self.step("refer", petition_id, {
                    "department": str(self.department), "mode": "assign", "due_on": "",
                    "instructions": "请核实 " + marker})),
                ("edit", lambda: self.edit(petition_id, "压测第一次修改 %s" % marker)),
                ("letter", lambda: self.letter(petition_id)),
                ("edit", lambda: self.edit(petition_id, "压测第二次修改 %s" % marker))):
            if time.time() >= self.until:
                return
            try:
                result = action()
            except Conflict:
                self.conflicts += 1
                return
            if kind == "edit":
                done["edits"].append(result)
            else:
                done[kind] = result or True

    def run(self):
        try:
            self.login()
        except Exception as err:  # noqa: BLE001 - counted, the run goes on
            self.errors.append("login: %s: %s" % (type(err).__name__, err))
            return
        counter = 0
        while time.time() < self.until:
            counter += 1
            try:
                self.one_petition(counter)
            except (Unexpected, requests.RequestException) as err:
                self.errors.append("%s: %s" % (type(err).__name__, err))


# -- the reconciliation ----------------------------------------------------------------------------

def reconcile(clients, run_id):
    """Compare what the clients were told against the database; returns a list of problems (empty: all well)."""
    problems = []
    pattern = "压测%s-" % run_id
    rows = list(Petition.select().where(Petition.subject.contains(pattern)))
    by_marker = collections.defaultdict(list)
    for petition in rows:
        by_marker[petition.subject.split(" ", 1)[1]].append(petition)
    attempted = {m for c in clients for m in c.attempted}
    acknowledged = {m: d for c in clients for m, d in c.acknowledged.items()}
    for marker in set(by_marker) - attempted:
        problems.append("%s is in the database but was never posted" % marker)
    for marker in attempted:
        found = by_marker.get(marker, [])
        if len(found) > 1:
            problems.append("%s registered %d times" % (marker, len(found)))
        if marker in acknowledged and len(found) != 1:
            problems.append("%s acknowledged but %d in the database" % (marker, len(found)))
    ids = [p.id for p in rows]
    steps = collections.Counter((s.petition_id, s.step)
                                for s in StepRecord.select().where(StepRecord.petition.in_(ids)))
    referrals = collections.Counter(r.petition_id for r in Referral.select().where(Referral.petition.in_(ids)))
    documents = list(Document.select(Document.id, Document.petition, Document.number).where(
        (Document.petition.in_(ids)) & (Document.kind == "acceptance_notice")))
    letters = collections.Counter(d.petition_id for d in documents)
    numbers = {d.petition_id: d.number for d in documents}
    edits = collections.Counter(e.record_id for e in audit.AuditEntry.select().where(
        (audit.AuditEntry.model == "petition") & (audit.AuditEntry.action == "update")
        & audit.AuditEntry.record_id.in_(ids)))
    contents = {p.id: p.content for p in rows}
    checked = collections.Counter()
    for marker, done in acknowledged.items():
        pid = done["id"]
        if [p.id for p in by_marker.get(marker, [])] != [pid]:
            problems.append("%s: acknowledged as petition %d, in the database as %s" % (
                marker, pid, [p.id for p in by_marker.get(marker, [])]))
            continue
        if steps[(pid, "register")] != 1:
            problems.append("%s: %d register steps" % (marker, steps[(pid, "register")]))
        for kind, found in (("accept", steps[(pid, "accept")]), ("refer", referrals[pid]), ("letter", letters[pid])):
            if kind in done:
                checked[kind] += 1
                if found != 1:
                    problems.append("%s: %s acknowledged, %d in the database" % (marker, kind, found))
            elif found > 1:
                problems.append("%s: %s %d times" % (marker, kind, found))
        if steps[(pid, "refer")] != referrals[pid]:
            problems.append("%s: %d refer steps for %d referrals" % (marker, steps[(pid, "refer")], referrals[pid]))
        if "letter" in done and numbers.get(pid) != done["letter"]:
            problems.append("%s: letter %s acknowledged, %s in the database" % (marker, done["letter"],
                                                                              numbers.get(pid)))
        checked["edit"] += len(done["edits"])
        if edits[pid] != len(done["edits"]):  # an edit without its audit entry, or one saved twice
            problems.append("%s: %d edits acknowledged, %d recorded" % (marker, len(done["edits"]), edits[pid]))
        if done["edits"] and contents[pid] != done["edits"][-1]:
            problems.append("%s: the content is not the last acknowledged edit" % marker)
    for prefix, model, column in (("XF", Petition, Petition.number), ("高信访", Document, Document.number)):
        numbers = [getattr(r, column.name) for r in model.select(column)]
        if len(numbers) != len(set(numbers)):
            problems.append("%s numbers given twice" % prefix)
        issued = sum(s.last for s in NumberSeries.select().where(NumberSeries.prefix == prefix))
        if issued != len(numbers):
            problems.append("%s: the series gave %d numbers for %d records" % (prefix, issued, len(numbers)))
    broken = audit.verify_chain()
    if broken is not None:
        problems.append("the audit chain breaks at entry %d" % broken)
    kept = {(t.month, t.measure, t.dimension, t.key): t.n for t in PetitionTally.select() if t.n}
    tallies.rebuild(models_db.database)
    if kept != {(t.month, t.measure, t.dimension, t.key): t.n for t in PetitionTally.select() if t.n}:
        problems.append("the statistics' monthly tallies differ from a fresh count")
    summary = {"petitions": len(rows), "acknowledged": len(acknowledged), **checked,
               "audit entries": audit.AuditEntry.select().count()}
    return problems, summary


# -- the report ------------------------------------------------------------------------------------

def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def report(clients, seconds, label, problems, summary, connections):
    total = sum(c.requests for c in clients)
    errors = [e for c in clients for e in c.errors]
    print("\n%s: %d clients, %.0f s" % (label, len(clients), seconds))
    print("requests: %d   errors: %d   conflicts: %d   requests/s: %.1f" % (
        total, len(errors), sum(c.conflicts for c in clients), total / seconds))
    print("%-9s %7s %10s %10s %10s" % ("kind", "count", "median ms", "p95 ms", "max ms"))
    for kind in KINDS:
        values = [v for c in clients for v in c.latencies[kind]]
        if values:
            print("%-9s %7d %10.0f %10.0f %10.0f" % (kind, len(values), statistics.median(values) * 1000,
                                                      percentile(values, 0.95) * 1000, max(values) * 1000))
    print("the server's database connections: at most %d open at once during the run, %d left open after it"
          % connections)
    for reason, count in collections.Counter(errors).most_common(10):
        print("  error x%d: %s" % (count, reason[:300]))
    print("reconciliation: %s" % ", ".join("%s %d" % kv for kv in summary.items()))
    if problems:
        print("reconciliation FAILED: %d problems" % len(problems))
        for problem in problems[:20]:
            print("  " + problem)
    else:
        print("reconciliation OK: every acknowledged write is in the database exactly once, none lost or doubled; "
              "the audit chain is whole, the monthly tallies agree with a fresh count")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--threads", type=int, default=8, help="waitress threads")
    parser.add_argument("--database", help="postgresql://... to run on PostgreSQL (a schema of its own)")
    parser.add_argument("--server-log", help="keep the server's output in this file")
    args = parser.parse_args()

    database = Database(args.database)
    log = open(args.server_log, "w") if args.server_log else tempfile.TemporaryFile()
    process = None
    try:
        connection = database.bind()
        department, town = seed(args.clients)
        connection.close()
        port = free_port()
        process = start_server(database.server_url, port, args.threads, log)
        if database.schema:
            database.bind()  # the watcher's own connection
        watcher = ConnectionWatcher(database, process)
        watcher.start()
        run_id = uuid.uuid4().hex[:6]
        until = time.time() + args.seconds
        clients = [Client(n, "http://127.0.0.1:%d" % port, run_id, department, town, until)
                   for n in range(1, args.clients + 1)]
        started = time.time()
        for client in clients:
            client.start()
        for client in clients:
            client.join()
        elapsed = time.time() - started
        watcher.finish()
        process.terminate()
        process.wait(30)
        process = None
        connection = database.bind()
        problems, summary = reconcile(clients, run_id)
        connection.close()
        label = "PostgreSQL" if args.database else "SQLite (WAL)"
        report(clients, elapsed, label, problems, summary, (watcher.most, watcher.left))
        errors = sum(len(c.errors) for c in clients)
        if not args.server_log and (errors or problems):
            log.seek(0)
            tail = log.read()[-3000:]
            print("\nthe server's last output:\n" + (tail.decode("utf-8", "replace") if tail else "(none)"))
        return 1 if errors or problems else 0
    finally:
        if process is not None:
            process.terminate()
            process.wait(30)
        log.close()
        database.drop()


if __name__ == "__main__":
    sys.exit(main())
