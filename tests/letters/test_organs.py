"""Who issues what (issue 15), read back from the PDFs: the 处理意见书 in the name and 文号 series of the organ
that handled the matter, naming that organ's 复查机关; the 复查/复核意见书 in the name of the organ that decided
them, with its 文号 when it is on record, with none when it is not; a department with no 文号简称 refused,
nothing written."""
import re

import pytest

from admin_app import i18n
from admin_app.letters import render as letters
from models import workflow
from models.audit import AuditEntry
from models.documents import Document
from models.errors import NotAllowed
from models.organisation import Department
from models.petition import NumberSeries, Petition, StepRecord

from .conftest import day


def flat(text):
    """The text without page numbers ("— 1 —") and whitespace (lines wrap anywhere in Chinese)."""
    return "".join(re.sub(r"—\s*\d+\s*—", "", text).split())


def lines_of(text):
    return [line.strip() for line in text.splitlines() if line.strip()]


def signed_by(text):
    """The 落款: the line above the date, the last line."""
    lines = lines_of(text)
    return lines[lines.index("2023年3月25日") - 1]


def test_the_handling_opinion_of_a_referred_case_is_the_departments_with_its_number_and_its_review_organ(
        issue, department, read_pdf):
    department.review_organ = "市自然资源和规划局"
    department.save()

    document = issue("handling_opinion")
    text = read_pdf(bytes(document.pdf))

    assert document.number == "高自然资〔2023〕1号" and document.issuer_id == department.id
    assert lines_of(text)[1] == "高自然资〔2023〕1号" and signed_by(text) == "县自然资源局"
    assert "县信访局" not in text and "高信访" not in text
    assert "30日内，向市自然资源和规划局请求复查。" in flat(text)
    assert NumberSeries.get(NumberSeries.prefix == "高自然资").last == 1
    assert not NumberSeries.select().where(NumberSeries.prefix == "高信访").exists()  # the office's series untouched


def test_each_organ_numbers_in_its_own_series(ctx, staged, clerk, issued_on, office):
    first, _ = staged("handling_opinion")
    notice = letters.issue_letter("acceptance_notice", first, clerk)
    opinion = letters.answer(first, clerk)
    second, _ = staged("handling_opinion")
    again = letters.answer(second, clerk)
    assert [notice.number, opinion.number, again.number] == ["高信访〔2023〕1号", "高自然资〔2023〕1号",
                                                            "高自然资〔2023〕2号"]


@pytest.mark.parametrize("handled_by, says", [
    pytest.param("office", "经本局办理", id="office"),
    pytest.param("studio", "经本局“两代表一委员”工作室", id="studio"),
])
def test_an_own_result_is_the_offices_with_its_number_and_its_review_organ(
        ctx, make_petition, make_petitioner, clerk, office, department, issued_on, read_pdf, handled_by, says):
    office.review_organ = "县人民政府信访复查委员会"
    office.save()
    department.review_organ = "市自然资源和规划局"  # another organ's: not named
    department.save()
    petition = make_petition(petitioner=make_petitioner(name="刘某某"), channel="visit", received_at=day(12, 9, 2022),
                             subject="低保资格", content="请求恢复低保。")
    workflow.register(petition, clerk)
    workflow.accept(petition, clerk, at=day(12, 10, 2022))
    workflow.record_own_result(petition, clerk, "explain", "经核查，家庭收入超过标准。", "作出解释说明。",
                               "《社会救助暂行办法》第九条", handled_by=handled_by, at=day(1, 20))

    document = letters.answer(Petition.get_by_id(petition.id), clerk)
    text = read_pdf(bytes(document.pdf))

    assert document.number == "高信访〔2023〕1号" and document.issuer_id == office.id
    assert lines_of(text)[1] == "高信访〔2023〕1号" and signed_by(text) == "县信访局"
    assert says in flat(text) and "30日内，向县人民政府信访复查委员会请求复查。" in flat(text)


def test_an_organ_naming_no_review_organ_names_the_setting(app, issue, read_pdf):
    app.config["LETTER_REVIEW_ORGAN"] = "高唐县人民政府"
    text = read_pdf(bytes(issue("handling_opinion").pdf))
    assert "30日内，向高唐县人民政府请求复查。" in flat(text)


def test_the_review_and_recheck_opinions_of_organs_not_on_record_bear_their_names_and_no_number(
        issue, department, read_pdf):
    department.review_organ, department.recheck_organ = "市自然资源和规划局", "省自然资源厅"
    department.save()

    review = issue("review_opinion")
    text = read_pdf(bytes(review.pdf))
    assert signed_by(text) == "市自然资源和规划局" and "县信访局" not in text
    assert "〔" not in text and review.number == "XF-2022-000001-复查1" and review.number not in text
    assert "于2023年2月1日向市自然资源和规划局提出复查请求" in flat(text)
    assert "30日内，向省自然资源厅请求复核。" in flat(text)

    recheck = issue("recheck_opinion")
    text = read_pdf(bytes(recheck.pdf))
    assert signed_by(text) == "省自然资源厅" and "县信访局" not in text and "〔" not in text
    assert "于2023年3月1日向省自然资源厅提出复核请求" in flat(text)


def test_a_review_organ_on_record_with_a_short_name_numbers_its_opinion(issue, department, read_pdf):
    county = Department.create(name="县人民政府", short_name="高政复", kind="other")
    review = issue("review_opinion")
    text = read_pdf(bytes(review.pdf))
    assert review.number == "高政复〔2023〕1号" and review.issuer_id == county.id
    assert lines_of(text)[1] == "高政复〔2023〕1号" and signed_by(text) == "县人民政府"


def test_a_department_without_a_short_name_is_refused_in_chinese_and_nothing_is_written(
        ctx, staged, clerk, department, issued_on):
    department.short_name = None
    department.save()
    petition, _ = staged("handling_opinion")
    audited = AuditEntry.select().count()

    with pytest.raises(NotAllowed) as refused:
        letters.answer(petition, clerk)

    message = i18n.error_message(refused.value)
    assert "县自然资源局" in message and "文号简称" in message
    assert Petition.get_by_id(petition.id).status == "handled"  # the answer step rolled back with it
    assert not StepRecord.select().where((StepRecord.petition == petition) & (StepRecord.step == "answer")).exists()
    assert Document.select().count() == 0 and AuditEntry.select().count() == audited
    assert not NumberSeries.select().where(NumberSeries.prefix != "XF").exists()  # no letter number taken


def test_two_organs_never_share_a_series(department, db):
    with pytest.raises(Exception) as refused:
        Department.create(name="县住建局", short_name="高自然资", kind="county")
    assert "高自然资" in str(refused.value.params.get("short")) and Department.select().count() == 1
    with pytest.raises(Exception):
        Department.create(name="县住建局", short_name="XF", kind="county")  # the petitions' numbers
    assert Department.create(name="县住建局", short_name="高住建", kind="county").short_name == "高住建"
    department.save()  # its own short name is no clash
