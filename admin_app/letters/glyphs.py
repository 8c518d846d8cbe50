"""Which characters of a letter its fonts cannot print, and where they are.

xhtml2pdf prints a character the embedded font has no glyph for as an empty box (□), silently: a petitioner named
with a CJK extension character (𠮷, U+20BB7) or an emoji in the petition's content would be issued, numbered and
archived with boxes. So every value a letter prints is checked against the font that prints it (the title font for
the title, the heading faces for a heading's words, the body font for the rest) before the letter is numbered, and
the preview marks what cannot print.

xhtml2pdf has no per-character font fallback (it would take a span per character), so the fallback is built into the
body face: fontbuild.py adds to Fandol Fang (GB2312 only) what it lacks from Noto Serif CJK SC (玥, 堃, 𠮷 ...).
Debian's own TrueType faces (AR PL UMing/UKai, WenQuanYi Zen Hei) have no 𠮷; no face has emoji.
"""
import re
import unicodedata
from functools import lru_cache
from html import unescape

from flask_babel import gettext

from models.errors import N_

from . import fontfiles

# What a letter's context value is, as the refusal names it; the per-kind names first.
FIELDS = {
    "petitioner": N_("the petitioner's name"), "number_of_petition": N_("the petition number"),
    "subject": N_("the subject"), "request": N_("the petition's request"),
    "review_organ": N_("the review organ"), "recheck_organ": N_("the re-examination organ"),
    "reason": N_("the reason for refusing acceptance"), "legal_basis": N_("the legal basis"),
    "department": N_("the handling organ"), "instructions": N_("the instructions"),
    "address": N_("the petitioner's address"), "facts": N_("the facts found"), "opinion": N_("the handling opinion"),
    "handling_number": N_("the document number cited"), "review_number": N_("the document number cited"),
    "parties": N_("the parties"), "mediator": N_("the mediator"), "lawyer": N_("the witnessing lawyer"),
    "place": N_("the place"), "agreement": N_("the agreement"), "representatives": N_("the deputies and members"),
    "others": N_("the other participants"), "petitions": N_("the petitions discussed"), "agenda": N_("the agenda"),
    "conclusion": N_("the conclusion"), "minutes": N_("the minutes"), "follow_up_tasks": N_("the follow-up tasks"),
    "title": N_("the title"), "organ": N_("the issuing organ's name"), "number": N_("the document number"),
    # the 调解协议书 and the 会诊纪要 (issue 15 §1)
    "committee": N_("the mediation committee"), "dispute_facts": N_("the facts of the dispute"),
    "disputed_matters": N_("the matters in dispute"), "party_names": N_("the parties"), "terms": N_("the agreement"),
    "chair": N_("the chair"), "decisions": N_("the conclusion"),
}
KIND_FIELDS = {
    ("supervision_sheet", "note"): N_("the supervision opinion"),  # the 督办单 (issue 16 §3)
    ("supervision_sheet", "escalation_reason"): N_("the reason for escalation"),
    ("extension_notice", "reason"): N_("the reason for the extension"),
    ("review_opinion", "opinion"): N_("the review opinion"),
    ("recheck_opinion", "opinion"): N_("the re-examination opinion"),
}
OTHER = N_("the letter's text")
NOT_PRINTED = set("\n\r\t ")  # line breaks and spaces: never drawn as a glyph


@lru_cache(maxsize=8)
def coverage(path):
    """The code points a TrueType font file (its first face, as render.py embeds it) has a glyph for, or None for
    reportlab's built-in STSong-Light (not embedded, UCS-2: the Basic Multilingual Plane only). Read once a file."""
    if path is None:
        return None
    return frozenset(code for code, glyph in fontfiles.face(path).charToGlyph.items() if glyph)


def printable(char, path):
    """Does the font at path (None: STSong-Light) print this character?"""
    if char in NOT_PRINTED:
        return True
    covered = coverage(path)
    return ord(char) <= 0xFFFF if covered is None else ord(char) in covered


def missing(text, path):
    """The characters of text the font cannot print, each once, in the order they first come."""
    found = []
    for char in text or "":
        if char not in found and not printable(char, path):
            found.append(char)
    return found


def texts(value):
    """The strings a context value prints: itself, or the strings in a list (the parties of a mediation)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [v for v in value if isinstance(v, str)]
    return []


def printed_text(html):
    """The text a letter's HTML prints in the body font: without its style, tags and title."""
    html = re.sub(r'(?s)<style>.*?</style>|<div class="title">.*?</div>', "", html)
    return unescape(re.sub(r"(?s)<[^>]+>", "", html))


def flat(text):
    return "".join(text.split())


def unprintable(kind, values, fonts, html):
    """[(field msgid, [characters])] the letter cannot print: the title in the title font, the rest of its HTML in
    the body font. A character is named in each value (the template's context) that holds it and is printed (a
    value the letter does not print is never the reason); a character of no value, as the letter's text."""
    text = printed_text(html)
    printed, lost = flat(text), missing(text, fonts.body)
    for family, run in re.findall(r'<span style="font-family: ([^"]+)">(.*?)</span>', html):  # headings
        lost += [c for c in missing(unescape(run), fonts.file_of(family)) if c not in lost]
    found, named = [], set()
    for name, value in values.items():
        if name == "request" and value == values.get("subject"):
            continue  # a petition without a 信访请求: its letters state the subject (letters/content.request_of)
        chars = []
        for one in texts(value):
            if name == "title":
                cannot = missing(one, fonts.title)
            else:
                cannot = [c for c in lost if c in one] if flat(one) in printed else []
            chars += [c for c in cannot if c not in chars]
        if chars:
            label = KIND_FIELDS.get((kind, name)) or FIELDS.get(name, OTHER)
            same = next((were for was, were in found if was == label), None)  # two values, one name: once
            if same is None:
                found.append((label, chars))
            else:
                same += [c for c in chars if c not in same]
            named.update(chars)
    rest = [c for c in lost if c not in named]
    return found + ([(OTHER, rest)] if rest else [])


def shown(char):
    """How a character is named where it cannot be drawn: U+20BB7; itself where the page can show it."""
    return "U+%04X" % ord(char)


def visible(char):
    """The character itself, or its code when it is invisible (a variation selector, a joiner)."""
    return shown(char) if unicodedata.category(char) in ("Mn", "Me", "Cf", "Cc", "Co", "Cn") else char


def places(found, codes=False):
    """信访人姓名中的“𠮷”；信访内容中的“😀”: where each character is (codes: U+20BB7, for the PDF itself)."""
    join, name = (" ", shown) if codes else ("", visible)
    return gettext("; ").join(gettext("“%(chars)s” in %(field)s", field=gettext(field), chars=join.join(
        name(c) for c in chars)) for field, chars in found)


def mark(values, fonts):
    """The values with each character the body font cannot print replaced by its code ([U+20BB7]), for a draft."""
    def marked(text):
        return "".join(c if printable(c, fonts.body) else "[%s]" % shown(c) for c in text)

    out = {}
    for name, value in values.items():
        if name == "title" or not texts(value):
            out[name] = value
        elif isinstance(value, str):
            out[name] = marked(value)
        else:
            out[name] = [marked(v) if isinstance(v, str) else v for v in value]
    return out
