"""导入信访事项: petitions registered elsewhere (a county's old spreadsheet), from xlsx or CSV with Chinese headers.

    sheet = read(filename, data)           # the rows under the header row; ImportRefused for the whole file
    results = import_rows(sheet, by, ...)  # one RowResult per row: added, or skipped with the reason

Each row is written all or nothing (its new petitioner, the petition registered through workflow.register,
their audit entries) in one transaction; a bad row never stops the others. A row whose 编号 is already on
record, or the same petitioner's petition received at the same time with the same 事由, is skipped, so
importing a file twice adds nothing the second time. The petitioner is the one on record with the row's ID
number (the name must agree), else the one with its phone and name, else a new one; the town and the category
must be on record by name (a row naming an unknown one is skipped with the reason, nothing is created).
"""
import dataclasses
import re
import unicodedata

from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.styles import Font
from peewee import IntegrityError

from .. import audit, workflow
from ..db import database, now
from ..errors import N_, DomainError, ValidationError
from ..organisation import Category, Department
from ..petition import NUMBER_PREFIX, SUBJECT_MAX, NumberSeries, Petition
from ..spreadsheet import Book
from ..validation import normalize_id_number, normalize_phone
from ..workflow.petitioners import find_or_add
from . import table
from .table import FileUnreadable as ImportRefused
from .table import normalize_header

MAX_ROWS = 5000
MAX_BYTES = 10 * 1024 * 1024
MESSAGES = {  # the table reader's reasons as this screen has always worded them
    "old_excel": N_("Old Excel files (.xls) cannot be read: save it as .xlsx or CSV in Excel first."),
    "not_xlsx": N_("The file cannot be read as an Excel workbook (.xlsx)."),
}

# field: (the header of the template, other headers old registers use)
COLUMNS = {
    "number": ("编号", ("信访编号", "事项编号", "登记编号", "件号", "序号编号")),
    "received_at": ("收到时间", ("来信来访时间", "信访时间", "登记时间", "收到日期", "来访时间", "来信时间", "日期")),
    "channel": ("信访形式", ("信访方式", "来源方式", "形式")),
    "name": ("信访人", ("姓名", "信访人姓名", "反映人", "来访人")),
    "id_number": ("身份证号码", ("身份证号", "身份证", "公民身份号码", "证件号码")),
    "phone": ("联系电话", ("电话", "手机", "手机号码", "联系方式")),
    "address": ("住址", ("地址", "家庭住址", "现住址", "住所")),
    "town": ("所属镇街", ("镇街", "乡镇", "乡镇（街道）", "镇（街道）", "所属乡镇")),
    "village": ("村（社区）", ("村居", "村", "社区", "所属村（社区）")),
    "category": ("问题类别", ("类别", "问题分类", "诉求类别", "问题性质")),
    "subject": ("事由", ("标题", "主题", "信访事由", "反映问题")),
    "request_summary": ("信访请求", ("请求事项", "诉求摘要")),  # optional: ≤ 100 characters, stated by the letters
    "content": ("信访内容", ("内容", "主要内容", "诉求内容", "反映内容", "主要诉求")),
    "head_count": ("人数", ("来访人数", "信访人数")),
    "is_collective": ("是否集体访", ("集体访",)),
}
REQUIRED = ("received_at", "channel", "name", "subject", "content")

# What old registers write for the channels (the screens' own Chinese labels are added by the caller).
CHANNEL_WORDS = {
    "网上信访": "online", "网信": "online", "网上": "online", "来信": "letter", "信件": "letter", "来电": "phone",
    "电话": "phone", "传真": "fax", "来访": "visit", "走访": "visit", "领导接访": "leader_reception",
    "约访": "appointment", "下访": "downward_visit", "巡回接访": "roving_reception", "巡访": "roving_reception",
    "12345热线": "hotline", "12345": "hotline", "热线": "hotline",
}
YES = {"是", "y", "yes", "1", "true", "√", "集体访"}
NO = {"否", "n", "no", "0", "false", "", "个体访"}
OUR_NUMBER = re.compile(r"^%s-([0-9]{4})-([0-9]{6})$" % NUMBER_PREFIX)


