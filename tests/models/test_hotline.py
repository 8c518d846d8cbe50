"""A hotline ticket turned into a petition in one step; API client tokens kept only as a hash."""
import datetime as dt

import pytest

from models.audit import AuditEntry
from models.errors import NotAllowed
from models.hotline import ApiClient, HotlineTicket, hash_token
from models.workflow.hotline import ticket_to_petition
from models.organisation import Category
from models.people import Petitioner, User
from models.petition import StepRecord


@pytest.fixture
def staff(db):
    user = User(username="officer", display_name="李敏", role="staff")
    user.set_password("correct-horse-1")
    user.save()
    return user


def new_ticket(**fields):
    values = dict(number="12345-2023-00001", called_at=dt.datetime(2023, 3, 1, 9, 30), caller="赵六",
                  phone="13912345678", content="反映村道坑洼，雨天积水严重。\n希望尽快修缮。", kind="城乡建设",
                  area="梁庄镇张家村", handling_unit="县交通局")
    values.update(fields)
    return HotlineTicket.create(**values)


def test_a_ticket_becomes_a_registered_petition_with_a_new_petitioner(db, staff, make_town):
    town = make_town("梁庄镇")
    category = Category.create(name="城乡建设")
    ticket = new_ticket()
    petition = ticket_to_petition(ticket, staff)
    assert petition.channel == "hotline" and petition.status == "registered"
    assert petition.content == ticket.content and petition.subject == "反映村道坑洼，雨天积水严重"
    assert petition.received_at == ticket.called_at and petition.registered_by_id == staff.id
    assert (petition.category_id, petition.town_id, petition.village) == (category.id, town.id, "张家村")
    assert petition.referral_due is not None  # registered through the workflow: its deadlines are set
    assert StepRecord.select().where((StepRecord.petition == petition.id) & (StepRecord.step == "register")).exists()
    person = petition.petitioner
    assert (person.name, person.phone, person.town_id, person.village) == ("赵六", "13912345678", town.id, "张家村")
    assert HotlineTicket.get_by_id(ticket.id).petition_id == petition.id


def test_the_petitioner_on_record_is_found_by_phone(db, staff, make_petitioner):
    make_petitioner(name="赵大", phone="13912345678")
    same_name = make_petitioner(name="赵六", phone="13912345678")
    petition = ticket_to_petition(new_ticket(phone="139-1234-5678"), staff)
    assert petition.petitioner_id == same_name.id
    assert Petitioner.select().count() == 2  # nobody added


def test_a_shared_phone_under_another_name_is_another_person(db, staff, make_petitioner):
    """A family's phone: the caller 赵六 is not 赵大 (the old rule took anyone with the phone)."""
    relative = make_petitioner(name="赵大", phone="13912345678")
    petition = ticket_to_petition(new_ticket(), staff)
    assert petition.petitioner_id != relative.id and petition.petitioner.name == "赵六"
    assert AuditEntry.select().where((AuditEntry.model == "petitioner") & (AuditEntry.action == "create")
                                     & (AuditEntry.record_id == petition.petitioner_id)).exists()


def test_the_id_number_finds_the_caller_whatever_name_the_hotline_wrote(db, staff, make_petitioner):
    person = make_petitioner(name="赵六", phone="13800000000")
    ticket = new_ticket(caller="赵先生", phone="13700000000", caller_id_number=person.id_number.lower())
    assert ticket_to_petition(ticket, staff).petitioner_id == person.id
    assert Petitioner.select().count() == 1


def test_a_ticket_is_turned_into_a_petition_only_once(db, staff):
    ticket = new_ticket()
    first = ticket_to_petition(ticket, staff)
    with pytest.raises(NotAllowed) as refused:
        ticket_to_petition(ticket, staff)
    assert refused.value.params["number"] == first.number


def test_a_long_content_makes_a_short_subject(db, staff):
    petition = ticket_to_petition(new_ticket(content="很" * 300, kind=None, area=None), staff)
    assert petition.subject == "很" * 30  # 事由: the first sentence, cut to 30 characters
    assert petition.category_id is None and petition.town_id is None


def test_an_api_client_keeps_only_the_hash_of_its_token(db, staff):
    client = ApiClient(name="12345平台", scopes="tickets:write", created_by=staff)
    client.save()
    token = client.plain_token
    stored = ApiClient.get_by_id(client.id)
    assert stored.token_hash == hash_token(token) and token not in (stored.token_hash, stored.token_hint)
    assert ApiClient.by_token(token).id == client.id
    assert ApiClient.by_token(token + "x") is None and ApiClient.by_token("") is None
    ApiClient.update(active=False).where(ApiClient.id == client.id).execute()
    assert ApiClient.by_token(token) is None


def test_a_version_4_database_gets_the_hotline_tables_and_keeps_its_rows(db, make_petition):
    from peewee import PostgresqlDatabase

    from models import schema

    petition = make_petition()
    db.drop_tables(schema.V5_MODELS, cascade=isinstance(db, PostgresqlDatabase))
    schema.SchemaVersion.update(version=4).execute()
    assert schema.upgrade(db) == (4, schema.LATEST) and schema.LATEST >= 5
    assert all(db.table_exists(model._meta.table_name) for model in schema.V5_MODELS)
    assert {c.name for c in db.get_columns("hotline_ticket")} >= {"number", "called_at", "petition_id", "version"}
    assert schema.Petition.get_by_id(petition.id).number == petition.number
    HotlineTicket.create(number="T-1", called_at=dt.datetime(2023, 3, 1), content="内容", petition=petition)
    assert schema.upgrade(db) == (schema.LATEST, schema.LATEST)  # run again: nothing to do, nothing lost
    assert HotlineTicket.select().count() == 1
