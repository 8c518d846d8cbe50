"""models/dates.py: every form of date a clerk types or pastes, and what is refused."""
import datetime as dt

import pytest

from models import dates
from models.imports import table

NINE_THIRTY = dt.datetime(2022, 12, 9, 9, 30)
MIDNIGHT = dt.datetime(2022, 12, 9)


@pytest.mark.parametrize("text, expected", [
    ("2022-12-09 09:30", NINE_THIRTY),
    ("2022-12-9 9:30", NINE_THIRTY),
    ("2022/12/09 09:30", NINE_THIRTY),
    ("2022/12/9 9:30:00", NINE_THIRTY),
    ("2022-12-09T09:30", NINE_THIRTY),
    ("2022-12-09 09:30:00", NINE_THIRTY),
    ("2022-12-09 09:30:00.250", NINE_THIRTY),
    ("2022.12.9", MIDNIGHT),
    ("20221209", MIDNIGHT),
    ("202212090930", NINE_THIRTY),
    ("2022年12月9日", MIDNIGHT),
    ("2022年12月9号", MIDNIGHT),
    ("2022年12月9日 9时30分", NINE_THIRTY),
    ("2022年12月9日9点30分", NINE_THIRTY),
    ("2022年12月9日 9点", dt.datetime(2022, 12, 9, 9)),
    ("2022年12月9日上午9:30", NINE_THIRTY),
    ("2022年12月9日下午3:30", dt.datetime(2022, 12, 9, 15, 30)),
    ("2022年12月9日晚上8点", dt.datetime(2022, 12, 9, 20)),
    ("2022年12月9日下午15:30", dt.datetime(2022, 12, 9, 15, 30)),
    ("２０２２－１２－０９　０９：３０", NINE_THIRTY),
    ("２０２２年１２月９日", MIDNIGHT),
    ("  2022-12-09 09:30  ", NINE_THIRTY),
    ("2022-12-09 23:59:59", dt.datetime(2022, 12, 9, 23, 59, 59)),
    ("2024-02-29", dt.datetime(2024, 2, 29)),
])
def test_what_a_clerk_types_is_read_as_meant(text, expected):
    assert dates.parse_datetime(text) == expected


@pytest.mark.parametrize("text", [
    "2022-13-45", "2022-02-30", "2023-02-29", "2022-12-09 25:61", "2022-12-09 24:00", "2022-12-09 09:60",
    "", "   ", "abc", "明天", "2022-12", "12-09", "2022-12-09 9:30 abc", "2022年12月9日下午", "0002-01-01 00:00:00022-12-09",
    "2022-12-09 -1:00",
])
def test_what_cannot_be_read_is_refused_never_guessed(text):
    with pytest.raises(dates.DateUnreadable) as refused:
        dates.parse_datetime(text)
    assert refused.value.params == {"value": text}
    assert refused.value.message == dates.UNREADABLE


def test_a_date_alone_is_at_the_time_the_form_gives():
    assert dates.parse_datetime("2022年12月9日", default_time=dt.time(23, 59, 59)) == dt.datetime(2022, 12, 9, 23, 59, 59)
    assert dates.parse_datetime("2022年12月9日 9:30", default_time=dt.time(23, 59)) == NINE_THIRTY


def test_a_date_field_takes_a_date_and_refuses_a_time():
    assert dates.parse_date("2022.12.9") == dt.date(2022, 12, 9)
    assert dates.parse_date("２０２２年１２月９日") == dt.date(2022, 12, 9)
    with pytest.raises(dates.DateUnreadable) as refused:
        dates.parse_date("2022-12-09 09:30")
    assert refused.value.message == dates.UNREADABLE_DATE


def test_the_importers_read_text_dates_with_the_same_reader():
    assert table.parse_datetime("2022年12月9日上午9:30") == NINE_THIRTY
    assert table.parse_datetime("2022/12/9 9:30") == NINE_THIRTY
    with pytest.raises(ValueError):
        table.parse_datetime("2022-02-30")