class Duplicate(DomainError):
    """The row is on record already."""


@dataclasses.dataclass
class Sheet:
    rows: list  # [(line, {field: cell value})]
    columns: list  # the fields found, in the file's order
    ignored: list  # headers that are not columns of a petition


@dataclasses.dataclass
class RowResult:
    line: int  # the row's number in the spreadsheet (the header row counts)
    name: str = ""
    subject: str = ""
    number: str = None  # the petition's number, once added
    petition_id: int = None
    new_petitioner: bool = False
    error: DomainError = None  # why the row was skipped

    @property
    def added(self):
        return self.error is None


# -- reading the file ---------------------------------------------------------------------------------------

HEADERS = {h: field for field, (label, others) in COLUMNS.items() for h in (label,) + others}


def read(filename, data):
    """The sheet of an uploaded file: xlsx (first worksheet) or CSV (see table.py); the header row names at least
    two columns of a petition (a title line such as 某某县信访登记表 may sit above it). Raises ImportRefused."""
    found = table.read_table(data, filename, HEADERS, table.Limits(rows=MAX_ROWS, bytes=MAX_BYTES), MESSAGES)
    positions = found.positions()
    if len(positions) < 2:
        raise ImportRefused(N_("No header row was found: the first row must name the columns, e.g. %(columns)s."),
                            columns="、".join(COLUMNS[f][0] for f in REQUIRED))
    missing = [COLUMNS[f][0] for f in REQUIRED if f not in positions]
    if missing:
        raise ImportRefused(N_("The file lacks the columns: %(columns)s."), columns="、".join(missing))
    if not found.rows:
        raise ImportRefused(N_("The file has no rows under its header row."))
    ignored = [header for header, field in zip(found.header, found.fields) if field is None and header]
    return Sheet(rows=found.keyed(positions), columns=sorted(positions, key=positions.get), ignored=ignored)


# -- one row ------------------------------------------------------------------------------------------------

def text(value):
    """A cell as text (table.cell_text), full-width spaces inside a name or an address made plain spaces."""
    return table.cell_text(value).replace("\u3000", " ")


def parse_time(value):
    """A received time from a date cell, an Excel serial number, or text (table.parse_datetime): 2022-12-09 09:30,
    2022/12/9, 2022.12.9, 2022年12月9日 9时30分, 20221209."""
    try:
        received = table.parse_datetime(value)
    except (ValueError, OverflowError):
        raise ValidationError(N_("The received time %(value)s is not a date and time such as 2022-12-09 09:30."),
                              field="received_at", value=text(value))
    if received is None:
        raise ValidationError(N_("The received time is required."), field="received_at")
    return received


def parse_count(value):
    raw = text(value)
    if not raw:
        return 1
    match = re.fullmatch(r"([0-9]+)\s*人?", unicodedata.normalize("NFKC", raw))
    if not match:
        raise ValidationError(N_("The head count %(value)s is not a whole number."), field="head_count", value=raw)
    return int(match.group(1))


def parse_yes_no(value):
    raw = text(value).lower()
    if raw in YES:
        return True
    if raw in NO:
        return False
    raise ValidationError(N_("%(value)s is neither 是 nor 否."), field="is_collective", value=text(value))


