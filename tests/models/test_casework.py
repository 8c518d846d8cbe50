"""Visit logs (接访记录): when, where, who was present."""
import datetime as dt

import pytest

from models.casework import DutyShift, VisitLog, VisitRepresentative
from models.db import now
from models.errors import ValidationError
from models.people import Representative


def test_visit_log_records_the_representatives_present(make_petition):
    petition = make_petition()
    visit = VisitLog.create(visited_at=petition.received_at, kind="reception", place="联合接访大厅",
                            petition=petition, petitioner=petition.petitioner, summary="接待信访人，听取诉求。")
    rep = Representative.create(name="王春月", kind="npc_deputy")
    VisitRepresentative.create(visit=visit, representative=rep)
    assert [present.representative.name for present in visit.representatives_present] == ["王春月"]
    assert petition.dependants() == [(VisitLog, 1)]


@pytest.mark.parametrize("field, value", [
    pytest.param("place", "  ", id="no-place"),
    pytest.param("summary", "", id="no-summary"),
    pytest.param("visited_at", None, id="no-time"),
    pytest.param("visited_at", now() + dt.timedelta(days=1), id="tomorrow"),
])
def test_visit_log_needs_a_place_a_summary_and_a_time_not_in_the_future(db, field, value):
    values = dict(visited_at=dt.datetime(2022, 12, 9, 9, 30), kind="on_duty", place="联合接访大厅", summary="坐诊。")
    values[field] = value
    with pytest.raises(ValidationError) as error:
        VisitLog.create(**values)
    assert error.value.field == field
    assert not VisitLog.select().exists()


# -- 坐诊排班 --------------------------------------------------------------------------------------

@pytest.mark.parametrize("session, starts", [
    pytest.param("am", dt.time(9, 0), id="morning"),
    pytest.param("pm", dt.time(14, 30), id="afternoon"),
])
def test_a_visit_from_a_past_shift_is_dated_at_the_start_of_its_session(db, session, starts):
    rep = Representative.create(name="王春月", kind="npc_deputy")
    shift = DutyShift.create(representative=rep, on_date=dt.date(2024, 3, 4), session=session)
    assert shift.starts_at == shift.visit_starts_at == dt.datetime.combine(dt.date(2024, 3, 4), starts)


def test_a_visit_from_a_shift_not_yet_begun_is_dated_now_not_in_the_future(db):
    rep = Representative.create(name="王春月", kind="npc_deputy")
    shift = DutyShift.create(representative=rep, on_date=now().date() + dt.timedelta(days=1), session="am")
    before = now()
    assert before <= shift.visit_starts_at <= now() < shift.starts_at
