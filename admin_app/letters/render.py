"""Letters as PDF: a Jinja template per kind (templates/letters) -> HTML -> xhtml2pdf, in GB/T 9704-2012 layout.

Chinese text is broken into lines here, not by xhtml2pdf: its CJK wrapping fails on a paragraph that
crosses a page ("Splitting error"), and a fixed 28 characters a line is what the standard asks anyway.
Each line is measured with the embedded font, so mixed digits and Latin letters never run past the margin.
The fonts are registered with reportlab once (embedded_font); xhtml2pdf runs under a resource policy that fetches
nothing remote.
"""
import io
import logging
import os
import re

from flask import current_app, render_template
from flask_babel import gettext
from markupsafe import Markup, escape
from pypdf import PdfReader, PdfWriter
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfgen.canvas import Canvas
from xhtml2pdf import pisa
from xhtml2pdf.config.resources import ResourceAccessPolicy

from models import documents, settings
from models.db import now
from models.errors import N_, DomainError
from models.organisation import Department
from models.workflow import letters as letter_rules

from .. import i18n
from . import content as letter_content, fontbuild, glyphs, scans, wording as letter_wording
from .fontfiles import EMBEDDING, FALLBACK, embedded_font

log = logging.getLogger(__name__)

MM = 72 / 25.4
TEXT_WIDTH = 156 * MM  # the text block: 156 x 225 mm
BODY_SIZE = 16  # 3号
TITLE_SIZE = 22  # 2号
PAGE_NUMBER_SIZE = 14  # 4号
# 28 characters of 16 pt are 448 pt, the text block 442.2 pt: the tracking is tightened by 0.21 pt between
# characters so that 28 fit exactly; every full line is then justified to the right edge by its own letter spacing.
TRACKING = (TEXT_WIDTH - 28 * BODY_SIZE) / 27
LINE_PITCH = 28.95  # 22 lines a page: 22 x 28.95 pt fit in 225 mm (637.8 pt)
# 避头尾: punctuation that may not begin a line (it takes the last character of the line before along),
# and opening brackets and quotes that may not end one (they go to the next line with what they open).
NO_LINE_START = set("，。、；：！？）》」』”’〕】…—,.;:!?)")
NO_LINE_END = set("（《「『“‘〔【")

# What a line may never be broken inside: a date (2026年9月8日), a 文号 (高信访〔2022〕5号), a number with its unit.
UNSPLIT = re.compile(r"\d{4}年\d{1,2}月(?:\d{1,2}日)?|\d{1,2}月\d{1,2}日|[\u4e00-\u9fff]{0,5}〔\d{4}〕\d+号"
                     r"|[0-9A-Za-z][0-9A-Za-z.\-/%]*[日号条个元]?")
# 一级 (一、) and 二级 (（一）) headings: up to their first full stop or colon, when that comes early.
# (一、张某某于2023年1月10日前将院墙恢复原址。 is an item, not a heading: its full stop comes too late.)
HEADINGS = ((1, re.compile(r"^[一二三四五六七八九十]+、(?:[^。：，]{1,16}[。：]|[^。：，]{1,16}$)")),
            (2, re.compile(r"^（[一二三四五六七八九十]+）(?:[^。：，]{1,16}[。：]|[^。：，]{1,16}$)")))

# Chinese TrueType fonts looked for when a LETTER_*FONT setting is not set, per role: Windows' office faces, then the
# free faces fontbuild.py converts to TrueType into instance/fonts (reportlab embeds glyf outlines only; Debian
# packages them as CFF): Fandol Fang (仿宋, with Noto Serif SC for the characters beyond GB2312) and Noto Serif CJK
# SC Black (for 小标宋); then Debian's own TrueType: AR PL UMing (明) for the body, WenQuanYi Zen Hei (heavy) for the
# title; 一级 headings WenQuanYi Zen Hei (黑), 二级 AR PL UKai (楷).
UMING, UKAI = "/usr/share/fonts/truetype/arphic/uming.ttc", "/usr/share/fonts/truetype/arphic/ukai.ttc"
ZENHEI, MICROHEI = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
FANG, SERIF_BLACK = fontbuild.FANG, fontbuild.TITLE
KNOWN_FONTS = ("C:/Windows/Fonts/simfang.ttf", FANG, UMING, ZENHEI, MICROHEI, "C:/Windows/Fonts/simsun.ttc")
KNOWN_TITLE_FONTS = ("C:/Windows/Fonts/FZXBSJW.TTF", SERIF_BLACK, ZENHEI, MICROHEI)
KNOWN_HEADING_FONTS = ("C:/Windows/Fonts/simhei.ttf", ZENHEI, MICROHEI)
KNOWN_SUBHEADING_FONTS = ("C:/Windows/Fonts/simkai.ttf", UKAI)


