"""Fixtures for the letters: an app on the test database, the issuing office (县信访局, 高信访), a clerk,
petitions driven through models.workflow to the state each kind of letter needs, and readers of a PDF
(text, word boxes in points, fonts) built on poppler's pdftotext and pdffonts.
"""
import datetime as dt
import re
import subprocess
from html import unescape

import pytest

from admin_app import create_app
from admin_app.letters import render as letters
from models import documents, workflow
from models.organisation import Department
from models.people import Representative, User
from models.petition import Petition

RECEIVED = dt.datetime(2022, 12, 9, 9, 30)
ISSUED = dt.datetime(2023, 3, 25, 10, 0)  # the day letters are issued in these tests, after every step
MM = 72 / 25.4
A4 = (595.28, 841.89)
TEXT_LEFT, TEXT_RIGHT = 28 * MM, (28 + 156) * MM
TEXT_TOP, TEXT_BOTTOM = 37 * MM, (37 + 225) * MM


@pytest.fixture
def app(db, db_url):
    app = create_app({"DATABASE_URL": db_url, "SECRET_KEY": "test-secret", "TESTING": True,
                      "LETTER_CONTACT": "王小红", "LETTER_CONTACT_PHONE": "0536-7654321"})
    yield app


@pytest.fixture
def ctx(app):
    """A request context: letters are rendered with Flask's templates and the Chinese catalog."""
    with app.test_request_context("/"):
        yield app


@pytest.fixture
def office(db):
    """The organ that issues the letters (LETTER_ISSUER defaults to 县信访局)."""
    return Department.create(name="县信访局", short_name="高信访", kind="county")


@pytest.fixture
def department(db):
    return Department.create(name="县自然资源局", short_name="高自然资", kind="county")


@pytest.fixture
def clerk(db):
    user = User(username="clerk", display_name="王小红", role="staff")
    user.set_password("correct-horse-1")
    user.save()
    return user


@pytest.fixture
def issued_on(monkeypatch):
    """issued_on(datetime): the date documents.issue gives letters (ISSUED unless changed)."""

    def issued_on(at):
        monkeypatch.setattr(documents, "now", lambda: at)

    issued_on(ISSUED)
    return issued_on


def day(month, day_, year=2023, hour=10):
    return dt.datetime(year, month, day_, hour, 0)


# What each kind of letter needs: the steps that bring a petition there (all dated in the past).
PETITION_FIELDS = dict(channel="visit", received_at=RECEIVED, subject="宅基地及共用道路纠纷",
                       content="信访人与原邻居因宅基地界址及两家共用道路的使用发生纠纷，请求依法确认宅基地界址，恢复共用道路通行。")

# The parties of the mediation agreement, as the 调解 form takes them (one a line); valid ID numbers.
PARTICULARS = ("刘某某，男，汉族，1970年5月3日，371526197005031234，高桥镇后屯村12号，13800138000\n"
               "张某某，女，回族，1968年2月1日，371526196802011223，高桥镇后屯村14号，")
DISPUTE_FACTS = "2022年10月，张某某翻建房屋时将院墙向外扩建约四十厘米，占用两家共用道路，刘某某车辆无法通行，双方多次争执。"


