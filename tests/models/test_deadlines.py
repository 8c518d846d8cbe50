"""The statutory limits of the 信访工作条例 at their edges, and the counting rule (deadlines.configure)."""
import datetime as dt

import pytest

from models import deadlines

D = dt.date
RECEIVED = dt.datetime(2022, 12, 9, 9, 30)  # the county's case: a Friday
SPRING_FESTIVAL_2023 = [D(2023, 1, 21) + dt.timedelta(days=i) for i in range(7)]  # 1月21日至27日放假
SPRING_MAKE_UP_2023 = [D(2023, 1, 28), D(2023, 1, 29)]  # 1月28日（周六）、29日（周日）上班


pytestmark = pytest.mark.usefixtures("counting_rule")  # each test may change the counting rule (tests/conftest.py)


# -- 第二十二条, 第二十三条: 转送/交办 and 告知 within 15 days of receipt ------------------------------------

@pytest.mark.parametrize("limit", [
    pytest.param(deadlines.referral_due, id="art22-referral"),
    pytest.param(deadlines.notice_due, id="art23-notice"),
])
def test_referral_and_notice_are_due_15_days_after_receipt(limit):
    assert limit(RECEIVED) == D(2022, 12, 24)
    assert limit(RECEIVED.date()) == D(2022, 12, 24)


@pytest.mark.parametrize("today, left, urgency", [
    pytest.param(D(2022, 12, 9), 15, None, id="day-0-received"),
    pytest.param(D(2022, 12, 20), 4, None, id="day-11"),
    pytest.param(D(2022, 12, 21), 3, "due_soon", id="day-12-due-soon"),
    pytest.param(D(2022, 12, 24), 0, "due_soon", id="day-15-within"),
    pytest.param(D(2022, 12, 25), -1, "overdue", id="day-16-overdue"),
])
def test_referral_limit_of_15_days_ends_on_day_15(today, left, urgency):
    due_on = deadlines.referral_due(RECEIVED)
    assert deadlines.days_left(due_on, today) == left
    assert deadlines.urgency(due_on, today) == urgency


# -- 第三十四条: 办结 within 60 days of acceptance, extension of at most 30 --------------------------------

ACCEPTED = dt.datetime(2022, 12, 12, 10, 0)


@pytest.mark.parametrize("extension_days, due", [
    pytest.param(0, D(2023, 2, 10), id="60-days"),
    pytest.param(30, D(2023, 3, 12), id="30-day-extension-day-90"),
    pytest.param(10, D(2023, 2, 20), id="10-day-extension"),
])
def test_handling_is_due_60_days_after_acceptance(extension_days, due):
    assert deadlines.handling_due(ACCEPTED, extension_days=extension_days) == due
    assert due - ACCEPTED.date() == dt.timedelta(days=60 + extension_days)


@pytest.mark.parametrize("today, urgency", [
    pytest.param(D(2023, 2, 10), "due_soon", id="day-60-within"),
    pytest.param(D(2023, 2, 11), "overdue", id="day-61-overdue"),
])
def test_handling_limit_ends_on_day_60(today, urgency):
    assert deadlines.urgency(deadlines.handling_due(ACCEPTED), today) == urgency


def test_extension_ends_on_day_90():
    due_on = deadlines.handling_due(ACCEPTED, extension_days=30)
    assert deadlines.days_left(due_on, ACCEPTED.date() + dt.timedelta(days=90)) == 0
    assert deadlines.urgency(due_on, ACCEPTED.date() + dt.timedelta(days=91)) == "overdue"


@pytest.mark.parametrize("extension_days", [
    pytest.param(31, id="31-days"),
    pytest.param(60, id="60-days"),
])
def test_extension_of_more_than_30_days_is_refused(extension_days):
    with pytest.raises(ValueError):
        deadlines.handling_due(ACCEPTED, extension_days=extension_days)


# -- 第二十三条: a department not competent objects within 5 working days ---------------------------------

@pytest.mark.parametrize("referred, due", [
    pytest.param(dt.datetime(2022, 12, 15, 16, 0), D(2022, 12, 22), id="thursday-to-next-thursday"),
    pytest.param(dt.datetime(2022, 12, 16, 9, 0), D(2022, 12, 23), id="friday-to-next-friday"),
    pytest.param(dt.datetime(2022, 12, 17, 9, 0), D(2022, 12, 23), id="saturday-to-next-friday"),
    pytest.param(dt.datetime(2022, 12, 12, 9, 0), D(2022, 12, 19), id="monday-to-next-monday"),
])
def test_objection_is_due_5_working_days_after_referral(referred, due):
    assert deadlines.objection_due(referred) == due