class Fonts:
    """The fonts a letter uses: file paths of the body, title, 一级 and 二级 heading faces, or None for the
    built-in STSong-Light (the body; the others then fall back to the body's)."""

    def __init__(self, body, title=None, heading=None, subheading=None):
        self.body = body
        self.title, self.heading, self.subheading = (
            (path if body is not None else None) or body for path in (title, heading, subheading))

    @property
    def embedded(self):
        return self.body is not None

    def family(self, role):
        """The CSS font family of a role: the name its file is registered under (embedded_font), one embedded
        subset per distinct file."""
        return embedded_font(getattr(self, role))

    def file_of(self, family):
        """The font file of a family name this letter uses (None: STSong-Light)."""
        return next((path for path in self.files() if embedded_font(path) == family), None)

    @property
    def body_family(self):
        return self.family("body")

    @property
    def title_family(self):
        return self.family("title")

    def files(self):
        """The distinct font files, in role order."""
        out = []
        for path in (self.body, self.title, self.heading, self.subheading):
            if path is not None and path not in out:
                out.append(path)
        return out

    def roots(self):
        return tuple(sorted({os.path.dirname(p) for p in self.files()}))


def _font(config, name, known):
    configured = config.get(name)
    if configured and os.path.isfile(configured):
        return configured
    return next((path for path in known if os.path.isfile(path)), None)


def find_fonts(config=None):
    """LETTER_FONT / LETTER_TITLE_FONT / LETTER_HEADING_FONT / LETTER_SUBHEADING_FONT when set and present, else a
    known system font of that role, else the body's (else none: STSong-Light)."""
    config = config if config is not None else current_app.config
    body = _font(config, "LETTER_FONT", KNOWN_FONTS)
    return Fonts(body, _font(config, "LETTER_TITLE_FONT", KNOWN_TITLE_FONTS),
                 _font(config, "LETTER_HEADING_FONT", KNOWN_HEADING_FONTS),
                 _font(config, "LETTER_SUBHEADING_FONT", KNOWN_SUBHEADING_FONTS))


def _is_word(char):
    """Part of a run of Latin letters, digits and ASCII signs (2022, XF-2022-000001): not broken inside."""
    return "!" <= char <= "~"


def _break_at(line, following):
    """Where to end a full line whose next character is `following`: the line is line[:cut], the rest
    goes along to the next line. Keeps 避头尾 and runs of digits and Latin letters whole, but carries at
    most half a line (a run longer than that is broken where the line is full)."""
    cut = len(line)
    for _ in range(len(line)):
        before = cut
        after = line[cut] if cut < len(line) else following
        if after in NO_LINE_START and cut > 1:
            cut -= 1
        elif _is_word(after) and _is_word(line[cut - 1]) and cut > 1:
            while cut > 1 and _is_word(line[cut - 1]):
                cut -= 1
            if _is_word(line[cut - 1]):  # the whole line is one run
                return len(line)
        elif line[cut - 1] in NO_LINE_END and cut > 1:
            cut -= 1
        if cut == before:
            break
    return cut


def _spans(paragraph):
    """{index: start} for each character inside a run that may not be broken (UNSPLIT) but its first."""
    inside = {}
    for match in UNSPLIT.finditer(paragraph):
        for i in range(match.start() + 1, match.end()):
            inside[i] = match.start()
    return inside


def _advance(text, font, size):
    """The width a text takes with the tightened tracking (each character's advance plus TRACKING)."""
    return pdfmetrics.stringWidth(text, font, size) + len(text) * TRACKING * size / BODY_SIZE


