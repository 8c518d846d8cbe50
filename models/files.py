"""Files people upload (a scan of a letter another organ issued): what they are, decided from their bytes.

The type is read from the content (magic bytes), never from the file's name or the browser's word, so a page
of HTML named 复查意见书.pdf is refused. Only what a scan can be is accepted here: PDF, JPEG, PNG.
"""
import io

from PIL import Image, UnidentifiedImageError

from .errors import N_, ValidationError

MAX_BYTES = 20 * 1024 * 1024  # 20 MB a file, unless the caller says otherwise
# An A4 page scanned at 600 dpi is 35 million pixels; more is an image made to exhaust memory when decoded.
MAX_PIXELS = 60_000_000

# content type: (the bytes it starts with, what the file is called in messages)
SCAN_TYPES = {
    "application/pdf": (b"%PDF-", "PDF"),
    "image/jpeg": (b"\xff\xd8\xff", "JPEG"),
    "image/png": (b"\x89PNG\r\n\x1a\n", "PNG"),
}


def sniff(data):
    """The content type of these bytes among SCAN_TYPES, or None."""
    for content_type, (magic, _) in SCAN_TYPES.items():
        if data.startswith(magic):
            return content_type
    return None


def check_scan(data, max_bytes=MAX_BYTES):
    """The content type of an uploaded scan; ValidationError (field "scan") when it is empty, too large or not a
    PDF, JPEG or PNG by its content."""
    if not data:
        raise ValidationError(N_("Choose the scanned file (PDF, JPEG or PNG); the file sent was empty."),
                              field="scan")
    if len(data) > max_bytes:
        raise ValidationError(N_("The file is larger than %(limit)s MB; scan it at a lower resolution."),
                              field="scan", limit=max_bytes // 1048576)
    content_type = sniff(data)
    if content_type is None:
        raise ValidationError(N_("The file is not a PDF, JPEG or PNG (judged by its content, not its name); "
                                 "scan the letter to one of these."), field="scan")
    if content_type != "application/pdf":
        _check_image(data)
    return content_type


def _check_image(data):
    """Refuse an image that cannot be read (truncated, damaged) or is too large to decode safely; only its
    header is read for the size, so a huge image is refused without being decoded."""
    too_large = ValidationError(N_("The image has more than %(million)s million pixels, too large to print; scan "
                                   "it at 300 dpi or save it as a PDF."), field="scan", million=MAX_PIXELS // 10**6)
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise too_large
            image.load()  # decodes it: a truncated or damaged file fails here
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):  # Pillow's own limit, from the header
        raise too_large from None
    except (OSError, UnidentifiedImageError, SyntaxError, ValueError):
        raise ValidationError(N_("The image cannot be read (the file is damaged or incomplete); scan it again."),
                              field="scan")


def extension(content_type):
    """.pdf, .jpg or .png: the extension a download of this type is named with."""
    return {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}[content_type]