def test_objection_skips_holidays_and_counts_make_up_workdays():
    referred = D(2023, 1, 19)  # Thursday before the Spring Festival
    assert deadlines.objection_due(referred) == D(2023, 1, 26)  # no holidays configured
    deadlines.configure(holidays=SPRING_FESTIVAL_2023)
    assert deadlines.objection_due(referred) == D(2023, 2, 2)  # 20th, then 30th to 2 February
    deadlines.configure(workdays=SPRING_MAKE_UP_2023)
    assert deadlines.objection_due(referred) == D(2023, 1, 31)  # 20th, 28th, 29th, 30th, 31st


@pytest.mark.parametrize("day, working", [
    pytest.param(D(2023, 1, 20), True, id="friday"),
    pytest.param(D(2023, 1, 21), False, id="holiday-saturday"),
    pytest.param(D(2023, 1, 23), False, id="holiday-monday"),
    pytest.param(D(2023, 1, 28), True, id="make-up-saturday"),
    pytest.param(D(2023, 2, 4), False, id="ordinary-saturday"),
])
def test_working_days_follow_the_configured_holidays_and_make_up_days(day, working):
    deadlines.configure(holidays=SPRING_FESTIVAL_2023, workdays=SPRING_MAKE_UP_2023)
    assert deadlines.is_working_day(day) is working


# -- the counting rule for the limits marked "counted" ------------------------------------------------

def test_calendar_days_are_the_default():
    assert deadlines.COUNTING["counted"] == "calendar"


def test_counting_working_days_moves_the_15_day_limits():
    deadlines.configure(counted="working")
    assert deadlines.referral_due(RECEIVED) == D(2022, 12, 30)  # 15 working days from Friday 9 December
    assert deadlines.notice_due(RECEIVED) == D(2022, 12, 30)
    deadlines.configure(counted="working", workdays=[D(2022, 12, 17)])  # a Saturday made a workday
    assert deadlines.referral_due(RECEIVED) == D(2022, 12, 29)
    deadlines.configure(counted="calendar")
    assert deadlines.referral_due(RECEIVED) == D(2022, 12, 24)


def test_objection_counts_working_days_whatever_the_rule():
    deadlines.configure(counted="calendar")
    assert deadlines.objection_due(D(2022, 12, 15)) == D(2022, 12, 22)


def test_an_unknown_counting_rule_is_refused():
    with pytest.raises(ValueError):
        deadlines.configure(counted="lunar")
    assert deadlines.COUNTING["counted"] == "calendar"


# -- 第三十五条, 第三十六条: 复查 and 复核 ----------------------------------------------------------------

@pytest.mark.parametrize("limit", [
    pytest.param(deadlines.review_request_due, id="art35-review-request-30-days"),
    pytest.param(deadlines.review_due, id="art35-review-opinion-30-days"),
    pytest.param(deadlines.recheck_request_due, id="art36-recheck-request-30-days"),
    pytest.param(deadlines.recheck_due, id="art36-recheck-opinion-30-days"),
])
def test_review_and_recheck_windows_are_30_days(limit):
    assert limit(dt.datetime(2023, 1, 10, 15, 0)) == D(2023, 2, 9)
    assert limit(D(2023, 1, 31)) == D(2023, 3, 2)  # across the end of February


# -- urgency --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("left, urgency", [
    pytest.param(4, None, id="4-days-left"),
    pytest.param(3, "due_soon", id="3-days-left"),
    pytest.param(1, "due_soon", id="1-day-left"),
    pytest.param(0, "due_soon", id="due-today"),
    pytest.param(-1, "overdue", id="1-day-late"),
])
def test_urgency_is_due_soon_from_3_days_left_and_overdue_after_the_day(left, urgency):
    today = D(2023, 1, 10)
    assert deadlines.urgency(today + dt.timedelta(days=left), today) == urgency


def test_no_due_date_has_no_urgency():
    assert deadlines.days_left(None) is None
    assert deadlines.urgency(None) is None


def test_days_left_counts_from_the_real_today_by_default():
    assert deadlines.days_left(dt.date.today() + dt.timedelta(days=5)) == 5
