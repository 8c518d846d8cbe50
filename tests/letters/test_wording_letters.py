"""文书措辞 in the letters: the built-in wordings print what the templates printed before (the same HTML, so the
same PDF), an edited wording prints in the next letter issued, records its version, and leaves the letters
issued before byte for byte as they were."""
import re

import pytest
from flask import render_template_string

from admin_app.letters import render as letters, wording as letter_wording
from models import wording as versions

# The bodies of the templates before the wording could be edited (issue 15 §4), as they were.
OLD = {
    "acceptance_notice": """
{{ para("你于%s以%s方式提出的“%s”信访事项（编号%s），本机关已于%s依法受理。" % (received, channel, subject, number_of_petition, accepted)) }}
{{ para("根据《信访工作条例》第三十四条的规定，本信访事项应当自受理之日起%s内办结，即于%s前办结；情况复杂的，经负责人批准，可以适当延长办理期限，但延长期限不超过%s，并将书面告知你延期理由。" % (limit_text("handling"), handling_due, limit_text("extension"))) }}
{{ para("你可以向本机关查询本信访事项的办理进展和结果，并对办理情况进行评价。") }}
{{ para("特此告知。") }}""",
    "rejection_notice": """
{{ para("你于%s以%s方式提出的“%s”信访事项（编号%s），经审查，本机关决定不予受理。" % (received, channel, subject, number_of_petition)) }}
{{ para("一、不予受理的理由。" ~ sentence(reason)) }}
{{ para("二、依据。" ~ sentence(legal_basis)) }}
{{ para("三、救济途径。你的请求依法应当通过诉讼、仲裁、行政复议等法定途径解决的，请依照有关法律、行政法规规定的程序，向有权处理的人民法院、仲裁机构或者行政机关提出；属于其他机关、单位职权范围的，请向有权处理的机关、单位提出。") }}
{{ para("特此告知。") }}""",
    "referral_notice": """
{{ para("你于%s以%s方式提出的“%s”信访事项（编号%s），本机关已于%s按照“属地管理、分级负责，谁主管、谁负责”的原则，%s%s办理。" % (received, channel, subject, number_of_petition, sent, mode, department)) }}
{{ para("根据《信访工作条例》第二十二条、第二十三条的规定，现将%s去向告知你。%s将依法办理并书面答复你，请你就该信访事项与%s联系。" % (mode, department, department)) }}
{{ para("你可以向本机关查询本信访事项的办理进展和结果，并对办理情况进行评价。") }}
{{ para("特此告知。") }}""",
    "extension_notice": """
{{ para("你于%s以%s方式提出的“%s”信访事项（编号%s），本机关已于%s依法受理，原应于%s前办结。" % (received, channel, subject, number_of_petition, accepted, original_due)) }}
{{ para("延期理由：" ~ sentence(reason)) }}
{{ para("根据《信访工作条例》第三十四条的规定，经负责人批准，本信访事项的办理期限延长%d日，延长后的办结期限为%s。" % (days, handling_due)) }}
{{ para("特此告知。") }}""",
    "handling_opinion": """
{{ para("你于%s以%s方式提出的“%s”信访事项（编号%s），经%s办理，现将处理意见告知如下：" % (received, channel, subject, number_of_petition, department)) }}
{{ para("一、信访请求。" + request) }}
{{ para("二、查明的事实。" + facts) }}
{{ para("三、处理理由。" + opinion) }}
{{ para("四、处理意见：" + outcome + "。") }}
{{ para("五、法律依据。" + legal_basis + "；《信访工作条例》第三十二条。") }}
{{ para("如对本处理意见不服，可以自收到本意见书之日起30日内，向%s请求复查。" % review_organ) }}""",
    "review_opinion": """
{{ para("你对“%s”信访事项（编号%s）的信访处理意见%s不服，于%s向%s提出复查请求。经复查，现将复查意见告知如下：" % (subject, number_of_petition, "（" ~ handling_number ~ "）" if handling_number else "", review_requested, review_organ)) }}
{{ para(opinion) }}
{{ para("本复查意见依据《信访工作条例》第三十五条作出。如对本复查意见不服，可以自收到本意见书之日起30日内，向%s请求复核。" % recheck_organ) }}""",
    "recheck_opinion": """
{{ para("你对“%s”信访事项（编号%s）的复查意见%s不服，于%s向%s提出复核请求。经复核，现将复核意见告知如下：" % (subject, number_of_petition, "（" ~ review_number ~ "）" if review_number else "", recheck_requested, recheck_organ)) }}
{{ para(opinion) }}
{{ para("本复核意见为最终意见。根据《信访工作条例》第三十六条的规定，你对本复核意见不服，仍然以同一事实和理由提出信访请求的，不再受理。") }}""",
}
KEY_SENTENCES = {
    "acceptance_notice": "本机关已于2022年12月10日依法受理",
    "rejection_notice": "经审查，本机关决定不予受理",
    "referral_notice": "交办县自然资源局办理",
    "extension_notice": "本信访事项的办理期限延长30日",
    "handling_opinion": "四、处理意见：予以支持。",
    "review_opinion": "本复查意见依据《信访工作条例》第三十五条作出",
    "recheck_opinion": "本复核意见为最终意见",
}


