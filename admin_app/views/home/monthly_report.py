"""月报: the home page's figures as an Excel workbook with Chinese headers (openpyxl), and the words both use.

Sheets: 概况 (the period's figures with their definitions, and the 12-month trend), 分类统计 (by channel,
category, town, team and classification) and 代表委员工作 (per representative). Written by models/spreadsheet.py:
a category or town named =HYPERLINK(...) is a text, never a formula.
"""
import datetime as dt

from flask_babel import gettext
from openpyxl.styles import Alignment, Font, PatternFill

from models import deadlines
from models.errors import N_
from models.people import REPRESENTATIVE_KINDS
from models.spreadsheet import XLSX_MIMETYPE as XLSX
from models.spreadsheet import Book

from ... import i18n

# The period's figures: (key, label, definition), in the order the page and the report show them.
FIGURES = (
    ("open_start", N_("Open at the start"),
     N_("Received before the period and neither closed nor refused acceptance by its start.")),
    ("new", N_("New in the period"), N_("Received within the period.")),
    ("closed", N_("Closed in the period"),
     N_("Closed within the period, by the time of closing; petitions not accepted are counted apart.")),
    ("not_accepted", N_("Not accepted in the period"), N_("Refused acceptance within the period.")),
    ("open_end", N_("Open at the end"),
     N_("Open at the start + new in the period − closed in the period − not accepted in the period.")),
    ("resolution_rate", N_("Resolution rate"),
     N_("Closed in the period ÷ handled, where handled = open at the start + new in the period.")),
    ("overdue", N_("Overdue"), N_("Open petitions whose present deadline has passed, as of today.")),
    ("due_soon", N_("Due soon"),
     N_("Open petitions whose present deadline is at most %(days)s days away, as of today.")),
    ("leader_led", N_("Led by county leaders"),
     N_("Petitions handled in the period that have a county leader in charge.")),
    ("own_resolved", N_("Handled by the office (studio) itself"),
     N_("Petitions whose handling result the office or its studio recorded itself, without a referral, "
        "handled within the period.")),
    ("satisfaction", N_("Follow-up satisfaction"),
     N_("(Satisfied + basically satisfied) ÷ follow-ups made in the period.")),
)
VOID_NOTE = N_("Void petitions are not counted in any figure.")
RATES = ("resolution_rate", "satisfaction")

DIMENSIONS = (
    ("channel", N_("By channel")),
    ("category", N_("By category")),
    ("town", N_("By town")),
    ("team", N_("By team")),
    ("classification", N_("By classification")),
)
BREAKDOWN_COLUMNS = (("new", N_("New in the period")), ("closed", N_("Closed in the period")),
                     ("not_accepted", N_("Not accepted in the period")))
REP_COLUMNS = (
    ("duty_shifts", N_("Duty shifts held")),
    ("visits", N_("Visits")),
    ("hearings", N_("Of which hearings")),
    ("consultations", N_("Consultations")),
    ("resolved", N_("Cases resolved")),
)


def definition(msgid):
    return gettext(msgid, days=deadlines.DUE_SOON_DAYS) if "%(days)s" in msgid else gettext(msgid)


# The report of each kind of period: its name (the button, the file) and the workbook's title.
REPORTS = {
    "month": (N_("Monthly report"), N_("Monthly report of the petition office")),
    "quarter": (N_("Quarterly report"), N_("Quarterly report of the petition office")),
    "year": (N_("Annual report"), N_("Annual report of the petition office")),
    "range": (N_("Statistical report"), N_("Statistical report of the petition office")),
}


def report_name(period):
    """月报, 季报, 年报, or 统计报表 for a range of days."""
    return gettext(REPORTS[period.kind][0])


def signed_percent(change):
    """同比 of a count: +12.5% / -3.0%, — when last year had none."""
    if change is None:
        return "—"
    return "0.0%" if round(change * 1000) == 0 else "%+.1f%%" % (100 * change)


