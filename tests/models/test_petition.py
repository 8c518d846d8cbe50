"""信访事项: numbering, received time, subject and content, collective petitions, town."""
import datetime as dt

import pytest

from models.db import now
from models.errors import ValidationError
from models.petition import CoPetitioner, NumberSeries, Petition


def at(year, month=6, day=1):
    return dt.datetime(year, month, day, 9, 30)


def test_first_petition_of_a_year_is_number_1(make_petition):
    assert make_petition(received_at=at(2022)).number == "XF-2022-000001"


def test_numbers_are_sequential_within_a_year(make_petition):
    numbers = [make_petition(received_at=at(2022, 1, day)).number for day in (1, 2, 3)]
    assert numbers == ["XF-2022-000001", "XF-2022-000002", "XF-2022-000003"]


def test_numbering_restarts_each_year_by_the_received_year(make_petition):
    numbers = [make_petition(received_at=received).number for received in (at(2022), at(2023), at(2022), at(2023))]
    assert numbers == ["XF-2022-000001", "XF-2023-000001", "XF-2022-000002", "XF-2023-000002"]


def test_number_of_a_deleted_petition_is_never_given_again(make_petition):
    make_petition(received_at=at(2022))
    make_petition(received_at=at(2022)).delete_instance()
    assert make_petition(received_at=at(2022)).number == "XF-2022-000003"
    assert NumberSeries.get(NumberSeries.year == 2022).last == 3


def test_saving_a_petition_again_keeps_its_number(make_petition):
    petition = make_petition(received_at=at(2022))
    petition.subject = "宅基地纠纷"
    petition.save()
    assert Petition.get_by_id(petition.id).number == "XF-2022-000001"
    assert NumberSeries.get(NumberSeries.year == 2022).last == 1


def test_refused_petition_takes_no_number(make_petition):
    with pytest.raises(ValidationError):
        make_petition(received_at=at(2022), subject="")
    assert make_petition(received_at=at(2022)).number == "XF-2022-000001"


def test_failed_insert_does_not_leave_a_number_behind(db, make_petitioner):
    petition = Petition(channel="visit", received_at=at(2022), subject="纠纷", content="内容。", petitioner=999999)
    with pytest.raises(Exception):  # the petitioner does not exist: the database refuses the row
        petition.save()
    assert not Petition.select().exists()
    petition.petitioner = make_petitioner()
    petition.save()
    assert petition.number == "XF-2022-000001"
    assert Petition.create(channel="visit", received_at=at(2022), subject="纠纷", content="内容。",
                           petitioner=petition.petitioner).number == "XF-2022-000002"


def test_received_time_in_the_future_is_refused_and_nothing_is_written(make_petitioner):
    petitioner = make_petitioner()
    with pytest.raises(ValidationError) as error:
        Petition.create(channel="visit", received_at=now() + dt.timedelta(hours=1), subject="纠纷", content="内容。",
                        petitioner=petitioner)
    assert error.value.field == "received_at"
    assert not Petition.select().exists()
    assert not NumberSeries.select().exists()


def test_received_time_a_minute_ahead_is_accepted_as_clock_difference(make_petition):
    assert make_petition(received_at=now() + dt.timedelta(minutes=1)).id


def test_subject_of_100_characters_is_accepted(make_petition):
    assert len(make_petition(subject="字" * 100).subject) == 100


def test_subject_over_100_characters_is_refused(make_petition):
    with pytest.raises(ValidationError) as error:
        make_petition(subject="字" * 101)
    assert error.value.field == "subject"
    assert error.value.params == {"max": 100}
    assert not Petition.select().exists()


@pytest.mark.parametrize("subject", [pytest.param("", id="empty"), pytest.param("   ", id="blank")])
def test_empty_subject_is_refused(make_petition, subject):
    with pytest.raises(ValidationError) as error:
        make_petition(subject=subject)
    assert error.value.field == "subject"


def test_subject_and_content_are_stripped(make_petition):
    petition = make_petition(subject="  纠纷  ", content="\n内容。\n")
    assert (petition.subject, petition.content) == ("纠纷", "内容。")


def test_content_of_20000_characters_is_stored_whole(make_petition):
    content = "信访人反映问题。" * 2500
    petition = make_petition(content=content)
    assert len(content) == 20000
    assert Petition.get_by_id(petition.id).content == content


def test_empty_content_is_refused(make_petition):
    with pytest.raises(ValidationError) as error:
        make_petition(content="  ")
    assert error.value.field == "content"


def test_missing_received_time_is_refused(make_petition):
    with pytest.raises(ValidationError) as error:
        make_petition(received_at=None)
    assert error.value.field == "received_at"


@pytest.mark.parametrize("is_collective, head_count, ok", [
    pytest.param(False, 1, True, id="single"),
    pytest.param(True, 2, True, id="collective-of-2"),
    pytest.param(True, 60, True, id="collective-of-60"),
    pytest.param(True, 1, False, id="collective-of-1"),
    pytest.param(False, 0, False, id="nobody"),
    pytest.param(False, None, False, id="no-count"),
])
def test_collective_petition_has_at_least_2_people(make_petition, is_collective, head_count, ok):
    if ok:
        assert make_petition(is_collective=is_collective, head_count=head_count).head_count == head_count
    else:
        with pytest.raises(ValidationError) as error:
            make_petition(is_collective=is_collective, head_count=head_count)
        assert error.value.field == "head_count"


def test_collective_petition_lists_its_co_petitioners(make_petition, make_petitioner):
    petition = make_petition(is_collective=True, head_count=30)
    for _ in range(4):
        CoPetitioner.create(petition=petition, petitioner=make_petitioner())
    assert petition.co_petitioners.count() == 4


def test_town_of_a_petition_must_be_a_town(make_petition, make_town):
    assert make_petition(town=make_town(name="高桥镇")).town.name == "高桥镇"


def test_county_department_is_refused_as_town(db, make_petition):
    from models.organisation import Department

    county = Department.create(name="县自然资源局", kind="county")
    with pytest.raises(ValidationError) as error:
        make_petition(town=county)
    assert error.value.field == "town"


# -- 信访请求: the short summary the letters state (issue 15) ------------------------------------------------

def test_the_request_summary_has_at_most_100_characters(make_petition):
    with pytest.raises(ValidationError) as refused:
        make_petition(request_summary="请" * 101)
    assert refused.value.field == "request_summary" and refused.value.params == {"max": 100, "count": 101}
    assert Petition.select().count() == 0
    assert make_petition(request_summary=" " + "请" * 100 + " ").request_summary == "请" * 100


def test_the_request_summary_is_optional_and_blank_is_none(make_petition):
    """Optional in the model (imports, older petitions): the form asks for it on a new petition."""
    assert make_petition().request_summary is None
    assert make_petition(request_summary="   ").request_summary is None
