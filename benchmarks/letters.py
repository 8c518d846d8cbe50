"""Letters benchmark: the median time to render one 信访处理意见书, and to print 100 of them in one batch.

    .venv/bin/python benchmarks/letters.py [--runs 15] [--batch 100] [--font PATH]

Builds a temporary SQLite database (deleted at the end) with the issuing office 县信访局 (高信访), a
department and --batch petitions (and one more, for the two-page letter) driven through models.workflow to 办理
(the department's reply is recorded), then, inside a request context of the app:

- render: letters.build() of one 受理告知书 (one page), one 处理意见书 (one page) and one whose reply states long facts
  (two pages) (Jinja -> measured lines -> xhtml2pdf -> page numbers stamped on a letter of more than one page),
  --runs times each: the median wall time (min, max) and the median CPU time of the process;
- batch, first print: letters.print_batch() of the --batch petitions, each letter checked, numbered, rendered,
  archived (the petitions are answered first: printing never answers), then all merged into one PDF;
- batch, printed again: the same call when every letter is already issued (archived bytes merged).

The CPU time is given because the machine is shared: on a quiet machine the wall time is about the CPU time (the
batch before this change: 12.9 s CPU here, 13.2 s wall at load 3 below).

Issue 15 "Speed" (2026-12-06; 2 cores, load 7.7-8.5 from CI and other work, so the wall times are 2-3 times the
CPU times; Python 3.11, xhtml2pdf 0.2.28, reportlab 5.1.0, SQLite; the faces `make fonts` builds: Fandol Fang 18.5 MB
body, Noto Serif CJK SC Black title, WenQuanYi Zen Hei and AR PL UKai headings). Before and after, run back to back:

    before: render one acceptance_notice (1 page, 65 KB): median 152 ms (min 111, max 209; cpu 70 ms)
            render one handling_opinion (1 page, 85 KB): median 198 ms (min 161, max 289; cpu 85 ms)
            render one handling_opinion (2 pages, 119 KB): median 355 ms (min 290, max 533; cpu 136 ms)
            print 100 in one batch, issuing them: 31.2 s (312 ms a letter; cpu 12.9 s), 100 pages, 8.7 MB
            print 100 in one batch, archived: 3.3 s (33 ms a letter; cpu 1.3 s)
    after:  render one acceptance_notice (1 page, 65 KB): median 122 ms (min 82, max 222; cpu 40 ms)
            render one handling_opinion (1 page, 85 KB): median 146 ms (min 103, max 268; cpu 58 ms)
            render one handling_opinion (2 pages, 119 KB): median 291 ms (min 192, max 403; cpu 103 ms)
            print 100 in one batch, issuing them: 17.4 s (174 ms a letter; cpu 7.3 s), 100 pages, 8.7 MB
            print 100 in one batch, archived: 3.8 s (38 ms a letter; cpu 1.4 s)

What changed (admin_app/letters/fontfiles.py, render.py, sandbox.py, models/workflow/letters.py): each font file is
registered with reportlab once and named in the CSS, where an @font-face made xhtml2pdf read every face whole (four
files, 55 MB) twice a render; xhtml2pdf's default style sheet is cut to the elements letters use; a letter's
handling result, organs, issuer, wording and values are read once while it is checked, numbered and rendered (55
queries a 处理意见书, now 27); the office and settings once a batch; a wording compiled once a source.

Earlier figures (2026-12-05, load 4-5, AR PL UMing + WenQuanYi Zen Hei + AR PL UKai): one acceptance_notice
120 ms, one handling_opinion (then 2 pages) 91 ms, 100 in one batch 15.3 s (200 pages), archived 1.1 s; with the
faces of `make fonts` at load about 3: 72 ms, 87 ms (1 page), 13.2 s, 1.4 s.
"""
import argparse
import datetime as dt
import os
import shutil
import statistics
import sys
import tempfile
import time
import warnings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from admin_app import create_app  # noqa: E402
from admin_app.letters import render as letters  # noqa: E402
from models import schema, workflow  # noqa: E402
from models.organisation import Department  # noqa: E402
from models.people import Petitioner, User  # noqa: E402
from models.petition import Petition  # noqa: E402
from models.validation import id_check_character  # noqa: E402

CONTENT = ("信访人与原邻居因宅基地界址及两家共用道路的使用发生纠纷。原邻居翻建房屋时将院墙外扩，占用两家共用道路，"
           "致使信访人家中农用车辆无法通行。双方经村委会多次调解未果，矛盾逐步激化。信访人请求依法确认宅基地界址，"
           "恢复共用道路通行。")


def id_number(n):
    first17 = "371526" + "19650312" + "%03d" % (n % 1000)
    return first17 + id_check_character(first17)


