"""Peak memory and time of the imports' table reader on zip bombs and a good file, each in a child process.

    .venv/bin/python benchmarks/zip_bombs.py [--limit-mb 2000] [--timeout 120]

Each file is read by models.imports.table.read_table with the hotline importer's limits (the screen's and the CLI's
path) in a fresh process under RLIMIT_AS; the line says the file's size, the seconds, the child's peak resident memory
(VmHWM) and how it ended.

Measured 2026-12-05 on the 2-core machine (shared, so the seconds are loose), --limit-mb 4000:

    file                         size     before (openpyxl read_only)              after (the own streaming reader)
    good 2,000 rows              0.05 MB  48 MB, 0.5 s, read                       47 MB, 0.9 s, read
    rows bomb (ratio 230)        0.77 MB  still running after 60 s                 47 MB, 1.0 s, refused: ratio
    rows bomb under the ratio    0.93 MB  135 MB, 88 s, refused at 50,000 rows     59 MB, 25 s, refused at 50,000 rows
    shared string bomb (190 MB)  0.19 MB  601 MB, 10 s, read                       46 MB, 0.8 s, refused: ratio
    wide dimension (A1:XFD...)   0.35 MB  3,961 MB, 54 s, MemoryError at 4 GB      58 MB, 2.3 s, read (50,000 rows)
    lying declared size          0.66 MB  47 MB, refused: not readable             47 MB, refused: not readable

The wide dimension bomb is the one the issue met (a sheet declaring 16,384 columns: the old reader padded every row
to them). The rows bomb under the ratio costs time, not memory: it is as long to read as a real 50,000-row file.
"""
import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from tests import xlsx_files  # noqa: E402

CHILD = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
from models.db import connect
from models.imports import hotline
from models.imports import table
data = open(sys.argv[1], "rb").read()
try:
    found = table.read_table(data, "bomb.xlsx", {{h: h for h in hotline.DEFAULT_COLUMNS["number"]}},
                             table.Limits(rows=hotline.MAX_ROWS))
    print("read", len(found.rows), "rows")
except table.FileUnreadable as err:
    print("refused:", err.message % err.params if err.params else err.message)
except MemoryError:
    print("MemoryError at the limit")
peak = [line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM")][0]
print("peak %.0f MB" % (int(peak) / 1024))  # VmHWM: ru_maxrss would count the parent's peak at fork
"""


def run(name, data, limit, timeout):
    with tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as f:
        f.write(data)
    started = time.time()
    child = subprocess.Popen([sys.executable, "-c", CHILD.format(limit=limit), f.name], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = child.communicate(timeout=timeout)
        ended = " ".join(out.split("\n")[::-1]).strip() or (err.strip().splitlines() or ["?"])[-1]
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        ended = "still running after %s s" % timeout
    seconds = time.time() - started
    os.unlink(f.name)
    return "%-26s %8.2f MB  %s" % (name, len(data) / 1024 / 1024, "%.1f s  %s" % (seconds, ended[:110]))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit-mb", type=int, default=2000)
    parser.add_argument("--timeout", type=int, default=120)
    args = parser.parse_args()
    limit = args.limit_mb * 1024 * 1024
    files = [
        ("good 2,000 rows", xlsx_files.good([("A-%d" % n, "2023-03-01 09:30", "139%08d" % n, "内容%d" % n)
                                             for n in range(2000)])),
        ("rows bomb", xlsx_files.many_rows(110000)),
        ("rows bomb under the ratio", xlsx_files.many_rows(120000, 40, varied=True)),
        ("shared string bomb", xlsx_files.huge_shared_string(190 * 1024 * 1024)),
        ("wide dimension bomb", xlsx_files.wide_dimension(50000)),
        ("lying declared size", xlsx_files.lying_size(150 * 1024 * 1024)),
    ]
    for name, data in files:
        print(run(name, data, limit, args.timeout), flush=True)


if __name__ == "__main__":
    main()
