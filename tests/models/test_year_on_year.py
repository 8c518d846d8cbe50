"""同比 for the 年报: the same period a year before, and the changes of the headline figures from known data."""
import datetime as dt

import pytest

from models.reports import statistics, year_on_year
from models.reports.statistics import Period


def at(year, month, day):
    return dt.datetime(year, month, day, 9, 30)


@pytest.mark.parametrize("period, today, expected", [
    pytest.param(statistics.year(2025), dt.date(2026, 12, 5), Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31), "year"),
                 id="a-past-year"),
    pytest.param(statistics.year(2026), dt.date(2026, 12, 5), Period(dt.date(2025, 1, 1), dt.date(2025, 12, 5), "year"),
                 id="a-year-under-way"),
    pytest.param(statistics.year(2024), dt.date(2024, 2, 29), Period(dt.date(2023, 1, 1), dt.date(2023, 2, 28), "year"),
                 id="leap-day"),
    pytest.param(statistics.year(2027), dt.date(2026, 12, 5), Period(dt.date(2026, 1, 1), dt.date(2026, 12, 31), "year"),
                 id="not-begun"),
])
def test_the_same_period_last_year(period, today, expected):
    assert year_on_year.same_period_last_year(period, today) == expected


def test_change_is_none_when_last_year_is_zero():
    assert year_on_year.change(12, 10) == pytest.approx(0.2)
    assert year_on_year.change(8, 10) == pytest.approx(-0.2)
    assert year_on_year.change(5, 5) == 0
    assert year_on_year.change(3, 0) is None
    assert year_on_year.point_change(0.45, 0.40) == pytest.approx(5.0)
    assert year_on_year.point_change(0.45, None) is None


@pytest.fixture
def two_years(db, make_petition):
    """2024: 2 new, 1 closed within it, 1 left open. 2025: 3 new (one void, never counted), 1 closed, 1 not
    accepted, and the open one of 2024 closed; no petition led by a county leader in 2024, one in 2025."""
    make_petition(received_at=at(2024, 3, 1), status="closed", closed_at=at(2024, 4, 1))
    make_petition(received_at=at(2024, 6, 1), status="closed", closed_at=at(2025, 2, 1))
    make_petition(received_at=at(2025, 3, 1), status="closed", closed_at=at(2025, 5, 1), leader_in_charge="副县长李某")
    make_petition(received_at=at(2025, 4, 1), status="not_accepted", closed_at=at(2025, 4, 3))
    make_petition(received_at=at(2025, 7, 1), status="accepted")
    make_petition(received_at=at(2025, 8, 1), status="void")


def test_the_year_is_compared_with_the_year_before(two_years):
    rows, previous = year_on_year.year_on_year(statistics.year(2025), dt.date(2026, 12, 5))
    assert previous == statistics.year(2024)
    by_key = {key: (now, before, change) for key, now, before, change in rows}
    assert by_key["new"] == (3, 2, pytest.approx(0.5))
    assert by_key["closed"] == (2, 1, pytest.approx(1.0))
    assert by_key["not_accepted"] == (1, 0, None)  # nothing last year: no 同比
    assert by_key["open_start"] == (1, 0, None)
    assert by_key["open_end"] == (1, 1, 0)
    assert by_key["leader_led"] == (1, 0, None)
    # 化解率: 2 closed of 4 handled against 1 of 2: no change, in percentage points
    assert by_key["resolution_rate"] == (pytest.approx(0.5), pytest.approx(0.5), pytest.approx(0.0))
    assert [key for key, *_ in rows] == list(year_on_year.COUNTS + year_on_year.RATES)
