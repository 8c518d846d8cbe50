"""Letters benchmark: the median time to render one 信访处理意见书, and to print 100 of them in one batch.

    .venv/bin/python benchmarks/letters.py [--runs 15] [--batch 100] [--font PATH]

Builds a temporary SQLite database (deleted at the end) with the issuing office 县信访局 (高信访), a
department and --batch petitions driven through models.workflow to 办理 (the department's reply is
recorded), then, inside a request context of the app:

- render: letters.build() of one 受理告知书 (one page) and one 处理意见书 (two pages) (Jinja -> measured lines ->
  xhtml2pdf -> page numbers stamped on a letter of more than one page), --runs times each: the median;
- batch, first print: letters.print_batch() of the --batch petitions, each letter numbered, rendered,
  archived (the petitions are answered first: printing never answers), then all merged into one PDF;
- batch, printed again: the same call when every letter is already issued (archived bytes merged).

Figures measured on the development machine (2026-12-05; 2 cores shared with other work, load about 4-5;
Python 3.11, xhtml2pdf 0.2.28, reportlab 5.1.0, AR PL UMing + WenQuanYi Zen Hei + AR PL UKai embedded, SQLite):

    render one acceptance_notice (1 page, 55 KB): median 120 ms (min 77, max 175) over 15 runs
    render one handling_opinion (2 pages, 91 KB): median 91 ms (min 66, max 160) over 15 runs
    print 100 in one batch, issuing them: 15.3 s (153 ms a letter), 200 pages, 9.3 MB
    print 100 in one batch, archived: 1.1 s (11 ms a letter), 200 pages, 9.3 MB

With the faces `make fonts` builds (2026-12-06, same machine, load about 3; Fandol Fang 18.5 MB with Noto Serif
CJK SC for what it lacks, Noto Serif CJK SC Black 2.7 MB, WenQuanYi Zen Hei, AR PL UKai), against Debian's faces in the
same run conditions (the handling opinion now fits one page):

    render one acceptance_notice (1 page, 65 KB): median 72 ms (min 68, max 94)   [UMing/Zen Hei: 71 ms, 55 KB]
    render one handling_opinion (1 page, 85 KB): median 87 ms (min 81, max 95)    [UMing/Zen Hei: 83 ms, 61 KB]
    print 100 in one batch, issuing them: 13.2 s (132 ms a letter), 8.7 MB        [UMing/Zen Hei: 12.9 s, 6.2 MB]
    print 100 in one batch, archived: 1.4 s (14 ms a letter)                      [UMing/Zen Hei: 1.4 s]

(Before the digest cache in render.py, xhtml2pdf hashed every font file on every render: 338 ms a letter.)
Each face is read whole by xhtml2pdf on every render (its resource budget): about 70 ms a letter for three faces.
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
                timings = []
                for _ in range(args.runs):
                    start = time.perf_counter()
                    pdf, _ = letters.build(kind, petition, None, "高信访〔2023〕1号", dt.datetime.now())
                    timings.append((time.perf_counter() - start) * 1000)
                print("render one %s (%d page%s, %d KB): median %.0f ms (min %.0f, max %.0f) over %d runs" % (
                    kind, letters.page_count(pdf), "s" if letters.page_count(pdf) > 1 else "", len(pdf) // 1024,
                    statistics.median(timings), min(timings), max(timings), args.runs))

            for label in ("issuing them", "archived"):
                start = time.perf_counter()
                batch, printed, skipped = letters.print_batch("handling_opinion", petitions, clerk)
                seconds = time.perf_counter() - start
                print("print %d in one batch, %s: %.1f s (%.0f ms a letter), %d pages, %.1f MB%s" % (
                    len(printed), label, seconds, seconds * 1000 / max(len(printed), 1),
                    letters.page_count(batch), len(batch) / 1e6,
                    ", %d skipped" % len(skipped) if skipped else ""))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
