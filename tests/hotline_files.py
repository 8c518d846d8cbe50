"""Hotline export files for the tests, made the way the 12345 platform makes them: xlsx or CSV, Chinese headers."""
import csv
import datetime as dt
import io

from openpyxl import Workbook

HEADERS = ["工单编号", "来电时间", "来电人", "联系电话", "诉求内容", "诉求类型", "所属区域", "承办单位", "办理时限",
           "工单状态", "满意度"]


def ticket_row(n, **changes):
    """A good row: ticket 12345-2023-<n>, called on 2023-03-01 plus n minutes."""
    row = {
        "工单编号": "12345-2023-%05d" % n,
        "来电时间": "2023-03-01 %02d:%02d:00" % (8 + n // 60 % 10, n % 60),
        "来电人": "来电人%d" % n,
        "联系电话": "139%08d" % n,
        "诉求内容": "反映小区路灯不亮，夜间出行不便（第%d件）。" % n,
        "诉求类型": "城乡建设",
        "所属区域": "梁庄镇张家村",
        "承办单位": "县住建局",
        "办理时限": "2023-03-08",
        "工单状态": "办理中",
        "满意度": "",
    }
    row.update(changes)
    return row


def rows_of(count, start=1):
    return [ticket_row(n) for n in range(start, start + count)]


def csv_bytes(rows, headers=HEADERS, encoding="utf-8-sig", title=None):
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    if title:
        writer.writerow([title])
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(h, "") for h in headers])
    return out.getvalue().encode(encoding)


def workbook(rows):
    """An xlsx of these rows as they are (lists of cell values, the header among them)."""
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_bytes(rows, headers=HEADERS, title=None, typed=False):
    """typed=True: the call time as an Excel date and the ticket number as a number, as exports often have."""
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
    sheet.append(headers)
    for row in rows:
        values = []
        for header in headers:
            value = row.get(header, "")
            if typed and header == "来电时间" and value:
                value = dt.datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
            if typed and header == "工单编号" and str(value).isdigit():
                value = int(value)
            values.append(value)
        sheet.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
