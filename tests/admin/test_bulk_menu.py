"""The petition list's bulk menu: each row says which actions it allows now (data-steps, read by office.js to grey
the menu), computed for the whole page at once; after a bulk action the list comes back as it was."""
import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from models import workflow
from models.people import Representative
from models.petition import Petition

from tests.admin.forms import forms
from tests.admin.helpers import alerts
from tests.admin.test_petitions import land  # noqa: F401 (a fixture)


@pytest.fixture
def staff(login_as):
    return login_as("staff", display_name="张干部")


def row_steps(page):
    """{petition id: set of the actions its row allows} from the list's checkboxes."""
    found = re.findall(r'<input type="checkbox" name="rowid" class="action-checkbox" value="(\d+)"\s+'
                       r'title="[^"]*" data-steps="([^"]*)"', page)
    return {int(pid): set(steps.split()) for pid, steps in found}


def in_states(staff, make_petition):
    """A petition in each of a few states: registered, accepted, accepted and extended once, closed (not accepted)."""
    registered = workflow.register(make_petition(subject="新登记"), staff)
    accepted = workflow.accept(workflow.register(make_petition(subject="已受理"), staff), staff)
    extended = workflow.extend(workflow.accept(workflow.register(make_petition(subject="已延期"), staff), staff),
                               staff, 30, "情况复杂", "李局长")
    rejected = workflow.reject(workflow.register(make_petition(subject="不予受理"), staff), staff, "不属于信访事项",
                               "《信访工作条例》第二十五条")
    return registered, accepted, extended, rejected


def test_each_row_carries_the_actions_it_allows_now(client, staff, make_petition):
    registered, accepted, extended, rejected = in_states(staff, make_petition)
    page = client.get("/admin/petition/").get_data(as_text=True)
    steps = row_steps(page)
    assert steps[registered.id] == {"accept", "reject", "classify", "convene", "void", "print_letters"}
    assert steps[accepted.id] == {"refer", "classify", "convene", "extend", "void", "print_letters"}
    assert steps[extended.id] == {"refer", "classify", "convene", "void", "print_letters"}  # extended once only
    assert steps[rejected.id] == {"print_letters"}  # no step: only its letters
    # the menu names each item's action, and says in Chinese why an item is greyed
    menu = re.search(r'(?s)<div class="dropdown-menu" id="bulk-actions" data-unavailable-title="([^"]*)">(.*?)</div>',
                     page)
    assert html.unescape(menu.group(1)) == "所勾选的信访事项当前都不能办理此项，原因见各信访事项页面的“下一步”。"
    items = dict(re.findall(r'data-action="([a-z_]+)"\s+onclick="[^"]*">([^<]+)</a>', menu.group(2)))
    assert items["accept"] == "受理" and items["close"] == "办结" and items["print_letters"] == "打印文书"


def test_a_representative_sees_only_the_actions_of_the_role(client, login_as, make_petition):
    from models.people import Team

    team = Team.get(Team.code == "reasonable_claims")
    representative = Representative.create(name="王春月", kind="npc_deputy", team=team)
    user = login_as("representative", representative=representative)
    petition = workflow.register(make_petition(team=team), user)
    steps = row_steps(client.get("/admin/petition/").get_data(as_text=True))
    assert steps[petition.id] == {"convene"}  # 受理 is not the role's, whatever the state


def test_the_rows_steps_cost_no_query_per_row(client, staff, make_petition, make_town, land, query_counter):
    def queries_for_list():
        with query_counter() as counter:
            page = client.get("/admin/petition/").get_data(as_text=True)
        assert row_steps(page)
        return counter.count

    def with_columns(**fields):
        return make_petition(category=land, town=make_town(), **fields)

    in_states(staff, with_columns)
    few = queries_for_list()
    for _ in range(4):
        in_states(staff, with_columns)
    assert queries_for_list() == few


def action_form(page):
    return next(f for f in forms(page) if f["attrs"].get("id") == "action_form")


@pytest.mark.parametrize("selected", [1, 2], ids=["one-row", "two-rows"])
def test_after_a_bulk_step_the_list_comes_back_with_its_filter_search_and_page(client, staff, make_petition,
                                                                               selected):
    petitions = [workflow.register(make_petition(subject="宅基地事项%d" % i), staff) for i in range(23)]
    list_url = "/admin/petition/?page=1&search=%E5%AE%85%E5%9F%BA%E5%9C%B0&flt0_0=registered"
    page = client.get(list_url).get_data(as_text=True)
    on_page = sorted(row_steps(page))  # the second page: the three oldest
    assert on_page == sorted(p.id for p in petitions[:3])
    form = action_form(page)
    back = dict(form["fields"])["url"]
    kept = parse_qs(urlsplit(back).query)
    assert kept.pop("page_size") == ["20"] and kept == parse_qs(urlsplit(list_url).query)  # the list as it is
    asked = client.post(form["attrs"]["action"], data=dict(form["fields"], action="accept",
                                                           rowid=on_page[:selected]))
    step_page = client.get(asked.headers["Location"]).get_data(as_text=True)
    cancel = re.search(r'class="btn btn-secondary" href="([^"]*)">取消<', step_page).group(1)
    assert html.unescape(cancel) == back
    step_form = next(f for f in forms(step_page) if f["attrs"].get("class") == "admin-form")
    done = client.post(asked.headers["Location"], data=dict(step_form["fields"]))
    assert done.headers["Location"] == back  # not the petition's page, even for one row
    assert Petition.select().where(Petition.status == "accepted").count() == selected


def test_a_step_taken_on_the_petitions_page_still_comes_back_to_it(client, staff, make_petition):
    petition = workflow.register(make_petition(), staff)
    page = client.get("/admin/petition/details/?id=%d" % petition.id).get_data(as_text=True)
    button = next(f for f in forms(page) if "/step/accept/" in (f["attrs"].get("action") or ""))
    done = client.post(html.unescape(button["attrs"]["action"]), data=dict(button["fields"]))
    assert done.headers["Location"].endswith("/admin/petition/details/?id=%d" % petition.id)


def test_a_bulk_step_of_rows_none_allows_comes_back_to_the_list_naming_them(client, staff, make_petition):
    """The menu greys it in the browser; a post that still asks (an old page) is refused row by row."""
    petitions = [workflow.register(make_petition(subject="事项%d" % i), staff) for i in range(2)]
    list_url = "/admin/petition/?flt0_0=registered"
    page = client.get(list_url).get_data(as_text=True)
    form = action_form(page)
    asked = client.post(form["attrs"]["action"], data=dict(form["fields"], action="close",
                                                           rowid=[p.id for p in petitions]))
    after = client.get(asked.headers["Location"])
    assert after.status_code == 302 and after.headers["Location"] == dict(form["fields"])["url"]
    messages = alerts(client.get(after.headers["Location"]).get_data(as_text=True))
    assert "所选的 2 件信访事项均不能办结：" in messages
    assert Petition.select().where(Petition.status == "closed").count() == 0
