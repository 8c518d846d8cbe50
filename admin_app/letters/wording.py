"""文书措辞: the body of a letter as the office words it, with named fields ({{ 信访人 }}), run in the sandbox.

Each kind in FIELDS has its wording: the built-in default in templates/letters/wording/<kind>.txt, or the office's
version in force (models/wording.py). Its fields are plain strings taken from the letter's context
(letters/content.py and render.letter_values), listed with a description beside the editor. The kind's template
prints the text with para() (one paragraph a line), inside the layout of letters/base.html. A kind adopts it by
an entry here, a .txt file and `{{ para(wording_text) }}` as its template's body.
"""
import os
from functools import lru_cache

from flask import current_app

from models import wording as versions
from models.errors import N_, ValidationError

from . import sandbox
from .content import limit_text, sentence


def _get(key):
    return lambda c: c.get(key)


def _limit(name):
    return lambda c: limit_text(name)


def _sentence(key):
    return lambda c: sentence(c.get(key))


# name: (value from the letter's context, description msgid)
COMMON = {
    "信访人": (_get("petitioner"), N_("The petitioner's name (the addressee)")),
    "信访事项编号": (_get("number_of_petition"), N_("The petition's number, e.g. XF-2022-000001")),
    "收到日期": (_get("received"), N_("The day the petition was received, e.g. 2022年12月9日")),
    "信访方式": (_get("channel"), N_("How it came: 来访, 来信, 网上信访…")),
    "信访事项": (_get("subject"), N_("The petition's subject")),
    "信访请求": (_get("request"), N_("What the petitioner asks (the petition's content)")),
    "复查机关": (_get("review_organ"), N_("The organ the petitioner may ask for a review")),
    "复核机关": (_get("recheck_organ"), N_("The organ the petitioner may ask for a re-examination")),
    "办理期限": (_limit("handling"), N_("The handling limit, e.g. 60日")),
    "延期上限": (_limit("extension"), N_("The longest extension, e.g. 30日")),
    "印发机关": (_get("organ"), N_("The organ the letter is issued by")),
    "印发日期": (_get("date"), N_("The day the letter is dated")),
}
FIELDS = {
    "acceptance_notice": {
        "受理日期": (_get("accepted"), N_("The day the petition was accepted")),
        "应办结日期": (_get("handling_due"), N_("The day it must be handled by")),
    },
    "rejection_notice": {
        "不予受理理由": (_sentence("reason"), N_("The reason for refusing acceptance, ending with 。")),
        "不予受理依据": (_sentence("legal_basis"), N_("Its legal basis, ending with 。")),
    },
    "referral_notice": {
        "转送日期": (_get("sent"), N_("The day it was referred")),
        "转送方式": (_get("mode"), N_("转送 or 交办")),
        "承办单位": (_get("department"), N_("The department it was referred to")),
        "交办期限": (_get("due"), N_("The day the department must have handled it by")),
        "办理要求": (_get("instructions"), N_("The instructions to the department (may be empty)")),
    },
    "extension_notice": {
        "受理日期": (_get("accepted"), N_("The day the petition was accepted")),
        "原办结日期": (_get("original_due"), N_("The day it was to be handled by before the extension")),
        "延期理由": (_sentence("reason"), N_("The reason for the extension, ending with 。")),
        "延长天数": (_get("days"), N_("The days added, e.g. 30")),
        "应办结日期": (_get("handling_due"), N_("The day it must be handled by now")),
    },
    "handling_opinion": {
        "办理单位": (_get("department"), N_("The organ that handled it")),
        "查明的事实": (_get("facts"), N_("The facts found")),
        "处理理由": (_get("opinion"), N_("The reasons of the handling")),
        "办理结果": (_get("outcome"), N_("The outcome: 予以支持, 作出解释说明 or 不予支持")),
        "法律依据": (_get("legal_basis"), N_("The legal basis")),
    },
    "review_opinion": {
        "复查意见": (_get("opinion"), N_("The review opinion")),
        "答复日期": (_get("answered"), N_("The day the petitioner was answered")),
        "复查请求日期": (_get("review_requested"), N_("The day the review was asked for")),
        "处理意见书文号": (_get("handling_number"), N_("The number of the handling opinion (may be empty)")),
    },
    "recheck_opinion": {
        "复核意见": (_get("opinion"), N_("The re-examination opinion")),
        "复查日期": (_get("reviewed"), N_("The day of the review opinion")),
        "复核请求日期": (_get("recheck_requested"), N_("The day the re-examination was asked for")),
        "复查意见书文号": (_get("review_number"), N_("The number of the review opinion (may be empty)")),
    },
}
SAMPLE_LENGTH = 200  # each field's length when a wording is checked at save: its text must stay under the cap


def worded(kind):
    """Does this kind of letter take its body from a wording?"""
    return kind in FIELDS


def fields(kind):
    """{name: (value from context, description)} of a kind's wording."""
    return dict(COMMON, **FIELDS[kind])


def values(kind, context):
    """{name: str} of a letter's fields, from its context (None as empty)."""
    out = {}
    for name, (get, _) in fields(kind).items():
        value = get(context)
        out[name] = "" if value is None else str(value)
    return out


def builtin_path(kind):
    return os.path.join(current_app.root_path, os.pardir, "templates", "letters", "wording", kind + ".txt")


@lru_cache(maxsize=32)
def _read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def builtin(kind):
    """The built-in default wording of a kind (shipped with the program)."""
    return _read(os.path.abspath(builtin_path(kind)))


def check(kind, source):
    """Raise ValidationError (with the line) unless the source can be this kind's wording: it is parsed in the
    sandbox and rendered with sample values of every field (SAMPLE_LENGTH characters each)."""
    if not worded(kind):
        raise ValidationError(N_("This kind of letter has no wording to edit yet."), field="kind")
    samples = {name: "字" * SAMPLE_LENGTH for name in fields(kind)}
    if not sandbox.render(source, samples).strip():
        raise ValidationError(N_("The wording gives the letter no text."), field="source")


class Wording:
    """The wording a letter uses: its kind, source (None: the built-in default) and version (None: built-in)."""

    def __init__(self, kind, source=None, version=None):
        self.kind, self.source, self.version = kind, source, version

    def text(self, context):
        """The letter's body text (a paragraph a line) for its context; ValidationError when refused."""
        source = self.source if self.source is not None else builtin(self.kind)
        return sandbox.render(source, values(self.kind, context))


def in_force(kind):
    """The Wording a letter of this kind is issued with now, or None for a kind without one."""
    if not worded(kind):
        return None
    row = versions.current(kind)
    if row is None or row.source is None:
        return Wording(kind)
    return Wording(kind, row.source, row.number)