def points(change):
    """同比 of a rate, in percentage points: +5.0 个百分点, — when either rate is unknown."""
    if change is None:
        return "—"
    return gettext("%(points)s percentage points", points="0.0" if round(change * 10) == 0 else "%+.1f" % change)


def period_title(period):
    """本月 / 2026年11月, 2026年第四季度, 2026年, or 2026年1月1日至2026年3月31日."""
    if period.kind == "month":
        return gettext("%(year)s-%(month)s", year=period.start.year, month=period.start.month)
    if period.kind == "quarter":
        return gettext("Quarter %(quarter)s of %(year)s", year=period.start.year, quarter=period.quarter)
    if period.kind == "year":
        return gettext("Year %(year)s", year=period.start.year)
    return period_dates(period)


def period_dates(period):
    return gettext("%(start)s to %(end)s", start=i18n.cn_date(period.start), end=i18n.cn_date(period.end))


def month_label(month):
    return gettext("%(year)s-%(month)s", year=month.start.year, month=month.start.month)


def row_label(dimension, row):
    """A breakdown row's name: the Chinese of a choice, the name of a record, or 未填写."""
    if row["key"] is None:
        return gettext("Not set")
    return gettext(row["label"]) if dimension in ("channel", "classification") else row["label"]


def figure_values(figures):
    """The FIGURES keys with their values (rates as fractions, None when there is nothing to divide by)."""
    summary = figures["summary"]
    values = {key: summary.get(key) for key, _, _ in FIGURES}
    values.update(figures["deadlines"], satisfaction=figures["satisfaction"]["rate"])
    return values


# -- the workbook ---------------------------------------------------------------------------------------------

BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")


def _header(sheet, values):
    sheet.append([gettext(v) for v in values], font=BOLD, fill=HEADER_FILL)


def _title(sheet, text):
    sheet.append([text], font=Font(bold=True, size=14))


def _widths(sheet, widths):
    for letter, width in zip("ABCDEFGH", widths):
        sheet.column_dimensions[letter].width = width