def wrap(text, font_path, size=BODY_SIZE, width=TEXT_WIDTH, indent=2):
    """Lines of a text, paragraph by paragraph: [(line, first line of its paragraph?)].

    The first line of a paragraph leaves room for an indent of two characters. A line never begins
    with closing punctuation nor ends with an opening bracket (避头尾), and a date, a 文号, a number or a
    Latin word (2026年9月8日, 高信访〔2022〕5号, XF-2022-000001) is not split between two lines unless it is
    longer than half a line. Widths count the tightened tracking: 28 full-width characters fill a line."""
    font = embedded_font(font_path)
    full = _advance("中", font, size)
    lines = []
    for paragraph in (text or "").replace("\r\n", "\n").split("\n"):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        inside = _spans(paragraph)
        limit, start, used, first = width - indent * full, 0, 0.0, True
        for i, char in enumerate(paragraph):
            w = _advance(char, font, size)
            if used + w - TRACKING > limit + 0.01 and i > start:  # the last character's tracking is no ink
                line = paragraph[start:i]
                cut = _break_at(line, char)
                for _ in range(4):  # out of a date or 文号, then 避头尾 again
                    at = start + cut
                    if at in inside and inside[at] > start:
                        cut = inside[at] - start
                    again = _break_at(line[:cut], line[cut] if cut < len(line) else char)
                    if again == cut:
                        break
                    cut = again
                if _advance(line[cut:], font, size) > width / 2:
                    cut = len(line)
                lines.append((line[:cut], first))
                start, first, limit = start + cut, False, width
                used = _advance(paragraph[start:i], font, size)
            used += w
        lines.append((paragraph[start:], first))
    return lines


def justified(line, font_path, width, size=BODY_SIZE):
    """The letter spacing (pt) that makes a full line end exactly at the right edge of the text block."""
    natural = pdfmetrics.stringWidth(line, embedded_font(font_path), size)
    return (width - natural) / max(len(line) - 1, 1)


def _heading(paragraph):
    """(level, length of the heading) of a paragraph that begins with a 一级 or 二级 heading, else (0, 0)."""
    for level, pattern in HEADINGS:
        match = pattern.match(paragraph)
        if match:
            return level, match.end()
    return 0, 0


def paragraphs(text, fonts, indent=True):
    """The HTML of a text, a block per line: escaped, so petition text is never markup. A heading (一、 in 黑体,
    （一） in 楷体) is set in its face; a paragraph that is only a heading is kept with the line after it. Each line
    but the last of a paragraph is justified to the full width."""
    html = []
    for paragraph in (text or "").replace("\r\n", "\n").split("\n"):
        level, length = _heading(paragraph.strip())
        lines = wrap(paragraph, fonts.body, indent=2 if indent else 0)
        for n, (line, first) in enumerate(lines):
            css = ["l"] + (["first"] if first and indent else [])
            width = TEXT_WIDTH - (2 * (BODY_SIZE + TRACKING) if first and indent else 0)
            spacing = justified(line, fonts.body, width) if n < len(lines) - 1 else TRACKING
            if level and n == 0 and length >= len(paragraph.strip()):
                css.append("keep")
            body = escape(line)
            if level and n == 0:
                role = "heading" if level == 1 else "subheading"
                body = Markup('<span style="font-family: %s">%s</span>%s') % (
                    fonts.family(role), line[:length], line[length:])
            html.append('<div class="%s" style="letter-spacing: %.3fpt">%s</div>' % (" ".join(css), spacing, body))
    return Markup("".join(html))


def policy(fonts):
    """Read nothing (the fonts are registered beforehand, embedded_font); fetch nothing; a bounded render."""
    letters_dir = os.path.join(current_app.root_path, os.pardir, "templates", "letters")
    return ResourceAccessPolicy(
        allow_remote=False, base_dir=os.path.abspath(letters_dir),  # fonts are registered by name (embedded_font)
        max_resources=6, max_render_seconds=120, max_document_bytes=8 * 1024 * 1024,
    )