@pytest.fixture
def staged(make_petition, make_petitioner, department, clerk, office):
    """staged(kind, **petition fields) -> (petition, record_id): a petition in the state that kind needs."""

    def staged(kind, mode="assign", **fields):
        petition, record_id = stage(kind, mode, **fields)
        return Petition.get_by_id(petition.id), record_id  # as the database has it now

    def stage(kind, mode, **fields):
        person = make_petitioner(name="刘某某", address="高桥镇后屯村12号")
        petition = make_petition(**dict(PETITION_FIELDS, petitioner=person, **fields))
        workflow.register(petition, clerk)
        if kind == "rejection_notice":
            petition = workflow.reject(petition, clerk, "该诉求已经人民法院判决，依法应当通过诉讼程序解决",
                                       "《信访工作条例》第三十一条、第三十二条", at=day(12, 12, 2022))
            return petition, None
        petition = workflow.accept(petition, clerk, at=day(12, 10, 2022))
        if kind == "acceptance_notice":
            return petition, None
        if kind == "extension_notice":
            petition = workflow.extend(petition, clerk, 30, "需要现场勘测并组织双方调解，情况复杂", "李局长",
                                       at=day(12, 20, 2022))
            return petition, None
        if kind == "consultation_minutes":
            rep = Representative.create(name="王春月", kind="npc_deputy")
            consultation = workflow.convene(
                [petition], clerk, day(12, 15, 2022, hour=9), "联合接访大厅", "研究宅基地界址纠纷的化解方案。", [rep],
                [("张某", "department_staff", "县自然资源局"), ("赵律师", "lawyer", None)])
            workflow.conclude(consultation, clerk, "由县自然资源局现场勘测确认界址，高桥镇牵头组织调解。",
                              minutes="王春月代表建议先行勘测。\n张某介绍了土地确权登记情况。",
                              follow_up_tasks="县自然资源局于12月20日前完成勘测。", at=day(12, 15, 2022, hour=11))
            return petition, consultation.id
        if kind == "mediation_agreement":
            mediation = workflow.mediate(
                petition, clerk, "刘某某（信访人）；张某某（原邻居）", "陈调解员", "高桥镇一站式矛调中心",
                "一、张某某于2023年1月10日前将院墙恢复原址。\n二、双方共用道路保持畅通，任何一方不得堵塞。",
                dt.date(2022, 12, 28), lawyer="赵律师", at=day(12, 28, 2022), committee="高桥镇人民调解委员会",
                party_particulars=PARTICULARS, dispute_facts=DISPUTE_FACTS, disputed_matters="张某某翻建院墙是否占用共用道路，应否恢复原址。")
            return petition, mediation.id
        referral = workflow.refer(petition, department, clerk, mode=mode, due_on=dt.date(2023, 1, 31),
                                  instructions="请实地核查院墙位置，依法处理。", at=day(12, 12, 2022))
        if kind in ("referral_notice", "transfer_letter", "assignment_sheet"):
            return petition, referral.id
        if kind == "supervision_sheet":  # the referral overdue since 31 January: 督办 on 10 February
            supervision = workflow.supervision.start(
                petition, clerk, "written", "请你单位抓紧核查院墙位置，依法处理，并答复信访人。", referral=referral,
                due_on=dt.date(2023, 2, 20), at=day(2, 10))
            return petition, supervision.id
        workflow.record_reply(referral, clerk, "support", "经现场勘测，原邻居翻建房屋时院墙外扩约四十厘米，占用共用道路属实。",
                              "支持信访人确认宅基地界址、恢复共用道路通行的请求。",
                              "《中华人民共和国民法典》第二百八十八条", at=day(1, 20))
        if kind == "handling_opinion":
            return petition, None
        workflow.answer(petition, clerk, at=day(1, 25))
        workflow.request_review(petition, clerk, at=day(2, 1))
        petition = workflow.record_review(petition, clerk, "经复查，原处理意见认定事实清楚、适用依据正确，予以维持。",
                                          at=day(2, 20))
        if kind == "review_opinion":
            return petition, None
        workflow.request_recheck(petition, clerk, at=day(3, 1))
        petition = workflow.record_recheck(petition, clerk, "经复核，复查意见认定事实清楚、程序合法，予以维持。",
                                           at=day(3, 20))
        return petition, None

    return staged


@pytest.fixture
def issue(ctx, staged, clerk, issued_on):
    """issue(kind, **petition fields) -> the Document of a letter of that kind, issued on ISSUED (the 处理意见书
    by the 答复)."""

    def issue(kind, **fields):
        petition, record_id = staged(kind, **dict(fields, mode="transfer") if kind == "transfer_letter" else fields)
        if kind == "handling_opinion":
            return letters.answer(petition, clerk)  # the 答复 issues it
        return letters.issue_letter(kind, petition, clerk, record_id)

    return issue


# -- reading a PDF back ------------------------------------------------------------------------------

def _poppler(tool, pdf, *options, tmp):
    path = tmp / "letter.pdf"
    path.write_bytes(pdf)
    return subprocess.run([tool, *options, str(path), "-"], check=True, capture_output=True,
                          text=True, timeout=120).stdout


@pytest.fixture
def read_pdf(tmp_path):
    """read_pdf(pdf) -> the text, page by page (pdftotext -layout), pages separated by form feeds."""
    return lambda pdf: _poppler("pdftotext", pdf, "-layout", tmp=tmp_path)


class Word:
    def __init__(self, page, x0, y0, x1, y1, text):
        self.page, self.x0, self.y0, self.x1, self.y1, self.text = page, x0, y0, x1, y1, text

    def __repr__(self):
        return "Word(p%d %.1f,%.1f-%.1f,%.1f %r)" % (self.page, self.x0, self.y0, self.x1, self.y1, self.text)


@pytest.fixture
def read_boxes(tmp_path):
    """read_boxes(pdf) -> ([(width, height) of each page], [Word]) in points from the top left (pdftotext -bbox)."""

    def read_boxes(pdf):
        xhtml = _poppler("pdftotext", pdf, "-bbox", tmp=tmp_path)
        pages, words = [], []
        for number, (width, height, body) in enumerate(re.findall(
                r'(?s)<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', xhtml), start=1):
            pages.append((float(width), float(height)))
            for x0, y0, x1, y1, text in re.findall(
                    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', body):
                words.append(Word(number, float(x0), float(y0), float(x1), float(y1), unescape(text)))
        return pages, words

    return read_boxes


@pytest.fixture
def read_fonts(tmp_path):
    """read_fonts(pdf) -> [(name, type, embedded?)] (pdffonts)."""

    def read_fonts(pdf):
        path = tmp_path / "fonts.pdf"
        path.write_bytes(pdf)
        out = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True, timeout=60).stdout
        fonts = []
        for line in out.splitlines()[2:]:
            match = re.match(r"(\S+)\s+(.+?)\s+(\S+)\s+(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+$", line)
            if match:
                fonts.append((match.group(1), match.group(2), match.group(4) == "yes"))
        return fonts

    return read_fonts
