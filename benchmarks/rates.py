"""How fast the 三率 are counted (models/reports/rates.py) on a large archive: median ms of the office's figures
and of the department ranking for each of the last years, and the query plans (SQLite).

    .venv/bin/python benchmarks/generate.py 1000000                 # once: benchmarks/data/petitions-1000000.db
    .venv/bin/python benchmarks/rates.py benchmarks/data/petitions-1000000.db

generate.py makes petitions only; the first run here adds, in a few SQL statements, what the 三率 read: the 告知
limit (notice_due), answers (answered_at), one referral of each accepted petition to one of the 40 departments
(replied, some late, some objected to and sent again), 复诊 for most answered petitions and the petitioner's own
evaluation for a fifth of them, then recounts the petitions' 三率 columns. The home page's target is 200 ms for a year on SQLite.
"""
import argparse
import datetime as dt
import os
import statistics as stats
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from models import schema  # noqa: E402
from models.db import connect, database  # noqa: E402
from models.petition import Petition  # noqa: E402
from models.reports import rates, statistics  # noqa: E402

RUNS = 5

# SQLite; ids drive the randomness (abs(random()) is not repeatable)
PREPARE = (
    "UPDATE petition SET notice_due = date(received_at, '+' || (10 + id % 8) || ' days') "
    "WHERE notice_due IS NULL",
    "UPDATE petition SET answered_at = datetime(closed_at, '-' || (id % 9) || ' days') "
    "WHERE status IN ('closed', 'rechecked') AND answered_at IS NULL",
    "UPDATE petition SET answered_at = datetime(accepted_at, '+' || (20 + id % 50) || ' days') "
    "WHERE status IN ('answered', 'followed_up') AND answered_at IS NULL",
    "UPDATE petition SET review_requested_at = answered_at WHERE status = 'rechecked'",
    "UPDATE petition SET recheck_requested_at = answered_at WHERE status = 'rechecked'",
    # one referral each (a twentieth objected to and sent again to another department)
    "INSERT INTO referral (version, petition_id, department_id, mode, sent_at, due_on, state, replied_at, objected_at) "
    "SELECT 1, id, (SELECT min(id) FROM department WHERE kind <> 'town') + id % 40, 'assign', "
    "datetime(accepted_at, '+1 days'), handling_due, CASE WHEN id % 20 = 0 THEN 'objected' "
    "WHEN answered_at IS NULL THEN 'sent' ELSE 'replied' END, "
    "CASE WHEN id % 20 <> 0 AND answered_at IS NOT NULL THEN datetime(answered_at, '-' || (id % 3) || ' days') END, "
    "CASE WHEN id % 20 = 0 THEN datetime(accepted_at, '+2 days') END "
    "FROM petition WHERE accepted_at IS NOT NULL ORDER BY id",
    "INSERT INTO referral (version, petition_id, department_id, mode, sent_at, due_on, state, replied_at) "
    "SELECT 1, id, (SELECT min(id) FROM department WHERE kind <> 'town') + (id + 7) % 40, 'assign', "
    "datetime(accepted_at, '+3 days'), handling_due, CASE WHEN answered_at IS NULL THEN 'sent' ELSE 'replied' END, "
    "answered_at FROM petition WHERE accepted_at IS NOT NULL AND id % 20 = 0 ORDER BY id",
    "INSERT INTO follow_up (version, petition_id, followed_on, method, evaluation, created_at) "
    "SELECT 1, id, date(answered_at, '+5 days'), 'phone', CASE id % 10 WHEN 0 THEN 'dissatisfied' "
    "WHEN 1 THEN 'basically' WHEN 2 THEN 'basically' ELSE 'satisfied' END, answered_at "
    "FROM petition WHERE answered_at IS NOT NULL AND id % 10 < 8 ORDER BY id",
    "INSERT INTO evaluation (version, petition_id, answered_at, rating, created_at, updated_at) "
    "SELECT 1, id, answered_at, CASE id % 3 WHEN 0 THEN 'dissatisfied' ELSE 'satisfied' END, answered_at, "
    "answered_at FROM petition WHERE answered_at IS NOT NULL AND id % 5 = 0 ORDER BY id",
)


def prepare():
    """Add what the 三率 read, once; then bring the schema up to date, which counts the 三率 columns (or, when it
    already was, recount them: rows added in SQL bypass the hooks that keep them)."""
    began = time.perf_counter()
    added = not database.execute_sql("SELECT count(*) FROM referral").fetchone()[0]
    if added:
        with database.atomic():
            for statement in PREPARE:
                database.execute_sql(statement)
        print("added answers, referrals, follow-ups and evaluations in %.1f s" % (time.perf_counter() - began))
    began = time.perf_counter()
    if schema.current_version(database.obj) < schema.LATEST:
        schema.upgrade(database.obj)
    elif added:
        with database.atomic():
            rates.recompute_all()
    else:
        return
    database.execute_sql("ANALYZE")
    print("the 三率 columns counted in %.1f s" % (time.perf_counter() - began))


def timed(function, *args):
    times = []
    for _ in range(RUNS + 1):
        began = time.perf_counter()
        result = function(*args)
        times.append(1000 * (time.perf_counter() - began))
    return stats.median(times[1:]), result  # the first run warms the cache


def plan(query):
    sql, params = query.sql()
    return "\n".join("    " + row[-1] for row in database.execute_sql("EXPLAIN QUERY PLAN " + sql, params))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("path", help="a SQLite database made by benchmarks/generate.py")
    parser.add_argument("--years", type=int, default=3, help="how many of the last years (default 3)")
    args = parser.parse_args(argv)
    connect("sqlite:///" + args.path)
    prepare()
    today = dt.date.today()
    total = Petition.select(Petition.id).count()
    print("%d petitions, %d referrals" % (total, database.execute_sql("SELECT count(*) FROM referral").fetchone()[0]))
    for year in range(today.year - args.years + 1, today.year + 1):
        period = statistics.year(year)
        office_ms, office = timed(rates.office, period, today)
        departments_ms, departments = timed(rates.departments, period, today)
        counts = office["counts"]
        print("%d: %d received; office %.0f ms, departments (%d) %.0f ms, both %.0f ms; 及时受理率 %s 按期办结率 %s "
              "满意率 %s" % (year, counts["received"], office_ms, len(departments), departments_ms,
                           office_ms + departments_ms,
                           *("%.1f%%" % (100 * office["rates"][k]) if office["rates"][k] is not None else "—"
                             for k in ("timely_rate", "on_time_rate", "satisfaction_rate"))))
    period = statistics.year(today.year)
    print("plan of the office's figures:\n" + plan(rates.office_query(period, today)))
    print("plan of the departments' figures:\n" + plan(rates.departments_query(period, today)))


if __name__ == "__main__":
    main()