class Lookups:
    """Names on record, read once per import: channels (Chinese label -> code), towns, categories."""

    def __init__(self, channel_names=None):
        self.channels = {normalize_header(k): v for k, v in CHANNEL_WORDS.items()}
        for name, code in (channel_names or {}).items():
            self.channels[normalize_header(name)] = code
        self.towns = {normalize_header(d.name): d for d in Department.select().where(Department.kind == "town")}
        for town in list(self.towns.values()):
            if town.short_name:
                self.towns.setdefault(normalize_header(town.short_name), town)
        self.categories = {normalize_header(c.name): c for c in Category.select()}

    def channel(self, value):
        raw = text(value)
        if not raw:
            raise ValidationError(N_("The channel is required."), field="channel")
        code = self.channels.get(normalize_header(raw))
        if code is None:
            raise ValidationError(N_("Unknown channel %(value)s."), field="channel", value=raw)
        return code

    def town(self, value):
        raw = text(value)
        if not raw:
            return None
        town = self.towns.get(normalize_header(raw))
        if town is None:
            raise ValidationError(N_("Unknown town %(value)s: add it under Departments first, or correct the name."),
                                  field="town", value=raw)
        return town

    def category(self, value):
        raw = text(value)
        if not raw:
            return None
        category = self.categories.get(normalize_header(raw))
        if category is None:
            raise ValidationError(N_("Unknown category %(value)s: add it under Categories first, or correct the "
                                     "name."), field="category", value=raw)
        return category


def _petitioner(values, town, summary, by):
    """(petitioner, created): the one on record (workflow.petitioners), else a new one. An ID number on record
    under another name skips the row rather than attach it to someone else."""
    name = text(values.get("name"))
    if not name:
        raise ValidationError(N_("The petitioner's name is required."), field="name")
    id_number = text(values.get("id_number")) or None
    phone = text(values.get("phone")) or None
    id_number = normalize_id_number(id_number) if id_number else None  # a wrong one skips the row, with why
    phone = normalize_phone(phone) if phone else None
    return find_or_add(by, name, id_number, phone, summary, name_differs=N_(
        "The ID number %(id_number)s is on record for %(name)s, not for this row's petitioner."),
        town=town, address=text(values.get("address")) or None, village=text(values.get("village")) or None)


def _keep_series_ahead(number):
    """An imported XF-2021-000123 of this office's own series: later numbers of that year come after it."""
    match = OUR_NUMBER.match(number or "")
    if not match:
        return
    year, sequence = int(match.group(1)), int(match.group(2))
    series = NumberSeries.get_or_none((NumberSeries.prefix == NUMBER_PREFIX) & (NumberSeries.year == year))
    if series is None:
        NumberSeries.create(prefix=NUMBER_PREFIX, year=year, last=sequence)
    elif series.last < sequence:
        (NumberSeries.update(last=sequence)
         .where((NumberSeries.id == series.id) & (NumberSeries.last < sequence)).execute())


def import_row(line, values, by, lookups, summary=None):
    """Register one row's petition, all or nothing; the RowResult says what happened."""
    result = RowResult(line=line, name=text(values.get("name")), subject=text(values.get("subject")))
    try:
        with database.atomic():
            number = text(values.get("number")) or None
            if number is not None and len(number) > Petition.number.max_length:
                raise ValidationError(N_("The number %(value)s is longer than %(max)s characters."), field="number",
                                      value=number, max=Petition.number.max_length)
            if number is not None and Petition.select().where(Petition.number == number).exists():
                raise Duplicate(N_("Petition %(number)s is on record already."), number=number)
            received_at = parse_time(values.get("received_at"))
            channel = lookups.channel(values.get("channel"))
            town = lookups.town(values.get("town"))
            category = lookups.category(values.get("category"))
            head_count = parse_count(values.get("head_count"))
            collective = parse_yes_no(values.get("is_collective")) if "is_collective" in values else False
            subject = result.subject
            if len(subject) > SUBJECT_MAX:
                raise ValidationError(N_("The subject has at most %(max)s characters."), field="subject",
                                      max=SUBJECT_MAX)
            petitioner, created = _petitioner(values, town, summary, by)
            same = Petition.select().where((Petition.petitioner == petitioner) & (Petition.received_at == received_at)
                                           & (Petition.subject == subject)).first()
            if same is not None:
                raise Duplicate(N_("Petition %(number)s of the same petitioner, received at the same time with the "
                                   "same subject, is on record already."), number=same.number)
            petition = Petition(number=number, channel=channel, received_at=received_at, petitioner=petitioner,
                                is_collective=collective, head_count=head_count, subject=subject,
                                content=text(values.get("content")), category=category, town=town,
                                request_summary=text(values.get("request_summary")) or None,
                                village=text(values.get("village")) or None,
                                registered_by=getattr(by, "id", None), created_at=now())
            workflow.register(petition, by)
            _keep_series_ahead(number)
            audit.record("create", petition, petition.id, by=by, summary=summary, after=audit.snapshot(petition))
    except DomainError as err:
        result.error = err
        return result
    except IntegrityError:  # another writer took the same number meanwhile
        result.error = (Duplicate(N_("Petition %(number)s is on record already."), number=number) if number
                        else ValidationError(N_("The row could not be saved; nothing of it was written.")))
        return result
    result.number, result.petition_id, result.new_petitioner = petition.number, petition.id, created
    return result