def text_width(text, fonts, size=BODY_SIZE, tracked=True):
    """The width in points of a line of text in the body font, tracked or not (the organ's name is centred over the
    date untracked); the last character's tracking is not ink."""
    text = text or ""
    if not tracked:
        return pdfmetrics.stringWidth(text, embedded_font(fonts.body), size)
    return max(_advance(text, embedded_font(fonts.body), size) - (TRACKING if text else 0), 0)


def render_html(kind, fonts, **context):
    """The letter's HTML from templates/letters/<kind>.html (autoescaped). A kind with a wording
    (letters/wording.py: the context's "wording", else the one in force) gets its body text as wording_text, from
    the values as printed."""
    if letter_wording.worded(kind):
        context["wording_text"] = (context.get("wording") or letter_wording.in_force(kind)).text(context)
    return render_template("letters/%s.html" % kind, fonts=fonts, para=lambda text, indent=True: paragraphs(
        text, fonts, indent), cn_date=i18n.cn_date, text_width=lambda text, tracked=True: text_width(text, fonts, tracked=tracked),
        body_size=BODY_SIZE, title_size=TITLE_SIZE, line_pitch=LINE_PITCH, tracking=TRACKING, **context)


def _utf16_to_unicode_cmap():
    """reportlab writes each ToUnicode entry as <%04X>: a character beyond the Basic Multilingual Plane (𠮷, U+20BB7,
    which the built 仿宋 prints) gets five hex digits and reads back (search, copy, pdftotext) as ₻. PDF wants
    UTF-16 there: a surrogate pair."""
    make = ttfonts.makeToUnicodeCMap
    if getattr(make, "utf16", False):
        return

    def made(fontname, subset):
        cmap = make(fontname, subset)
        for i, code in enumerate(subset):
            if code > 0xFFFF:
                cmap = cmap.replace("<%02X> <%04X>" % (i, code),
                                    "<%02X> <%s>" % (i, chr(code).encode("utf-16-be").hex().upper()))
        return cmap

    made.utf16 = True
    ttfonts.makeToUnicodeCMap = made


_utf16_to_unicode_cmap()


class RenderError(Exception):
    """xhtml2pdf could not make the PDF."""


# xhtml2pdf's default style sheet (xhtml2pdf.default.DEFAULT_CSS) cut to the rules for the elements letters use
# (html, body, div, span, table, tr, td): the whole of it, parsed again on every render, was 3 ms a letter.
DEFAULT_CSS = """
html { font-family: Helvetica; font-size: 10px; font-weight: normal; color: #000000; margin: 0; padding: 0;
       line-height: 150%; border: 1px none; display: inline; width: auto; height: auto; white-space: normal; }
body, div, table, tr, td { display: block; }
tr, td { vertical-align: middle; width: auto; }
"""


def render_pdf(html, fonts):
    """HTML -> PDF bytes under the resource policy."""
    out = io.BytesIO()
    with EMBEDDING:
        status = pisa.CreatePDF(html, dest=out, encoding="utf-8", resource_policy=policy(fonts),
                                default_css=DEFAULT_CSS)
    if status.err:
        raise RenderError("xhtml2pdf reported %d error(s)" % status.err)
    return out.getvalue()


# -- issuing, previewing, printing: the rules are models.workflow.letters; here is what they render -------

def issuer():
    """The organ that issues the office's letters (the setting LETTER_ISSUER, a department with a short name)."""
    name = settings.value("LETTER_ISSUER", current_app.config)
    department = letter_rules.remember(("issuer", name), lambda: Department.get_or_none(Department.name == name))
    if department is None:
        raise DomainError(N_("The issuing organ %(name)s is not among the departments."), name=name)
    return department


def organ_of(kind, petition, record_id=None):
    """The organ a letter is issued by (models.workflow.letters.issuing_organ): its name is the 落款."""
    return letter_rules.issuing_organ(kind, petition, issuer(), *letter_content.defaults(), record_id=record_id)


