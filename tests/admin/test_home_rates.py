"""三率 on the home page and in the report, read as the office head and a clerk read them: each figure equals
models/reports/rates.py, its numerator and denominator link to the petition list, and that list counts exactly
as many petitions; the departments are ranked with links of their own; the workbook has the same figures."""
import datetime as dt
import html
import io
import re
from urllib.parse import urlencode

import pytest
from openpyxl import load_workbook

from models.reports import rates, statistics

from tests.admin.helpers import english_words, visible_text
from tests.models.test_rates import world  # noqa: F401 (the random data, a fixture)

TODAY = dt.date.today()
YEARS = (2025, 2026)


def home(client, year):
    response = client.get("/admin/?" + urlencode({"period": "year", "year": year}))
    assert response.status_code == 200
    return response.get_data(as_text=True)


def listed_count(client, url):
    """The count the petition list gives in its tab (列表 (N)); none is shown for an empty list."""
    response = client.get(url)
    assert response.status_code == 200, url
    found = re.search(r"列表 \((\d+)\)", visible_text(response.get_data(as_text=True)))
    return int(found.group(1)) if found else 0


def links_in(fragment):
    """(number shown, url) of each link of a piece of the page."""
    return [(int(visible_text(text)), html.unescape(url))
            for url, text in re.findall(r'<a href="([^"]+)">(.*?)</a>', fragment, re.S)]


def section(page, element_id, end="</div></div></div>"):
    return page.split('id="%s"' % element_id, 1)[1].split(end, 1)[0]


@pytest.fixture
def head(login_as, world):  # noqa: F811
    return login_as("leader", display_name="局长")


@pytest.mark.parametrize("year", YEARS)
def test_each_figure_is_the_rule_s_and_its_links_list_as_many_petitions(client, head, year):
    page = home(client, year)
    assert english_words(page) == []
    expected = rates.office(statistics.year(year), TODAY)
    for key, (numerator, denominator) in rates.RATES.items():
        value = visible_text(section(page, "rate-%s" % key, "</div>")).strip(">").strip()
        rate = expected["rates"][key]
        assert value == ("—" if rate is None else "%.1f%%" % (100 * rate)), key
        parts = links_in(section(page, "rate-%s-parts" % key, "</div>"))
        wanted = [expected["counts"][numerator], expected["counts"][denominator]]
        assert [n for n, _ in parts] == [n for n in wanted if n], key  # a zero has no link
        for n, url in parts:
            assert listed_count(client, url) == n, (key, url)
    (repeat, url), = links_in(section(page, "rate-repeat", "</div>"))
    assert repeat == expected["counts"]["repeat"] and listed_count(client, url) == repeat
    received, = links_in(section(page, "rate-definitions", "</details>"))
    assert received[0] == expected["counts"]["received"] and listed_count(client, received[1]) == received[0]
    definitions = visible_text(section(page, "rate-definitions", "</details>"))
    for words in ("及时受理率", "15日内", "按期办结率", "延期", "参评率", "信访人本人对最近一次答复的评价", "满意率",
                  "一次性化解率", "复查", "复核", "12个月", "重复信访"):
        assert words in definitions, words


def test_the_departments_are_ranked_and_each_count_links_to_its_petitions(client, head):
    page = home(client, 2026)
    expected = rates.departments(statistics.year(2026), TODAY)
    table = page.split('id="department-ranking"')[1].split("</table>")[0]
    names = [visible_text(name) for name in re.findall(r'<tr id="department-\d+"><td>\d+</td><td>(.*?)</td>', table)]
    assert names == [row["name"] for row in expected] and len(names) == 4
    headers = [visible_text(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", table)]
    assert headers[:7] == ["名次", "责任单位", "转交办件数", "按期答复", "已超期", "未到期", "按期办结率"]
    for row in expected:
        cells = table.split('id="department-%d"' % row["id"])[1].split("</tr>")[0]
        links = links_in(cells)
        counts = [row["counts"][key] for key in ("referred", "department_on_time", "department_overdue",
                                                 "department_pending", "repeat")]
        assert [n for n, _ in links] == [n for n in counts if n]
        for n, url in links:
            assert listed_count(client, url) == n, (row["name"], url)
        rate = row["rates"]["on_time_rate"]
        assert ("—" if rate is None else "%.1f%%" % (100 * rate)) in visible_text(cells)


def test_a_representative_sees_the_rates_but_not_the_ranking(client, login_as, world):  # noqa: F811
    login_as("representative")
    page = home(client, 2026)
    assert 'id="rates"' in page and 'id="department-ranking"' not in page


def test_the_report_has_the_rates_and_the_ranking(client, head):
    response = client.get("/admin/monthly-report?" + urlencode({"period": "year", "year": 2026}))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert "三率" in book.sheetnames
    rows = list(book["三率"].iter_rows(values_only=True))
    header = rows.index(("指标", "数值", "分子", "分母", "统计口径") + (None,) * (len(rows[1]) - 5))
    by_label = {row[0]: row[1:4] for row in rows[header + 1:header + 7]}
    expected = rates.office(statistics.year(2026), TODAY)
    for label, key in (("及时受理率", "timely_rate"), ("按期办结率", "on_time_rate"), ("参评率", "evaluation_rate"),
                       ("满意率", "satisfaction_rate"), ("一次性化解率", "resolved_once_rate")):
        numerator, denominator = rates.RATES[key]
        assert by_label[label][1:] == (expected["counts"][numerator], expected["counts"][denominator]), label
        assert by_label[label][0] == pytest.approx(expected["rates"][key]), label
    assert by_label["重复信访"][0] == expected["counts"]["repeat"]
    ranked = [row[1] for row in rows if row and isinstance(row[0], int)]
    assert ranked == [row["name"] for row in rates.departments(statistics.year(2026), TODAY)]
