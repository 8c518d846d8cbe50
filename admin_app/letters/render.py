"""Letters as PDF: a Jinja template per kind (templates/letters) -> HTML -> xhtml2pdf, in GB/T 9704-2012 layout.

Chinese text is broken into lines here, not by xhtml2pdf: its CJK wrapping fails on a paragraph that
crosses a page ("Splitting error"), and a fixed 28 characters a line is what the standard asks anyway.
Each line is measured with the embedded font, so mixed digits and Latin letters never run past the margin.
xhtml2pdf runs under a resource policy that reads only our fonts and fetches nothing remote.
"""
import io
import logging
import os
from functools import lru_cache

from flask import current_app, render_template
from flask_babel import gettext
from markupsafe import Markup, escape
from pypdf import PdfReader, PdfWriter
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from xhtml2pdf import pisa
from xhtml2pdf.config.resources import ResourceAccessPolicy

from models import documents
from models.db import now
from models.errors import N_, DomainError
from models.organisation import Department
from models.workflow import letters as letter_rules

from .. import i18n
from . import content as letter_content, glyphs, wording as letter_wording

log = logging.getLogger(__name__)

MM = 72 / 25.4
TEXT_WIDTH = 156 * MM  # the text block: 156 x 225 mm
BODY_SIZE = 15.79  # 3号 (16 pt) narrowed so that 28 full-width characters fit in 156 mm (442.2 pt)
TITLE_SIZE = 22  # 2号
LINE_PITCH = 28.95  # 22 lines a page: 22 x 28.95 pt fit in 225 mm (637.8 pt)
FALLBACK = "STSong-Light"  # built into reportlab: not embedded, the reader needs a Chinese font
# 避头尾: punctuation that may not begin a line (it takes the last character of the line before along),
# and opening brackets and quotes that may not end one (they go to the next line with what they open).
NO_LINE_START = set("，。、；：！？）》」』”’〕】…—,.;:!?)")
NO_LINE_END = set("（《「『“‘〔【")

# Chinese TrueType fonts looked for when LETTER_FONT is not set: Debian's, then Windows'.
KNOWN_FONTS = (
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "C:/Windows/Fonts/simfang.ttf",
    "C:/Windows/Fonts/simsun.ttc",
    "C:/Windows/Fonts/simhei.ttf",
)


class Fonts:
    """The fonts a letter uses: body and title file paths, or None for the built-in STSong-Light."""

    def __init__(self, body, title):
        self.body, self.title = body, title or body

    @property
    def embedded(self):
        return self.body is not None

    @property
    def body_family(self):
        return "letter-body" if self.body else FALLBACK

    @property
    def title_family(self):
        if self.title is None:
            return FALLBACK
        return "letter-body" if self.title == self.body else "letter-title"  # one embedded subset, not two

    def roots(self):
        return tuple(sorted({os.path.dirname(p) for p in (self.body, self.title) if p}))


def find_fonts(config=None):
    """LETTER_FONT / LETTER_TITLE_FONT when set and present, else a known system font, else none."""
    config = config if config is not None else current_app.config
    configured = config.get("LETTER_FONT")
    body = configured if configured and os.path.isfile(configured) else None
    if body is None:
        body = next((path for path in KNOWN_FONTS if os.path.isfile(path)), None)
    title = config.get("LETTER_TITLE_FONT")
    title = title if title and os.path.isfile(title) else body
    return Fonts(body, title)


@lru_cache(maxsize=8)
def _measuring_font(path):
    """A reportlab font registered to measure text widths (the same file xhtml2pdf embeds)."""
    if path is None:
        pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK))
        return FALLBACK
    name = "measure-%d" % (len(pdfmetrics.getRegisteredFontNames()) + 1)
    pdfmetrics.registerFont(TTFont(name, path, subfontIndex=0))
    return name


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


def wrap(text, font_path, size=BODY_SIZE, width=TEXT_WIDTH, indent=2):
    """Lines of a text, paragraph by paragraph: [(line, first line of its paragraph?)].

    The first line of a paragraph leaves room for an indent of two characters. A line never begins
    with closing punctuation nor ends with an opening bracket (避头尾), and a number or a Latin word
    (2022, XF-2022-000001) is not split between two lines unless it is longer than half a line."""
    font = _measuring_font(font_path)
    full = pdfmetrics.stringWidth("中", font, size)
    lines = []
    for paragraph in (text or "").replace("\r\n", "\n").split("\n"):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        limit, line, used, first = width - indent * full, "", 0.0, True
        for char in paragraph:
            w = pdfmetrics.stringWidth(char, font, size)
            if used + w > limit + 0.01 and line:
                cut = _break_at(line, char)
                if pdfmetrics.stringWidth(line[cut:], font, size) > width / 2:
                    cut = len(line)
                line, carried = line[:cut], line[cut:]
                lines.append((line, first))
                line, first, limit = carried, False, width
                used = pdfmetrics.stringWidth(line, font, size)
            line += char
            used += w
        lines.append((line, first))
    return lines