def letter_values(kind, petition, record_id, number, at, wording=None):
    """What the letter prints: the template's context (letters/content.py), its title, number, date and organ,
    and its wording (letters/wording.py: the one given, else the one in force). While a letter is issued
    (letter_rules.remembering) all but the number and date are read once, for the glyph check and the rendering."""
    def read():
        office = issuer()
        return dict(letter_content.context(kind, petition, record_id, office), title=letter_content.title(kind),
                    organ=organ_of(kind, petition, record_id).name)

    return dict(letter_rules.remember(("letter", kind, petition.id, record_id), read), number=number,
                date=i18n.cn_date(at),
                wording=wording or letter_rules.remember(("wording", kind), lambda: letter_wording.in_force(kind)))


def build(kind, petition, record_id, number, at, draft=None, wording=None):
    """The letter's PDF bytes: page numbers are added when it runs to more than one page. A draft marks the
    characters its fonts cannot print: listed above the title, each shown as its code ([U+20BB7])."""
    fonts = find_fonts()
    values = letter_values(kind, petition, record_id, number, at, wording)
    unprintable = None
    if draft is not None:
        found = unprintable_in(kind, values, fonts)
        if found:
            values = glyphs.mark(values, fonts)
            unprintable = gettext("These characters cannot be printed, so this letter cannot be issued: %(places)s.",
                                  places=glyphs.places(found, codes=True))
    values.update(draft=draft, unprintable=unprintable)
    return number_pages(render_pdf(render_html(kind, fonts, **values), fonts), fonts), fonts


def unprintable_in(kind, values, fonts):
    """[(field msgid, [characters])] of the letter its fonts cannot print (glyphs.unprintable), read from its HTML."""
    html = render_html(kind, fonts, draft=None, unprintable=None, **values)
    return glyphs.unprintable(kind, values, fonts, html)


def check_printable(kind, petition, record_id=None):
    """Raise letter_rules.Unprintable, naming the characters and where they are, when the letter's fonts have no
    glyph for a character it would print (it would print as a box). Called by models.workflow.letters before the
    letter takes its number."""
    fonts = find_fonts()
    organ = organ_of(kind, petition, record_id).department
    number = documents.format_number(organ.short_name or "", 2000, 1) if organ is not None else ""
    values = letter_values(kind, petition, record_id, number, now())
    found = unprintable_in(kind, values, fonts)
    if found:
        raise letter_rules.Unprintable(
            N_("%(places)s cannot be printed: the letter's font has no such character. Nothing was issued; "
               "write it another way (for example in words) and issue again."), places=glyphs.places(found))


def delivery_receipt(document, delivery=None):
    """送达回证 of an issued letter: a one-page form, not numbered and not archived (it is a form, not a
    document); filled in with the delivery once it is recorded."""
    fonts = find_fonts()
    organ = organ_of(document.kind, document.petition, document.record_id).name  # the letter's organ
    values = dict(letter_content.receipt(document, delivery), title=gettext("Proof of delivery"), number=None,
                  organ=organ, date="", draft=None)
    return render_pdf(render_html("delivery_receipt", fonts, **values), fonts)


def page_count(pdf):
    return len(PdfReader(io.BytesIO(pdf)).pages)


LEFT_MARGIN, BLOCK_BOTTOM = 28 * MM, 35 * MM  # the text block's left edge and its bottom, from the page's corner


def number_pages(pdf, fonts):
    """The PDF with "— N —" on each page when it has more than one (GB/T 9704 7.5): 4号, 7 mm under the text block,
    odd pages one character in from the block's right edge, even pages one character in from its left edge.
    Drawn afterwards because xhtml2pdf's frames are the same on every page."""
    reader = PdfReader(io.BytesIO(pdf))
    if len(reader.pages) < 2:
        return pdf
    font = embedded_font(fonts.body)
    overlay = io.BytesIO()
    box = reader.pages[0].mediabox
    canvas = Canvas(overlay, pagesize=(float(box.width), float(box.height)), pageCompression=1)
    baseline = BLOCK_BOTTOM - 7 * MM - 0.35 * PAGE_NUMBER_SIZE  # the dashes' top 7 mm under the text block
    with EMBEDDING:  # the body face is shared with the renders of other threads (fontfiles.EMBEDDING)
        for number in range(1, len(reader.pages) + 1):
            canvas.setFont(font, PAGE_NUMBER_SIZE)
            text = "— %d —" % number
            if number % 2:
                canvas.drawRightString(LEFT_MARGIN + TEXT_WIDTH - PAGE_NUMBER_SIZE, baseline, text)
            else:
                canvas.drawString(LEFT_MARGIN + PAGE_NUMBER_SIZE, baseline, text)
            canvas.showPage()
        canvas.save()
    stamps = PdfReader(io.BytesIO(overlay.getvalue()))
    writer = PdfWriter(clone_from=reader)
    for page, stamp in zip(writer.pages, stamps.pages):
        page.merge_page(stamp)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def preview(kind, petition, record_id=None, wording=None):
    """A draft (草稿), not numbered and not archived; NotAvailable when the petition cannot have it. wording: a
    draft wording (letters/wording.Wording) instead of the one in force."""
    letter_rules.check_available(kind, petition, record_id)
    pdf, _ = build(kind, petition, record_id, gettext("(draft, no number yet)"), now(), draft=gettext("Draft"),
                   wording=wording)
    return pdf


