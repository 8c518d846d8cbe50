"""Typed dates through the screens: every date input reads what a clerk types (models/dates.py), refuses what it
cannot read on its field in Chinese, keeps the form as typed and writes nothing."""
import datetime as dt

import pytest

from models.casework import FollowUp, VisitLog
from admin_app.views.datefields import DateRange
from admin_app.views.home.page import filter_index
from models.petition import Petition

from tests.admin.forms import model_form
from tests.admin.helpers import csrf_token, field_errors, visible_text


@pytest.fixture
def staff(login_as):
    return login_as("staff")


def new_petition_form(client, petitioner, received_at):
    data = model_form(client.get("/admin/petition/new/").get_data(as_text=True))
    data.update(petitioner=str(petitioner.id), channel="visit", received_at=received_at, subject="宅基地纠纷",
                content="内容", request_summary="请求")
    return data


@pytest.mark.parametrize("typed, stored", [
    ("2022年12月9日上午9:30", dt.datetime(2022, 12, 9, 9, 30)),
    ("2022/12/9 9:30", dt.datetime(2022, 12, 9, 9, 30)),
    ("２０２２．１２．９", dt.datetime(2022, 12, 9)),
])
def test_the_petition_form_stores_the_time_as_typed(client, staff, make_petitioner, typed, stored):
    client.post("/admin/petition/new/", data=new_petition_form(client, make_petitioner(), typed))
    assert Petition.get().received_at == stored


@pytest.mark.parametrize("typed", ["2022-02-30 09:30", "25:61", "昨天"])
def test_an_unreadable_time_is_refused_on_its_field_and_nothing_is_written(client, staff, make_petitioner, typed):
    page = client.post("/admin/petition/new/", data=new_petition_form(client, make_petitioner(), typed)
                       ).get_data(as_text=True)
    assert field_errors(page) == ["无法识别的日期：%s，请按 2022-12-09 09:30 的格式填写" % typed]
    assert 'value="%s"' % typed in page and "宅基地纠纷" in page  # the form keeps what was typed
    assert Petition.select().count() == 0


def test_a_visit_log_reads_a_chinese_afternoon(client, staff):
    data = model_form(client.get("/admin/visitlog/new/").get_data(as_text=True))
    data.update(visited_at="2022年12月9日下午3点15分", kind="on_duty", place="接待大厅", summary="来访")
    client.post("/admin/visitlog/new/", data=data)
    assert VisitLog.get().visited_at == dt.datetime(2022, 12, 9, 15, 15)


def test_a_step_form_refuses_an_unreadable_date_and_records_nothing(client, staff, make_petition):
    petition = make_petition(status="answered")
    url = "/admin/petition/step/follow_up/?ids=%d" % petition.id
    token = csrf_token(client.get(url).get_data(as_text=True))
    page = client.post(url, data={"followed_on": "2022-02-30", "method": "phone", "evaluation": "satisfied",
                                  "csrf_token": token}).get_data(as_text=True)
    assert "无法识别的日期：2022-02-30，请按 2022-12-09 的格式填写" in visible_text(page)
    assert FollowUp.select().count() == 0
    client.post(url, data={"followed_on": "2022年12月20日", "method": "phone", "evaluation": "satisfied",
                           "csrf_token": token})
    assert FollowUp.get().followed_on == dt.date(2022, 12, 20)


def test_the_list_filter_reads_typed_days(app, client, staff, make_petition):
    make_petition(subject="十二月的事", received_at=dt.datetime(2022, 12, 9, 9, 30))
    make_petition(subject="一月的事", received_at=dt.datetime(2023, 1, 9, 9, 30))
    with app.test_request_context():
        index = filter_index(Petition.received_at, kind=DateRange)
    for text in ("2022年12月1日 至 2022年12月31日", "2022.12.1 to 2022.12.31", "20221201 ~ 20221231"):
        body = visible_text(client.get("/admin/petition/", query_string={"flt0_%d" % index: text}).get_data(
            as_text=True))
        assert "十二月的事" in body and "一月的事" not in body, text