def paragraphs(text, fonts, indent=True):
    """The HTML of a text, a block per line: escaped, so petition text is never markup."""
    html = []
    for line, first in wrap(text, fonts.body, indent=2 if indent else 0):
        css = "l first" if first and indent else "l"
        html.append('<div class="%s">%s</div>' % (css, escape(line)))
    return Markup("".join(html))


def policy(fonts):
    """Read only our fonts; fetch nothing; a bounded render."""
    letters_dir = os.path.join(current_app.root_path, os.pardir, "templates", "letters")
    return ResourceAccessPolicy(
        allow_remote=False, base_dir=os.path.abspath(letters_dir), extra_roots=fonts.roots(),
        max_resources=4, max_render_seconds=120, max_document_bytes=8 * 1024 * 1024,
    )


def text_width(text, fonts, size=BODY_SIZE):
    """The width in points of a line of text in the body font (to centre the organ's name over the date)."""
    return pdfmetrics.stringWidth(text or "", _measuring_font(fonts.body), size)


def render_html(kind, fonts, **context):
    """The letter's HTML from templates/letters/<kind>.html (autoescaped). A kind with a wording
    (letters/wording.py: the context's "wording", else the one in force) gets its body text as wording_text, from
    the values as printed."""
    if letter_wording.worded(kind):
        context["wording_text"] = (context.get("wording") or letter_wording.in_force(kind)).text(context)
    return render_template("letters/%s.html" % kind, fonts=fonts, para=lambda text, indent=True: paragraphs(
        text, fonts, indent), cn_date=i18n.cn_date, text_width=lambda text: text_width(text, fonts),
        body_size=BODY_SIZE, title_size=TITLE_SIZE, line_pitch=LINE_PITCH, **context)


class RenderError(Exception):
    """xhtml2pdf could not make the PDF."""


def render_pdf(html, fonts):
    """HTML -> PDF bytes under the resource policy."""
    out = io.BytesIO()
    status = pisa.CreatePDF(html, dest=out, encoding="utf-8", resource_policy=policy(fonts))
    if status.err:
        raise RenderError("xhtml2pdf reported %d error(s)" % status.err)
    return out.getvalue()


# -- issuing, previewing, printing: the rules are models.workflow.letters; here is what they render -------

def issuer():
    """The organ that issues the office's letters (LETTER_ISSUER, a department with a short name)."""
    name = current_app.config.get("LETTER_ISSUER", "县信访局")
    department = Department.get_or_none(Department.name == name)
    if department is None:
        raise DomainError(N_("The issuing organ %(name)s is not among the departments."), name=name)
    return department


def organ_of(kind, petition):
    """The organ a letter is issued by (models.workflow.letters.issuing_organ): its name is the 落款."""
    return letter_rules.issuing_organ(kind, petition, issuer(), *letter_content.defaults())


def letter_values(kind, petition, record_id, number, at, wording=None):
    """What the letter prints: the template's context (letters/content.py), its title, number, date and organ,
    and its wording (letters/wording.py: the one given, else the one in force)."""
    office = issuer()
    return dict(letter_content.context(kind, petition, record_id, office), title=letter_content.title(kind),
                number=number, date=i18n.cn_date(at), organ=organ_of(kind, petition).name,
                wording=wording or letter_wording.in_force(kind))


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
    pdf = render_pdf(render_html(kind, fonts, page_numbers=False, **values), fonts)
    if page_count(pdf) > 1:
        pdf = render_pdf(render_html(kind, fonts, page_numbers=True, **values), fonts)
    return pdf, fonts


def unprintable_in(kind, values, fonts):
    """[(field msgid, [characters])] of the letter its fonts cannot print (glyphs.unprintable), read from its HTML."""
    html = render_html(kind, fonts, page_numbers=False, draft=None, unprintable=None, **values)
    return glyphs.unprintable(kind, values, fonts, html)


def check_printable(kind, petition, record_id=None):
    """Raise letter_rules.Unprintable, naming the characters and where they are, when the letter's fonts have no
    glyph for a character it would print (it would print as a box). Called by models.workflow.letters before the
    letter takes its number."""
    fonts = find_fonts()
    organ = organ_of(kind, petition).department
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
    values = dict(letter_content.receipt(document, delivery), title=gettext("Proof of delivery"), number=None,
                  organ=organ_of(document.kind, document.petition).name, date="", draft=None)  # the letter's organ
    return render_pdf(render_html("delivery_receipt", fonts, page_numbers=False, **values), fonts)


def page_count(pdf):
    return len(PdfReader(io.BytesIO(pdf)).pages)


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
    writer = PdfWriter()
    for petition in petitions:
        try:
            for document in letter_rules.for_printing(kind, petition, by, lambda record_id: renderer(
                    kind, petition, record_id), **issuing()):
                writer.append(PdfReader(io.BytesIO(bytes(document.pdf))))
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