def renderer(kind, petition, record_id=None):
    """render(number, at) -> PDF bytes of this letter, as models.workflow.letters asks for it; its wording is the
    one in force now, and render.wording_version its version (recorded on the document)."""
    wording = letter_wording.in_force(kind)

    def render(number, at):
        return build(kind, petition, record_id, number, at, wording=wording)[0]

    render.wording_version = wording.version if wording is not None else None
    return render


def issuing():
    """The keyword arguments of models.workflow.letters' issuing: the office (each letter's organ is decided from
    it, issuing_organ), the embedded font, the check that every character can be printed, and the default
    复查/复核 organs (the settings)."""
    fonts = find_fonts()
    return {"issuer": issuer(), "font": os.path.basename(fonts.body) if fonts.embedded else None,
            "check": check_printable, "higher": letter_content.defaults()}


def issue_letter(kind, petition, by, record_id=None):
    """印发 a letter (models.workflow.letters.issue); never a step."""
    return letter_rules.issue(kind, petition, by, renderer(kind, petition, record_id), record_id, **issuing())


def issue_minutes(consultation, by):
    """印发 the one 会诊纪要 of a consultation, or give the one in force (models.workflow.letters.issue_minutes)."""
    petition = letter_rules.kept_on("consultation_minutes", None, consultation.id)
    return letter_rules.issue_minutes(consultation, by, renderer("consultation_minutes", petition, consultation.id),
                                      **issuing())


def answer(petition, by, at=None):
    """答复: the answer step (at: when it happened, default now) and its 信访处理意见书, in one transaction
    (models.workflow.letters.answer)."""
    return letter_rules.answer(petition, by, renderer("handling_opinion", petition), at=at, **issuing())


def reissue(document, by, reason):
    """Void a wrong letter with the reason and issue a new one in its place (a new number)."""
    render = renderer(document.kind, document.petition, document.record_id)
    return letter_rules.reissue(document, by, reason, render, **issuing())


def print_batch(kind, petitions, by):
    """One PDF with the letters of this kind of each petition (the archived ones, or issued now).

    Returns (pdf or None, [(petition, document)], [(petition, reason)]). Each letter is issued in its own
    transaction, so a batch of a hundred never holds SQLite's write lock for longer than one rendering; a letter
    that fails is skipped with its reason and takes no number. Printing never takes a step."""
    printed, skipped = [], []
    try:
        arguments = issuing()  # the office, the font and the settings: read once a batch
    except DomainError as err:
        return None, printed, [(petition, i18n.error_message(err)) for petition in petitions]
    writer = PdfWriter()
    for petition in petitions:
        try:
            for document in letter_rules.for_printing(kind, petition, by, lambda record_id: renderer(
                    kind, petition, record_id), **arguments):
                writer.append(PdfReader(io.BytesIO(scans.printable(document))))  # a recorded scan too
                printed.append((petition, document))
        except DomainError as err:
            skipped.append((petition, i18n.error_message(err)))
        except Exception:
            log.exception("the %s letter of petition %s could not be made", kind, petition.id)
            skipped.append((petition, gettext("The letter could not be made; nothing was changed.")))
    if not printed:
        return None, printed, skipped
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), printed, skipped