def workbook(period, figures, today=None, compared=None):
    """The period's report (月报, 季报, 年报) as xlsx bytes: figures is what views.home.figures() computed for the
    page; compared, for a year, the rows of year_on_year (上年同期 and 同比 beside the headline figures)."""
    today = today or dt.date.today()
    book = Book()
    overview = book.sheet(gettext("Overview"))
    _title(overview, gettext(REPORTS[period.kind][1]))
    overview.append([gettext("Period"), "%s（%s）" % (period_title(period), period_dates(period))])
    overview.append([gettext("Made on"), i18n.cn_date(today)])
    overview.append([])
    last_year = {key: (before, change) for key, _, before, change in compared or ()}
    _header(overview, (N_("Figure"), N_("Value"), N_("Definition")) + (
        (N_("Same period last year"), N_("Year on year")) if compared else ()))
    values = figure_values(figures)
    for key, label, meaning in FIGURES:
        row = [gettext(label), values[key] if values[key] is not None else "—", definition(meaning)]
        if key in last_year:
            before, change = last_year[key]
            row += [before if before is not None else "—",
                    points(change) if key in RATES else signed_percent(change)]
        overview.append(row)
        if key in RATES and values[key] is not None:
            overview.cell(overview.max_row, 2).number_format = "0.0%"
            if key in last_year and last_year[key][0] is not None:
                overview.cell(overview.max_row, 4).number_format = "0.0%"
    summary, satisfaction = figures["summary"], figures["satisfaction"]
    for label, value in ((N_("Finished in the period"), summary["finished"]),
                         (N_("Handled in the period"), summary["handled"]),
                         (N_("Follow-ups in the period"), satisfaction["follow_ups"]),
                         (N_("Satisfied"), satisfaction["satisfied"]),
                         (N_("Basically satisfied"), satisfaction["basically"]),
                         (N_("Dissatisfied"), satisfaction["dissatisfied"])):
        overview.append([gettext(label), value])
    overview.append([gettext(VOID_NOTE)])
    overview.append([])
    overview.append([gettext("The last 12 months")])
    overview.cell(overview.max_row, 1).font = BOLD
    _header(overview, (N_("Month"), N_("New in the month"), N_("Closed in the month")))
    for entry in figures["trend"]:
        overview.append([month_label(entry["month"]), entry["new"], entry["closed"]])
    _widths(overview, (26, 30, 80, 16, 16))
    for row in overview.iter_rows(min_col=3, max_col=3):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")

    breakdowns = book.sheet(gettext("Breakdowns"))
    _title(breakdowns, gettext("Breakdowns") + "（%s）" % period_title(period))
    for dimension, heading in DIMENSIONS:
        breakdowns.append([])
        breakdowns.append([gettext(heading)])
        breakdowns.cell(breakdowns.max_row, 1).font = BOLD
        _header(breakdowns, (N_("Item"),) + tuple(label for _, label in BREAKDOWN_COLUMNS))
        rows = figures["breakdowns"][dimension]
        for row in rows:
            breakdowns.append([row_label(dimension, row)] + [row[key] for key, _ in BREAKDOWN_COLUMNS])
        breakdowns.append([gettext("Total")] + [sum(r[key] for r in rows) for key, _ in BREAKDOWN_COLUMNS])
        breakdowns.cell(breakdowns.max_row, 1).font = BOLD
    _widths(breakdowns, (30, 12, 14, 14))

    work = book.sheet(gettext("Representatives' work"))
    _title(work, gettext("Representatives' work") + "（%s）" % period_title(period))
    _header(work, (N_("Representative"), N_("Kind")) + tuple(label for _, label in REP_COLUMNS))
    for rep in figures["representatives"] or ():
        work.append([rep["name"], i18n.choice_label(REPRESENTATIVE_KINDS, rep["kind"])]
                    + [rep[key] for key, _ in REP_COLUMNS])
    _widths(work, (14, 16, 14, 12, 12, 12, 12))

    if figures.get("rates") is not None:
        _rates_sheet(book, period, figures["rates"])
    return book.save()


def _rates_sheet(book, period, data):
    """三率: the office's figures with their numerators, denominators and definitions, then the departments ranked
    (views/home/rates.py, the same as the page)."""
    from . import rates as rates_view

    sheet = book.sheet(gettext("Rates"))
    _title(sheet, gettext("Rates") + "（%s）" % period_title(period))
    _header(sheet, (N_("Figure"), N_("Value"), N_("Numerator"), N_("Denominator"), N_("Definition")))
    for label, value, numerator, denominator, meaning in rates_view.report_rows(data):
        sheet.append([label, "—" if value is None else value, numerator, denominator, meaning])
        if isinstance(value, float):
            sheet.cell(sheet.max_row, 2).number_format = "0.0%"
        sheet.cell(sheet.max_row, 5).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.append([gettext(rates_view.COHORT_NOTE)])
    if data["departments"] is None:  # the ranking is for those who may read the departments
        return
    sheet.append([])
    sheet.append([gettext("Departments ranked")])
    sheet.cell(sheet.max_row, 1).font = BOLD
    _header(sheet, (N_("Rank"), N_("Responsible department")) + tuple(
        label for _, label in rates_view.DEPARTMENT_COLUMNS))
    for place, row in enumerate(data["departments"], start=1):
        cells = [place, row["name"]]
        for key, _ in rates_view.DEPARTMENT_COLUMNS:
            value = row["rates"][key] if key in row["rates"] else row["counts"][key]
            cells.append("—" if value is None else value)
        sheet.append(cells)
        for column, (key, _) in enumerate(rates_view.DEPARTMENT_COLUMNS, start=3):
            if key in row["rates"] and row["rates"][key] is not None:
                sheet.cell(sheet.max_row, column).number_format = "0.0%"
    _widths(sheet, (22, 22, 12, 12, 80, 12, 12, 14))


def filename(period):
    return ("%s-%s.xlsx" % (report_name(period), period_title(period))).replace(" ", "")
