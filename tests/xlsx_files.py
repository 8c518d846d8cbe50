"""Workbooks written by hand, part by part, for the tests of the table reader: zip bombs (a sheet of many rows, a
huge shared string, a part whose declared size lies, a wide dimension) and malformed ones (a truncated sheet, a
broken workbook.xml, a DOCTYPE). Each is built in memory in a fraction of a second."""
import io
import struct
import zipfile
import zlib

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '%s</Types>')
SHARED_TYPE = ('<Override PartName="/xl/sharedStrings.xml" '
               'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'sharedStrings" Target="sharedStrings.xml"/></Relationships>')
SHEET_START = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
               '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">%s<sheetData>')
SHEET_END = "</sheetData></worksheet>"
HEADER = ["工单编号", "来电时间", "联系电话", "诉求内容"]


def _escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def inline_row(line, values):
    return '<row r="%d">%s</row>' % (line, "".join(
        '<c r="%s%d" t="inlineStr"><is><t>%s</t></is></c>' % (chr(65 + i), line, _escape(v))
        for i, v in enumerate(values)))


def package(sheet, shared=None, workbook=WORKBOOK, extra=()):
    """The bytes of an xlsx with these parts (sheet and shared as str or bytes); extra: more (name, bytes)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as book:
        book.writestr("[Content_Types].xml", CONTENT_TYPES % (SHARED_TYPE if shared is not None else ""))
        book.writestr("_rels/.rels", ROOT_RELS)
        book.writestr("xl/workbook.xml", workbook)
        book.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        book.writestr("xl/worksheets/sheet1.xml", sheet)
        if shared is not None:
            book.writestr("xl/sharedStrings.xml", shared)
        for name, data in extra:
            book.writestr(name, data)
    return out.getvalue()


def good(rows=(("A-1", "2023-03-01 09:30", "13900000001", "路灯不亮"),)):
    """A small, well-formed workbook: the header and these rows as inline strings."""
    body = "".join(inline_row(n, values) for n, values in enumerate([HEADER] + list(rows), 1))
    return package(SHEET_START % "" + body + SHEET_END)


def many_rows(count, columns=60, varied=False):
    """A bomb of rows: the header, then `count` rows of `columns` cells each holding a number (the same one, or
    varied=True: numbers that differ, so that the sheet compresses about 94 times: under the ratio a part may have)."""
    same = "".join('<c t="n"><v>1234567</v></c>' for _ in range(columns))
    body = inline_row(1, HEADER) + "".join(
        '<row r="%d">%s</row>' % (n, "".join('<c><v>%d</v></c>' % ((n % 31) * 1000 + k)
                                             for k in range(columns)) if varied else same)
        for n in range(2, count + 2))
    return package(SHEET_START % "" + body + SHEET_END)


def huge_shared_string(chars):
    """A bomb of text: one shared string of `chars` characters, in the first data row."""
    shared = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
              '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
              '<si><t>' + "a" * chars + '</t></si></sst>')
    body = inline_row(1, HEADER) + '<row r="2"><c r="A2" t="s"><v>0</v></c></row>'
    return package(SHEET_START % "" + body + SHEET_END, shared)


def wide_dimension(count):
    """A bomb of columns: the sheet declares A1:XFD1048576 and has `count` rows of one cell each (a reader that
    pads every row to the declared width holds 16,384 cells a row)."""
    body = inline_row(1, HEADER) + "".join('<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (n, n, n)
                                           for n in range(2, count + 2))
    return package(SHEET_START % '<dimension ref="A1:XFD1048576"/>' + body + SHEET_END)


def lying_size(real, declared=1024):
    """A sheet whose parts declare `declared` bytes unpacked (local header and central directory) while the
    compressed data unpacks to `real` bytes."""
    data = many_rows(real // (60 * 28) + 1)
    return declare(data, "xl/worksheets/sheet1.xml", declared)


def declare(data, part, size):
    """The archive with `part` declaring `size` bytes unpacked, in its local header and the central directory."""
    name = part.encode()
    data = bytearray(data)
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        at = -1
        while True:
            at = data.find(signature, at + 1)
            if at < 0:
                break
            if data[at + name_at:at + name_at + len(name)] == name:
                data[at + size_at:at + size_at + 4] = struct.pack("<I", size)
    return bytes(data)


def truncated():
    """A workbook cut off in the middle of its sheet's compressed data (a download stopped half way)."""
    data = good([("A-%d" % n, "2023-03-01 09:30", "139%08d" % n, "内容%d" % n) for n in range(2000)])
    return data[:len(data) * 2 // 3]


def truncated_sheet_xml():
    """A well-packed workbook whose sheet XML stops in the middle of a row."""
    sheet = SHEET_START % "" + inline_row(1, HEADER) + '<row r="2"><c r="A2" t="inlineStr"><is><t>A-1</t>'
    return package(sheet)


def broken_workbook():
    return package(SHEET_START % "" + inline_row(1, HEADER) + SHEET_END, workbook="<workbook><sheets><sheet")


def doctype_sheet():
    """The billion laughs, in the sheet."""
    entities = '<!ENTITY a0 "lol">' + "".join(
        '<!ENTITY a%d "%s">' % (n, "&a%d;" % (n - 1) * 10) for n in range(1, 10))
    sheet = ('<?xml version="1.0"?><!DOCTYPE worksheet [%s]>' % entities
             + '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             + inline_row(1, HEADER) + '<row r="2"><c r="A2" t="inlineStr"><is><t>&a9;</t></is></c></row>'
             + SHEET_END)
    return package(sheet)


def doctype_external():
    """An external entity (XXE) in the shared strings."""
    shared = ('<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
              '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&x;</t></si></sst>')
    body = inline_row(1, HEADER) + '<row r="2"><c r="A2" t="s"><v>0</v></c></row>'
    return package(SHEET_START % "" + body + SHEET_END, shared)


def doctype_workbook():
    return package(SHEET_START % "" + inline_row(1, HEADER) + SHEET_END,
                   workbook='<?xml version="1.0"?><!DOCTYPE workbook [<!ENTITY e "x">]>' + WORKBOOK[38:])


def many_parts(count):
    return package(SHEET_START % "" + inline_row(1, HEADER) + SHEET_END,
                   extra=[("xl/media/p%d.bin" % n, b"") for n in range(count)])


def no_sheets():
    """A workbook.xml that lists no sheet (the old reader's worksheets[0] was an IndexError: a 500)."""
    return package(SHEET_START % "" + inline_row(1, HEADER) + SHEET_END,
                   workbook=WORKBOOK.replace('<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets>',
                                             "<sheets/>"), extra=[])


def shared_out_of_range():
    """A cell naming shared string 99 of none (an IndexError in the old reader: a 500)."""
    return package(SHEET_START % "" + inline_row(1, HEADER) + '<row r="2"><c r="A2" t="s"><v>99</v></c></row>'
                   + SHEET_END)
