"""One person, one record, on the screens: the petitioner form and the petition's quick-add say who already has an
ID number and offer that record; the same name and phone warns (仍然新建); 信访人合并 and 重复登记的信访人."""
import datetime as dt
import re

import pytest

from models.audit import AuditEntry
from models.people import Petitioner
from models.petition import Petition
from models.workflow import merge

from tests.admin.forms import forms
from tests.admin.helpers import alerts, english_words, field_errors, visible_text
from tests.admin.test_petitions import new_petition
from tests.conftest import valid_id_number

ID_LIU = valid_id_number(sequence="611")


@pytest.fixture
def liu(make_petitioner, make_petition, make_town):
    """刘德山 of 高桥镇后屯村, with a petition."""
    person = make_petitioner(name="刘德山", id_number=ID_LIU, phone="13800000001", town=make_town(name="高桥镇"),
                             village="后屯村")
    petition = make_petition(petitioner=person, received_at=dt.datetime(2022, 12, 1, 9, 0))
    return person, petition


def new_petitioner(**fields):
    data = {"name": "刘德山", "alias": "", "id_number": "", "phone": "", "address": "", "town": "", "village": "",
            "notes": ""}
    data.update(fields)
    return data


def test_the_petitioner_form_refuses_a_known_id_number_and_says_whose(client, login_as, form_post, liu):
    person, petition = liu
    login_as("staff")
    response = form_post("/admin/petitioner/new/", new_petitioner(name="刘得山", id_number=ID_LIU.lower()))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "身份证号码已登记：刘德山（高桥镇后屯村，%s）" % petition.number in " ".join(field_errors(page))
    assert 'href="/admin/petitioner/details/?id=%d"' % person.id in page and "查看该信访人" in page
    assert Petitioner.select().count() == 1


def test_an_edit_to_a_known_id_number_is_refused(client, login_as, form_post, liu, make_petitioner):
    other = make_petitioner(name="王秀英")
    login_as("staff")
    url = "/admin/petitioner/edit/?id=%d" % other.id
    response = form_post(url, new_petitioner(name="王秀英", id_number=ID_LIU, phone=other.phone))
    assert "身份证号码已登记：刘德山" in " ".join(field_errors(response.get_data(as_text=True)))
    assert Petitioner.get_by_id(other.id).id_number == other.id_number


def test_the_same_name_and_phone_warns_and_the_clerk_may_confirm(client, login_as, form_post, liu):
    person, _ = liu
    login_as("staff")
    typed = new_petitioner(name="刘 德山", phone="138 0000 0001")
    page = form_post("/admin/petitioner/new/", typed).get_data(as_text=True)
    assert "已有同名同电话的信访人：刘德山（高桥镇后屯村" in " ".join(field_errors(page)) and "仍然新建" in page
    assert 'name="create_anyway"' in page and Petitioner.select().count() == 1
    response = form_post("/admin/petitioner/new/", dict(typed, create_anyway="1"))
    assert response.status_code == 302 and Petitioner.select().count() == 2


def test_the_quick_add_refuses_a_known_id_number_and_offers_that_petitioner(client, login_as, form_post, liu):
    person, petition = liu
    login_as("staff")
    typed = new_petition(new_petitioner_name="刘得山", new_petitioner_id_number=ID_LIU)
    page = form_post("/admin/petition/new/", typed).get_data(as_text=True)
    errors = " ".join(field_errors(page))
    assert "刘德山（高桥镇后屯村，%s）" % petition.number in page and "使用该信访人" in errors
    assert ID_LIU not in errors
    assert re.search(r'name="use_petitioner" value="%d"' % person.id, page)
    assert Petition.select().count() == 1 and Petitioner.select().count() == 1
    response = form_post("/admin/petition/new/", dict(typed, use_petitioner=str(person.id)))
    assert response.status_code == 302
    assert Petition.select().count() == 2 and Petition.select().order_by(Petition.id.desc()).first().petitioner == person
    assert Petitioner.select().count() == 1


