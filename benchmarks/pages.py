"""How fast the screens answer on a large database: median ms of each kind of request, and SQL queries per page.

    .venv/bin/python benchmarks/pages.py 10000 100000 1000000
    .venv/bin/python benchmarks/pages.py 100000 --postgres postgresql://postgres@127.0.0.1:5432/test

For each size N: the database benchmarks/data/petitions-N.db (SQLite; made by benchmarks/generate.py when it
is missing), or with --postgres a schema bench_N of that database (filled by generate.py when empty). Then
the production server (waitress, as `make serve` runs it) starts on it, a staff user logs in through the
login page, and each request below is sent 7 times after one warm-up; the median is printed, with the rows
the page says it found and the SQL queries the same page runs (counted in-process with peewee's query log).
The server's resident memory (RSS) is read from /proc after the run.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from urllib.parse import quote, urlencode

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import generate  # noqa: E402
from load import csrf_token, free_port, start_server  # noqa: E402

from models import db as models_db  # noqa: E402
from models.people import User  # noqa: E402
from models.petition import Petition  # noqa: E402

PASSWORD = "bench-pass-2026"
RUNS = 7


def requests_to_time(petition, year):
    """(label, path) of every kind of request; petition: a row to search by its petitioner and number."""
    person = petition.petitioner
    return [
        ("list, page 1", "/admin/petition/"),
        ("list, page 2000", "/admin/petition/?page=1999"),
        ("search a common phrase", "/admin/petition/?" + urlencode({"search": "地力保护补贴"})),
        ("search a rare phrase", "/admin/petition/?" + urlencode({"search": "王建国此前因同一事项"})),
        ("search 2 characters (a given name)", "/admin/petition/?" + urlencode({"search": "翠花"})),
        ("search a petitioner's full name", "/admin/petition/?" + urlencode({"search": person.name})),
        ("search a petition number", "/admin/petition/?" + urlencode({"search": petition.number})),
        ("search a phone number", "/admin/petition/?" + urlencode({"search": person.phone})),
        ("search an ID number", "/admin/petition/?" + urlencode({"search": person.id_number})),
        ("filter status", "/admin/petition/?flt0_0=not_accepted"),
        ("filter town + status", "/admin/petition/?flt0_3=%d&flt1_0=closed" % petition.town_id),
        ("filter category + channel + team", "/admin/petition/?flt0_2=%d&flt1_1=visit&flt2_5=1" % petition.category_id),
        ("search + town + status", "/admin/petition/?" + urlencode(
            {"search": "地力保护补贴", "flt0_3": petition.town_id, "flt1_0": "closed"})),
        ("overdue list", "/admin/petition/?flt0_7=1"),
        ("due-soon list", "/admin/petition/?flt0_8=1"),
        ("home statistics, a whole year", "/admin/?period=year&year=%d" % year),
    ]


def found(page):
    """What the list says it found: (12345) on its tab, or 约 / 超过."""
    match = re.search(r"列表\s*\(([^)]*)\)", page)
    return match.group(1) if match else "-"


def prepare(size, postgres):
    if postgres:
        schema = "bench_%d" % size
        admin = models_db.connect(postgres)
        admin.execute_sql('CREATE SCHEMA IF NOT EXISTS "%s"' % schema)
        admin.close()
        url = postgres + ("&" if "?" in postgres else "?") + "options=" + quote("-c search_path=%s" % schema)
        models_db.connect(url)
        from models import schema as schema_module

        schema_module.upgrade()
        if not Petition.select().exists():
            generate.main([str(size), "--database", url])
    else:
        path = os.path.join(ROOT, "benchmarks", "data", "petitions-%d.db" % size)
        url = "sqlite:///" + path
        if not os.path.exists(path):
            generate.main([str(size)])
        models_db.connect(url)
    from models import schema as schema_module

    schema_module.upgrade()
    user = User.get_or_none(User.username == "bench")
    if user is None:
        user = User(username="bench", display_name="测速干部", role="staff")
    user.set_password(PASSWORD)
    user.save()
    return url


def log_in(base):
    session = requests.Session()
    page = session.get(base + "/login").text
    response = session.post(base + "/login", data={"username": "bench", "password": PASSWORD,
                                                   "csrf_token": csrf_token(page)})
    if "/login" in response.url:
        raise RuntimeError("could not log in")
    return session


def query_counts(url, paths):
    """SQL queries per page, counted in-process on the same database (peewee's query log)."""
    from playhouse.test_utils import count_queries

    from admin_app import create_app

    app = create_app({"DATABASE_URL": url, "WTF_CSRF_ENABLED": True})
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"username": "bench", "password": PASSWORD, "csrf_token": csrf_token(page)})
    counts = {}
    for label, path in paths:
        with count_queries() as counter:
            client.get(path, follow_redirects=True)
        counts[label] = counter.count
    return counts


def rss_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0


def measure(size, postgres):
    url = prepare(size, postgres)
    sample = Petition.select().where(Petition.town.is_null(False)).order_by(Petition.id.desc()).offset(size // 2).first()
    year = Petition.select(Petition.received_at).order_by(Petition.id.desc()).first().received_at.year - 1
    paths = requests_to_time(sample, year)
    models_db.database.close()
    counts = query_counts(url, paths)
    models_db.database.close()
    port = free_port()
    server = start_server(url, port, 8, subprocess.DEVNULL)  # waitress, as `make serve` runs it
    base = "http://127.0.0.1:%d" % port
    results = []
    try:
        session = log_in(base)
        for label, path in paths:
            page = session.get(base + path).text  # warm-up
            times = []
            for _ in range(RUNS):
                began = time.perf_counter()
                response = session.get(base + path)
                times.append((time.perf_counter() - began) * 1000)
                if response.status_code != 200:
                    raise RuntimeError("%s: HTTP %d" % (path, response.status_code))
            results.append((label, statistics.median(times), found(page), counts.get(label)))
        memory = rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait()
    kind = "PostgreSQL" if postgres else "SQLite"
    print("\n%s, %d petitions (median of %d, ms; rows the page reports; SQL queries per page)" % (kind, size, RUNS))
    for label, ms, rows, queries in results:
        print("  %-38s %9.1f ms  %-16s %3s queries" % (label, ms, rows, queries))
    print("  server's peak memory (VmHWM): %.0f MB" % memory)
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sizes", type=int, nargs="+")
    parser.add_argument("--postgres", help="a PostgreSQL URL: measure there (schemas bench_N) instead of SQLite")
    args = parser.parse_args()
    for size in args.sizes:
        measure(size, args.postgres)


if __name__ == "__main__":
    main()
