"""The font files of letters, registered with reportlab once and known to xhtml2pdf by name."""
import hashlib
import os
import threading

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from xhtml2pdf import default as xhtml2pdf_default

FALLBACK = "STSong-Light"  # built into reportlab: not embedded, the reader needs a Chinese font

_REGISTERING = threading.Lock()
# Held while a PDF embedding these fonts is made: reportlab subsets a face by seeking and reading through the one
# position its TTFont keeps, so two documents subsetting one face at once would corrupt each other's subset.
# xhtml2pdf makes one document at a time anyway (its own lock); the page numbers (render.number_pages) are drawn
# with the body face outside it.
EMBEDDING = threading.Lock()
_registered = {}  # (path, size, mtime) -> the reportlab name of that file


def embedded_font(path):
    """The name the font file at path (its first face; None: STSong-Light) is registered under with reportlab and
    xhtml2pdf, once per version of the file: the same font measures the lines, draws the page numbers and is embedded
    (as a subset) by xhtml2pdf, which knows it by this name. An @font-face made xhtml2pdf read each whole file on
    every render (10-20 MB, about 40 ms a letter for three faces). Threads: registration is under a lock; the
    TTFont is shared, its per-document state is reportlab's, keyed by document, and a PDF using it is made under
    EMBEDDING."""
    if path is None:
        if FALLBACK not in pdfmetrics.getRegisteredFontNames():
            with _REGISTERING:
                pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK))
        return FALLBACK
    stat = os.stat(path)
    key = (path, stat.st_size, stat.st_mtime_ns)
    name = _registered.get(key)
    if name is None:
        with _REGISTERING:
            name = _registered.get(key)
            if name is None:
                name = "letter-" + hashlib.sha1(repr(key).encode()).hexdigest()[:12]
                pdfmetrics.registerFont(TTFont(name, path, subfontIndex=0))
                for bold in (0, 1):  # one face for every weight and style, as an @font-face of it gave
                    for italic in (0, 1):
                        addMapping(name, bold, italic, name)
                xhtml2pdf_default.DEFAULT_FONT[name] = name  # each render's font list starts from this
                _registered[key] = name
    return name


def face(path):
    """The parsed TrueType face of a registered font file (its glyph map, metrics)."""
    return pdfmetrics.getFont(embedded_font(path)).face