FACTS = "经现场勘测，原邻居翻建房屋时院墙外扩约四十厘米，占用共用道路属实。"
# The facts of the one petition whose 处理意见书 runs to two pages (it is not in the batch).
LONG_FACTS = FACTS + ("经调取一九九八年宅基地使用证及村委会存档的界址图，两家宅基地以共用道路中线为界，道路宽三米，"
                      "由两家共同使用。原邻居于二〇二二年八月翻建房屋，新砌院墙向道路方向外扩，致使道路宽度不足二点六米，"
                      "信访人家中农用车辆无法通行。") * 4


def seed(count):
    """The office, a department, a clerk and `count` petitions with the department's reply recorded, and one more
    whose reply states LONG_FACTS (its 处理意见书 runs to two pages)."""
    Department.create(name="县信访局", short_name="高信访", kind="county")
    department = Department.create(name="县自然资源局", short_name="高自然资源", kind="county")
    clerk = User(username="bench", display_name="基准测试", role="staff")
    clerk.set_password("benchmark-pass-1")
    clerk.save()
    received = dt.datetime(2022, 12, 9, 9, 30)
    petitions = []
    for n in range(1, count + 2):
        person = Petitioner.create(name="刘某%d" % n, id_number=id_number(n), phone="138%08d" % n,
                                   address="高桥镇后屯村%d号" % n)
        petition = Petition.create(channel="visit", received_at=received, petitioner=person,
                                   subject="宅基地及共用道路纠纷", content=CONTENT)
        workflow.register(petition, clerk)
        workflow.accept(petition, clerk, at=received + dt.timedelta(hours=1))
        referral = workflow.refer(petition, department, clerk, at=received + dt.timedelta(days=3))
        workflow.record_reply(referral, clerk, "support", LONG_FACTS if n > count else FACTS,
                              "支持信访人确认宅基地界址、恢复共用道路通行的请求。", "《中华人民共和国民法典》第二百八十八条",
                              at=received + dt.timedelta(days=40))
        workflow.answer(petition, clerk, at=received + dt.timedelta(days=41))
        petitions.append(Petition.get_by_id(petition.id))
    return clerk, petitions[:-1], petitions[-1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="renders of one letter (median)")
    parser.add_argument("--batch", type=int, default=100, help="letters in the batch")
    parser.add_argument("--font", help="LETTER_FONT (default: a known system font)")
    args = parser.parse_args()

    warnings.simplefilter("ignore", UserWarning)  # Flask-Admin's notes on form rules: not about letters
    folder = tempfile.mkdtemp(prefix="letters-bench-")
    try:
        config = {"DATABASE_URL": "sqlite:///" + os.path.join(folder, "bench.db"), "SECRET_KEY": "bench",
                  "TESTING": True}
        if args.font:
            config["LETTER_FONT"] = args.font
        app = create_app(config)
        schema.upgrade()
        clerk, petitions, long_one = seed(args.batch)
        with app.test_request_context("/"):
            fonts = letters.find_fonts()
            print("fonts: %s" % (", ".join(fonts.files()) or "STSong-Light (not embedded)"))

            for kind, petition in (("acceptance_notice", petitions[0]), ("handling_opinion", petitions[0]),
                                   ("handling_opinion", long_one)):  # one page, one page, two pages
                pdf, _ = letters.build(kind, petition, None, "高信访〔2023〕1号", dt.datetime.now())
                timings, cpu = [], []
                for _ in range(args.runs):
                    start, start_cpu = time.perf_counter(), time.process_time()
                    pdf, _ = letters.build(kind, petition, None, "高信访〔2023〕1号", dt.datetime.now())
                    timings.append((time.perf_counter() - start) * 1000)
                    cpu.append((time.process_time() - start_cpu) * 1000)
                print("render one %s (%d page%s, %d KB): median %.0f ms (min %.0f, max %.0f; cpu %.0f ms) over %d runs"
                      % (kind, letters.page_count(pdf), "s" if letters.page_count(pdf) > 1 else "", len(pdf) // 1024,
                         statistics.median(timings), min(timings), max(timings), statistics.median(cpu), args.runs))

            for label in ("issuing them", "archived"):
                start, start_cpu = time.perf_counter(), time.process_time()
                batch, printed, skipped = letters.print_batch("handling_opinion", petitions, clerk)
                seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - start_cpu
                print("print %d in one batch, %s: %.1f s (%.0f ms a letter; cpu %.1f s), %d pages, %.1f MB%s" % (
                    len(printed), label, seconds, seconds * 1000 / max(len(printed), 1), cpu_seconds,
                    letters.page_count(batch), len(batch) / 1e6,
                    ", %d skipped" % len(skipped) if skipped else ""))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
