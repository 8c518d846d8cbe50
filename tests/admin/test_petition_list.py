"""The petition list built for a large archive (views/petitions/listing.py): a search combined with every filter
shows exactly the petitions that meet both, counts stop at their cap and say so, and any page can be read."""
import datetime as dt
import re

import pytest

from admin_app.views.petitions import listing as petition_list
from models import workflow
from models.organisation import Category
from models.people import Team
from models.petition import Petition

from tests.admin.helpers import alerts

NUMBER = re.compile(r"XF-\d{4}-\d{6}")


@pytest.fixture
def office(db, login_as, make_petition, make_petitioner, make_town):
    """Petitions that differ in every filtered column; half of them about 宅基地."""
    staff = login_as("staff")
    towns = [make_town("柳林镇"), make_town("河西镇")]
    categories = [Category.create(name="土地宅基地"), Category.create(name="劳动社保")]
    teams = list(Team.select().order_by(Team.id))
    today = dt.date.today()
    for i in range(24):
        petition = make_petition(
            subject=("宅基地纠纷%d" % i) if i % 2 else ("工资拖欠%d" % i), content="第%d件的内容。" % i,
            channel=("visit", "letter", "online")[i % 3], town=towns[i % 2], category=categories[i // 2 % 2],
            classification=("reasonable", "unreasonable", "hardship", "unclassified")[i % 4], team=teams[i % 3],
            received_at=dt.datetime(2024, 1 + i % 12, 3, 9, 0), petitioner=make_petitioner(name="信访人%d" % i))
        if i % 5 == 0:
            workflow.accept(petition, staff)
        Petition.update(due_on=today + dt.timedelta(days=(-3, 2, 40)[i % 3]),
                        closed_at=dt.datetime(2024, 6, 1) if i % 7 == 0 else None,
                        status="void" if i % 11 == 0 else Petition.status).where(Petition.id == petition.id).execute()
    return staff


def listed(client, **args):
    response = client.get("/admin/petition/", query_string=args)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and not [a for a in alerts(page) if "错误" in a or "无效" in a], args
    return set(NUMBER.findall(page))


def expected(view, search, index, value):
    """The same search and filter, read by a scan: LIKE on the subject, the filter's own condition."""
    flt = view._filters[index]
    query = flt.apply(Petition.select(Petition.number), flt.clean(value)).where(Petition.subject.contains(search))
    return {number for (number,) in query.tuples()}


def a_value(view, index):
    """A value of the filter that some petitions meet."""
    flt = view._filters[index]
    name = type(flt).__name__
    if "DateRange" in name or "DateBetween" in name:
        return "2024-01-01 至 2024-12-31"
    options = flt.get_options(view) if hasattr(flt, "get_options") else None
    return str(list(options)[0][0]) if options else "1"


@pytest.mark.parametrize("lead", ["filters lead", "matches lead"])
def test_a_search_combined_with_every_filter_shows_what_meets_both(app, client, office, monkeypatch, lead):
    if lead == "matches lead":  # as on a large archive where many petitions pass the filters
        monkeypatch.setattr(petition_list, "CONDITIONS_LEAD", 0)
    view = app.extensions["office_views"]["petition"]
    assert len(view._filters) >= 11
    for index in range(len(view._filters)):
        value = a_value(view, index)
        shown = listed(client, search="宅基地", **{"flt0_%d" % index: value})
        assert shown == expected(view, "宅基地", index, value), view._filters[index].name


def test_a_search_with_two_filters_and_a_page_beyond_the_first(app, client, office):
    view = app.extensions["office_views"]["petition"]
    town = view._filters[3]
    value = next(str(k) for k, label in town.get_options(view) if label == "河西镇")  # the odd ones: 纠纷
    both = listed(client, search="纠纷", flt0_3=value, flt1_1="visit")
    rows = Petition.select(Petition.number).where(Petition.subject.contains("纠纷") & (Petition.town == int(value))
                                                  & (Petition.channel == "visit"))
    assert both == {number for (number,) in rows.tuples()} != set()
    assert listed(client, search="纠纷", page=50) == set()  # past the end: an empty page, not an error


def test_counts_stop_at_their_cap_and_say_so(client, office, monkeypatch):
    monkeypatch.setattr(petition_list, "COUNT_CAP", 5)
    page = client.get("/admin/petition/?search=宅基地").get_data(as_text=True)
    assert "超过 5 条" in page
    page = client.get("/admin/petition/").get_data(as_text=True)
    assert "约 24 条" in page  # the whole list: the size of the table
    page = client.get("/admin/petition/?search=宅基地纠纷3").get_data(as_text=True)
    assert re.search(r"列表\s*\(\s*\d\s*\)", page)  # below the cap: the exact number


def test_newest_registered_first_on_every_page(client, office):
    newest = Petition.select().order_by(Petition.id.desc())
    first = client.get("/admin/petition/").get_data(as_text=True)
    second = client.get("/admin/petition/?page=1").get_data(as_text=True)
    assert NUMBER.findall(first)[:20] == [p.number for p in newest[:20]]
    assert NUMBER.findall(second)[:4] == [p.number for p in newest[20:24]]


def test_staff_find_petitions_by_a_full_phone_or_id_number_without_it_in_the_url(client, office):
    person = Petition.select().order_by(Petition.id).first().petitioner
    for value in (person.phone, person.id_number):
        response = client.get("/admin/petition/", query_string={"search": value})
        assert response.status_code == 302 and value not in response.headers["Location"]
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert set(NUMBER.findall(page)) == {p.number for p in person.petitions} and value not in page


def test_a_capped_search_with_a_filter_still_lists_its_whole_page(app, client, office, monkeypatch):
    monkeypatch.setattr(petition_list, "COUNT_CAP", 2)
    view = app.extensions["office_views"]["petition"]
    page = client.get("/admin/petition/", query_string={"search": "宅基地", "flt0_1": "visit"}).get_data(as_text=True)
    assert "超过 2 条" in page
    assert set(NUMBER.findall(page)) == expected(view, "宅基地", 1, "visit") and len(set(NUMBER.findall(page))) > 2


@pytest.mark.parametrize("cap", [3, 10000])
def test_a_common_word_with_a_filter_lists_what_a_scan_finds_newest_first(app, client, office, monkeypatch, cap):
    """Beyond the cap, PostgreSQL reads the page from a window of the newest ids: the same rows, in order."""
    monkeypatch.setattr(petition_list, "COUNT_CAP", cap)
    for args, where in (({}, Petition.subject.contains("宅基地")),
                        ({"flt0_1": "visit"}, Petition.subject.contains("宅基地") & (Petition.channel == "visit")),
                        ({"flt0_0": "registered"}, Petition.subject.contains("纠纷") & (Petition.status == "registered"))):
        word = "宅基地" if "flt0_0" not in args else "纠纷"
        page = client.get("/admin/petition/", query_string=dict(search=word, **args)).get_data(as_text=True)
        numbers = list(dict.fromkeys(NUMBER.findall(page)))
        scan = [p.number for p in Petition.select(Petition.number).where(where).order_by(Petition.id.desc())]
        assert numbers == scan != [], args