def test_the_quick_add_warns_of_the_same_name_and_phone_and_offers_both_choices(client, login_as, form_post, liu):
    """The petitioner form's warning (同名同电话, 仍然新建) on the petition's quick-add: nothing written until the
    clerk chooses the record on record (使用该信访人) or confirms another person (仍然新建)."""
    person, petition = liu
    login_as("staff")
    typed = new_petition(new_petitioner_name="刘 德山", new_petitioner_phone="138 0000 0001",
                         new_petitioner_address="后屯村3组", subject="同名同电话的事项")
    response = form_post("/admin/petition/new/", typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert Petition.select().count() == 1 and Petitioner.select().count() == 1  # nothing written
    warning = [e for e in field_errors(page) if "同名同电话" in e]
    assert warning == ["已有同名同电话的信访人：刘德山（高桥镇后屯村，%s）。如确为另一人，请勾选“仍然新建”后再保存。"
                       " 查看该信访人 使用该信访人 仍然新建" % petition.number]
    assert "13800000001" not in warning[0] and ID_LIU not in page  # no personal data in the warning
    assert 'href="/admin/petitioner/details/?id=%d"' % person.id in page
    assert re.search(r'name="use_petitioner" value="%d"' % person.id, page) and 'name="create_anyway"' in page
    # the warning sits under the quick-add's name, and what was typed is kept
    assert re.search(r'(?s)id="new_petitioner_name"[^>]*value="刘 德山".*?同名同电话', page)
    assert 'value="后屯村3组"' in page and 'value="同名同电话的事项"' in page

    response = form_post("/admin/petition/new/", dict(typed, create_anyway="1"))
    assert response.status_code == 302 and Petitioner.select().count() == 2
    created = Petition.select().order_by(Petition.id.desc()).first()
    assert created.petitioner != person and created.petitioner.address == "后屯村3组"

    response = form_post("/admin/petition/new/", dict(typed, subject="又一件", use_petitioner=str(person.id)))
    assert response.status_code == 302 and Petitioner.select().count() == 2
    assert Petition.select().order_by(Petition.id.desc()).first().petitioner == person


def test_the_quick_add_with_the_same_id_number_and_name_still_uses_the_record(client, login_as, form_post, liu):
    """An ID number identifies a person: no warning when it is the one on record under the same name."""
    person, _ = liu
    login_as("staff")
    typed = new_petition(new_petitioner_name="刘德山", new_petitioner_id_number=ID_LIU,
                         new_petitioner_phone="13800000001")
    response = form_post("/admin/petition/new/", typed)
    assert response.status_code == 302
    assert Petition.select().order_by(Petition.id.desc()).first().petitioner == person
    assert Petitioner.select().count() == 1


@pytest.fixture
def duplicates(db, liu, make_petitioner, make_petition):
    """A database upgraded with 刘德山 registered twice (no unique index yet): a second record, with a petition."""
    db.execute_sql("DROP INDEX petitioner_one_id_number")
    second = make_petitioner(name="刘德山", id_number=None, phone="13900000009")
    Petitioner.update(id_number=ID_LIU).where(Petitioner.id == second.id).execute()
    return liu[0], second, make_petition(petitioner=second)


def test_the_duplicates_page_lists_them_and_the_merge_page_merges(client, login_as, duplicates, db):
    first, second, petition = duplicates
    login_as("staff")
    page = client.get("/admin/petitioner/").get_data(as_text=True)
    assert "重复登记的信访人" in page
    page = client.get("/admin/petitioner/duplicates/").get_data(as_text=True)
    text = visible_text(page)
    assert "重复登记的信访人" in text and text.count("刘德山") >= 2 and ID_LIU not in text
    assert english_words(page, data=("staff",)) == []
    merge_url = "/admin/petitioner/merge/?id=%d&amp;other=%d" % (first.id, second.id)
    assert merge_url in page
    page = client.get(merge_url.replace("&amp;", "&")).get_data(as_text=True)
    assert "保留本记录，将对方并入" in page and english_words(page, data=("staff",)) == []
    form = next(f for f in forms(page) if ("other", str(second.id)) in f["fields"]
                and ("keep", str(first.id)) in f["fields"])
    response = client.post(form["attrs"]["action"], data=dict(form["fields"]))
    assert response.status_code == 302 and response.location.endswith("/admin/petitioner/details/?id=%d" % first.id)
    assert Petition.get_by_id(petition.id).petitioner_id == first.id
    assert Petitioner.get_by_id(second.id).merged_into_id == first.id
    assert AuditEntry.select().where((AuditEntry.action == "merge") & (AuditEntry.model == "petition")).exists()
    assert merge.has_unique_index(db)
    assert "没有身份证号码重复的记录" in visible_text(client.get("/admin/petitioner/duplicates/").get_data(as_text=True))
    # the stub: out of the list and the type-ahead, its page says where it went
    assert "13900000009" not in client.get("/admin/petitioner/").get_data(as_text=True)
    found = client.get("/admin/petition/ajax/lookup/?name=petitioner&query=刘德山").get_json()
    assert [row[0] for row in found] == [first.id]
    page = client.get("/admin/petitioner/details/?id=%d" % second.id).get_data(as_text=True)
    assert "本记录已合并至" in visible_text(page) and 'href="/admin/petitioner/details/?id=%d"' % first.id in page


def test_the_list_leaves_out_merged_records(client, login_as, duplicates):
    first, second, _ = duplicates
    merge.merge(first, second)
    login_as("staff")
    page = client.get("/admin/petitioner/").get_data(as_text=True)
    assert "/admin/petitioner/details/?id=%d" % first.id in page
    assert "/admin/petitioner/details/?id=%d&" % second.id not in page
    assert "/admin/petitioner/details/?id=%d\"" % second.id not in page


@pytest.mark.parametrize("case", ["itself", "into-a-stub"])
def test_the_merge_page_refuses_itself_and_a_stub(client, login_as, form_post, duplicates, make_petitioner, case):
    first, second, petition = duplicates
    if case == "into-a-stub":
        third = make_petitioner(name="刘德山", id_number=None)
        merge.merge(second, third)
        keep, other, message = third, first, "已合并至其他信访人"
    else:
        keep, other, message = first, first, "信访人不能与自身合并"
    login_as("staff")
    url = "/admin/petitioner/merge/?id=%d" % other.id
    response = form_post(url, {"keep": keep.id, "other": other.id}, follow_redirects=True)
    assert message in " ".join(alerts(response.get_data(as_text=True)))
    assert Petition.get_by_id(petition.id).petitioner_id == second.id
    assert Petitioner.get_by_id(first.id).merged_into_id is None


def test_the_merge_needs_the_csrf_token(client, login_as, duplicates):
    first, second, petition = duplicates
    login_as("staff")
    client.post("/admin/petitioner/merge/?id=%d" % first.id, data={"keep": first.id, "other": second.id})
    assert Petition.get_by_id(petition.id).petitioner_id == second.id


@pytest.mark.parametrize("role", ["representative", "leader"])
def test_only_staff_and_the_administrator_merge(client, login_as, duplicates, role):
    first, second, petition = duplicates
    extra = {}
    if role == "representative":
        from models.people import Representative

        extra["representative"] = Representative.create(name="代表甲", kind="npc_deputy")
    login_as(role, **extra)
    assert client.get("/admin/petitioner/duplicates/").status_code == 403
    assert client.post("/admin/petitioner/merge/?id=%d" % first.id,
                       data={"keep": first.id, "other": second.id}).status_code == 403
    assert Petition.get_by_id(petition.id).petitioner_id == second.id