def import_rows(sheet, by, channel_names=None, summary=None, progress=None):
    """Import every row of the sheet; returns the RowResults in the file's order."""
    lookups = Lookups(channel_names)
    results = []
    for index, (line, values) in enumerate(sheet.rows):
        results.append(import_row(line, values, by, lookups, summary))
        if progress is not None:
            progress(index + 1, len(sheet.rows))
    return results


# -- the template -------------------------------------------------------------------------------------------

def template_xlsx(channel_labels=(), towns=(), categories=()):
    """An empty register with the headers (required ones marked *), text columns for ID numbers and phones
    (Excel would turn an 18-digit ID number into 3.71526E+17), drop-down lists, and a sheet of notes. Written by
    models/spreadsheet.py: a town or category named =HYPERLINK(...) is listed as text, never run."""
    book = Book()
    sheet = book.sheet("信访事项")
    options = book.sheet("选项")
    notes = book.sheet("填写说明")
    fields = list(COLUMNS)
    for index, field in enumerate(fields, 1):
        cell = sheet.cell(row=1, column=index, value=COLUMNS[field][0] + (" *" if field in REQUIRED else ""))
        cell.font = Font(bold=True)
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = 40 if field == "content" else 20 if field in (
            "received_at", "id_number", "subject", "address") else 12
        if field in ("id_number", "phone", "number", "received_at"):
            for row in range(2, 1002):
                sheet.cell(row=row, column=index).number_format = "@"
    sheet.freeze_panes = "A2"
    lists = {"channel": list(channel_labels), "town": list(towns), "category": list(categories),
             "is_collective": ["是", "否"]}
    for column, (field, values) in enumerate(lists.items(), 1):
        options.cell(row=1, column=column, value=COLUMNS[field][0]).font = Font(bold=True)
        for row, value in enumerate(values, 2):
            options.cell(row=row, column=column, value=value)
        if values:
            letter = options.cell(row=1, column=column).column_letter
            rule = DataValidation(type="list", formula1="'选项'!$%s$2:$%s$%d" % (letter, letter, len(values) + 1),
                                  allow_blank=True, showErrorMessage=False)
            sheet.add_data_validation(rule)
            target = sheet.cell(row=1, column=fields.index(field) + 1).column_letter
            rule.add("%s2:%s1001" % (target, target))
    lines = [
        "带 * 的列必须填写；第一行是列名，请勿修改。每一行是一件信访事项。",
        "编号：原登记簿的编号，可不填；填了编号的行再次导入时不会重复登记。",
        "收到时间：如 2022-12-09 09:30 或 2022年12月9日。",
        "信访形式、所属镇街、问题类别：须与本系统中的名称一致（见“选项”工作表），否则该行不导入并说明原因。",
        "信访人：按身份证号码匹配已登记的信访人（姓名须一致），其次按联系电话和姓名匹配，都没有则新建。",
        "人数：不填为 1；是否集体访：是 或 否。",
        "每一行单独导入：有问题的行不导入，也不影响其他行。",
    ]
    notes.column_dimensions["A"].width = 100
    for row, line in enumerate(lines, 1):
        notes.cell(row=row, column=1, value=line)
    return book.save()