def old_html(monkeypatch, kind, values, fonts):
    """The letter's HTML as the template before the wordings made it (the same layout, the old body)."""
    old = '{% extends "letters/base.html" %}{% block body %}' + OLD[kind] + "\n{% endblock %}"
    with monkeypatch.context() as patch:
        patch.setattr(letters, "render_template", lambda name, **context: render_template_string(old, **context))
        return letters.render_html(kind, fonts, page_numbers=False, draft=None, unprintable=None, **values)


def same_html(html):
    """The HTML without the white space between blocks (which prints nothing)."""
    return re.sub(r">\s+<", "><", html)


def flat(text):
    return "".join(text.split())


@pytest.mark.parametrize("kind", sorted(OLD))
def test_the_built_in_wording_prints_what_the_template_printed(ctx, staged, monkeypatch, kind, read_pdf):
    petition, record_id = staged(kind)
    fonts = letters.find_fonts()
    values = letters.letter_values(kind, petition, record_id, "高信访〔2023〕7号", letters.now())
    assert letter_wording.worded(kind) and values["wording"].version is None
    values.update(lookup_text=None, lookup_qr=None)  # the 查询码 lines came after the wordings (test_lookup_letters.py)
    new = letters.render_html(kind, fonts, page_numbers=False, draft=None, unprintable=None, **values)
    assert same_html(new) == same_html(old_html(monkeypatch, kind, values, fonts))
    text = flat(read_pdf(letters.render_pdf(new, fonts)))
    assert KEY_SENTENCES[kind] in text


@pytest.mark.parametrize("kind", ["review_opinion", "recheck_opinion"])
def test_the_cited_number_is_printed_only_when_there_is_one(ctx, staged, monkeypatch, kind):
    petition, record_id = staged(kind)
    fonts = letters.find_fonts()
    values = letters.letter_values(kind, petition, record_id, "高信访〔2023〕7号", letters.now())
    cited = "handling_number" if kind == "review_opinion" else "review_number"
    for number in ("", "高自然资〔2023〕2号"):
        values[cited] = number
        new = letters.render_html(kind, fonts, page_numbers=False, draft=None, unprintable=None, **values)
        assert same_html(new) == same_html(old_html(monkeypatch, kind, values, fonts))
        assert ("（%s）" % number in new) == bool(number)


def test_an_edited_wording_is_issued_with_its_version_and_earlier_letters_stay_as_issued(
        ctx, staged, clerk, issued_on, read_pdf):
    first_petition, _ = staged("acceptance_notice")
    first = letters.issue_letter("acceptance_notice", first_petition, clerk)
    assert first.wording_version is None
    kept = bytes(first.pdf)
    source = letter_wording.builtin("acceptance_notice").replace("特此告知。", "{{ 信访人 }}同志：特此告知，请查收。")
    saved = versions.save("acceptance_notice", source, clerk, check=letter_wording.check, note="改结尾", expected=0)
    second_petition, _ = staged("acceptance_notice")
    second = letters.issue_letter("acceptance_notice", second_petition, clerk)
    assert second.wording_version == saved.number == 1
    assert "刘某某同志：特此告知，请查收。" in flat(read_pdf(bytes(second.pdf)))
    from models.documents import Document

    assert bytes(Document.get_by_id(first.id).pdf) == kept  # a reprint is the archived bytes
    assert "请查收" not in flat(read_pdf(kept))
    versions.revert("acceptance_notice", 0, clerk, check=letter_wording.check)
    third_petition, _ = staged("acceptance_notice")
    third = letters.issue_letter("acceptance_notice", third_petition, clerk)
    assert third.wording_version is None and "请查收" not in flat(read_pdf(bytes(third.pdf)))


def test_a_wording_too_long_for_the_real_values_refuses_the_letter_with_the_line(ctx, staged, clerk, issued_on,
                                                                                monkeypatch):
    from models.documents import Document
    from models.errors import ValidationError

    petition, _ = staged("acceptance_notice", request_summary="诉求" * 50)  # 信访请求: 100 characters at most
    source = "第一段。\n" + "{{ 信访请求 }}" * 300
    monkeypatch.setattr(letter_wording, "SAMPLE_LENGTH", 10)  # passes the check at save; the real values do not
    versions.save("acceptance_notice", source, clerk, check=letter_wording.check)
    with pytest.raises(ValidationError) as refused:
        letters.issue_letter("acceptance_notice", petition, clerk)
    assert refused.value.params["line"] == 2
    assert Document.select().count() == 0


@pytest.mark.parametrize("kind", sorted(letter_wording.FIELDS))
def test_each_built_in_wording_passes_the_check_at_save(ctx, kind):
    letter_wording.check(kind, letter_wording.builtin(kind))  # restoring it, or saving it edited, is never refused


def test_a_kind_adopts_a_wording_by_its_entry_and_the_others_keep_their_templates(ctx):
    assert set(letter_wording.FIELDS) == set(OLD)
    assert letter_wording.in_force("mediation_agreement") is None
