"""坐诊排班: a month's roster in one go (models/workflow/roster.py), holidays skipped, conflicts all or nothing."""
import datetime as dt

import pytest

from models import deadlines
from models.audit import AuditEntry
from models.casework import DutyShift
from models.errors import ValidationError
from models.people import Representative, User
from models.workflow import roster

D = dt.date
SPRING_FESTIVAL_2023 = [D(2023, 1, 21) + dt.timedelta(days=i) for i in range(7)]  # 1月21日至27日放假
SPRING_MAKE_UP_2023 = [D(2023, 1, 28), D(2023, 1, 29)]  # 1月28日（周六）、29日（周日）上班


pytestmark = pytest.mark.usefixtures("counting_rule")  # each test may change the counting rule (tests/conftest.py)


@pytest.fixture
def reps(db):
    return [Representative.create(name="王春月", kind="npc_deputy"),
            Representative.create(name="李建国", kind="cppcc_member")]


@pytest.fixture
def clerk(db):
    user = User(username="clerk", display_name="张文书", role="staff")
    user.set_password("correct-horse-1")
    user.save()
    return user


def shifts():
    return [(s.on_date, s.session, s.representative.name)
            for s in DutyShift.select().order_by(DutyShift.on_date, DutyShift.session, DutyShift.id)]


def test_roster_puts_each_representative_on_every_matching_day_of_the_month(reps, clerk):
    made = roster.make_roster(2026, 12, reps, weekdays=[0, 2], sessions=["pm", "am"], by=clerk)
    mondays_wednesdays = [D(2026, 12, d) for d in (2, 7, 9, 14, 16, 21, 23, 28, 30)]
    assert len(made) == len(mondays_wednesdays) * 2 * 2
    assert shifts()[:4] == [(D(2026, 12, 2), "am", "王春月"), (D(2026, 12, 2), "am", "李建国"),
                            (D(2026, 12, 2), "pm", "王春月"), (D(2026, 12, 2), "pm", "李建国")]
    assert sorted({day for day, _, _ in shifts()}) == mondays_wednesdays
    assert {s.place for s in DutyShift.select()} == {"联合接访大厅"}
    entries = AuditEntry.select().where((AuditEntry.model == DutyShift._meta.table_name) & (AuditEntry.action == "create"))
    assert entries.count() == len(made) and {e.username for e in entries} == {"clerk"}


def test_roster_skips_weekends_and_the_holidays_of_the_deadline_calendar(reps, clerk):
    deadlines.configure(holidays=SPRING_FESTIVAL_2023, workdays=SPRING_MAKE_UP_2023)
    roster.make_roster(2023, 1, reps[:1], weekdays=range(7), sessions=["am"], by=clerk)
    days = [day for day, _, _ in shifts()]
    assert D(2023, 1, 23) not in days and D(2023, 1, 27) not in days  # 春节: Monday to Friday off
    assert D(2023, 1, 28) in days and D(2023, 1, 29) in days  # the make-up Saturday and Sunday are worked
    assert D(2023, 1, 7) not in days and D(2023, 1, 8) not in days  # an ordinary weekend
    assert days == [day for day in roster.month_days(2023, 1) if deadlines.is_working_day(day)]


def test_a_conflict_refuses_the_whole_roster_naming_the_dates(reps, clerk):
    DutyShift.create(representative=reps[1], on_date=D(2026, 12, 9), session="am")
    DutyShift.create(representative=reps[1], on_date=D(2026, 12, 16), session="am", place="领导接访室")
    before = AuditEntry.select().count()
    with pytest.raises(roster.RosterConflict) as refused:
        roster.make_roster(2026, 12, reps, weekdays=[2], sessions=["am", "pm"], by=clerk)
    assert "2026年12月9日上午李建国、2026年12月16日上午李建国" in str(refused.value)
    assert refused.value.conflicts == [(D(2026, 12, 9), "am", "李建国"), (D(2026, 12, 16), "am", "李建国")]
    assert DutyShift.select().count() == 2  # nothing half-written
    assert AuditEntry.select().count() == before


def test_another_session_or_representative_on_the_same_day_is_no_conflict(reps, clerk):
    DutyShift.create(representative=reps[0], on_date=D(2026, 12, 9), session="am")
    made = roster.make_roster(2026, 12, reps[1:], weekdays=[2], sessions=["am"], by=clerk)
    assert len(made) == 5
    made = roster.make_roster(2026, 12, reps[:1], weekdays=[2], sessions=["pm"], by=clerk)
    assert len(made) == 5


@pytest.mark.parametrize("args, field", [
    pytest.param(dict(representatives=[]), "representatives", id="no-one"),
    pytest.param(dict(weekdays=[]), "weekdays", id="no-weekday"),
    pytest.param(dict(sessions=[]), "sessions", id="no-session"),
    pytest.param(dict(sessions=["night"]), "sessions", id="unknown-session"),
    pytest.param(dict(weekdays=[5, 6]), "weekdays", id="only-weekends"),
    pytest.param(dict(place=" "), "place", id="no-place"),
    pytest.param(dict(month=13), "month", id="no-month-13"),
])
def test_an_incomplete_roster_is_refused_on_its_field(reps, clerk, args, field):
    values = dict(year=2026, month=12, representatives=reps, weekdays=[0], sessions=["am"], by=clerk)
    values.update(args)
    with pytest.raises(ValidationError) as refused:
        roster.make_roster(**values)
    assert refused.value.field == field
    assert not DutyShift.select().exists()


def test_an_inactive_representative_is_not_put_on_the_roster(reps, clerk):
    reps[1].active = False
    reps[1].save()
    with pytest.raises(ValidationError) as refused:
        roster.make_roster(2026, 12, reps, weekdays=[0], sessions=["am"], by=clerk)
    assert "李建国" in str(refused.value)
    assert not DutyShift.select().exists()


def test_month_grid_has_weeks_from_monday_with_each_half_day_and_the_non_working_days(reps, clerk):
    deadlines.configure(holidays=[D(2026, 12, 25)])
    roster.make_roster(2026, 12, reps[:1], weekdays=[0], sessions=["am"], by=clerk)
    DutyShift.create(representative=reps[1], on_date=D(2026, 12, 7), session="pm")
    grid = roster.month_grid(2026, 12, roster.month_shifts(2026, 12))
    assert grid[0][0] is None and grid[0][1]["date"] == D(2026, 12, 1)  # 1 December 2026 is a Tuesday
    monday = grid[1][0]
    assert monday["date"] == D(2026, 12, 7)
    assert [s.representative.name for s in monday["am"]] == ["王春月"]
    assert [s.representative.name for s in monday["pm"]] == ["李建国"]
    days = {cell["date"]: cell for week in grid for cell in week if cell}
    assert len(days) == 31
    assert not days[D(2026, 12, 25)]["working"] and not days[D(2026, 12, 26)]["working"]
    assert days[D(2026, 12, 24)]["working"]


def test_neighbouring_months_cross_the_year():
    assert roster.neighbours(2026, 1) == ((2025, 12), (2026, 2))
    assert roster.neighbours(2026, 12) == ((2026, 11), (2027, 1))
