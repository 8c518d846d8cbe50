"""The printable PDF of an archived document: the letter as generated, or a letter another organ issued as it was
scanned (models/workflow/recorded_letters.py): a PDF scan as it is, an image scan on an A4 page of its own, so
that the bulk print and the merged download put every kind of document in one file."""
import io

from flask import current_app
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from models import files

MARGIN = 10 * 72 / 25.4  # 10 mm: a scan is printed as it was scanned, not fitted to the letter's text block


def printable(document):
    """The PDF bytes to print a document with (its archived bytes when they are a PDF)."""
    data = bytes(document.pdf)
    if document.content_type == "application/pdf":
        return data
    image = ImageReader(io.BytesIO(data))
    width, height = image.getSize()
    scale = min((A4[0] - 2 * MARGIN) / width, (A4[1] - 2 * MARGIN) / height)
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    canvas.drawImage(image, (A4[0] - width * scale) / 2, A4[1] - MARGIN - height * scale, width * scale,
                     height * scale)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def max_bytes():
    """UPLOAD_MAX_MB (default 20) in bytes."""
    return int(current_app.config.get("UPLOAD_MAX_MB") or files.MAX_BYTES // 1048576) * 1048576

