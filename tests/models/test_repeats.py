"""初件 / 重件 (models/workflow/repeats.py): the rule, its window, links by hand, voiding, and the migration."""
import datetime as dt

import pytest

from models import audit, schema, workflow
from models.audit import AuditEntry
from models.errors import ValidationError
from models.organisation import Category
from models.petition import Petition
from models.workflow import repeats
from models.workflow.repeats import SameMatter


@pytest.fixture
def land(db):
    return Category.create(name="土地纠纷")


@pytest.fixture
def wages(db):
    return Category.create(name="劳资纠纷")


@pytest.fixture(autouse=True)
def default_window():
    yield
    repeats.configure(None)


def fresh(petition):
    return Petition.get_by_id(petition.id).is_repeat


def at(year, month, day):
    return dt.datetime(year, month, day, 9, 30)


def test_same_category_within_12_months_is_a_repeat(make_petition, make_petitioner, land):
    person = make_petitioner()
    first = make_petition(petitioner=person, category=land, received_at=at(2022, 1, 10))
    second = make_petition(petitioner=person, category=land, received_at=at(2022, 12, 9))
    assert (fresh(first), fresh(second)) == (False, True)


def test_13_months_later_is_a_first_petition_again(make_petition, make_petitioner, land):
    person = make_petitioner()
    make_petition(petitioner=person, category=land, received_at=at(2021, 11, 9))
    later = make_petition(petitioner=person, category=land, received_at=at(2022, 12, 9))
    assert fresh(later) is False


def test_another_category_or_another_person_is_a_first_petition(make_petition, make_petitioner, land, wages):
    person = make_petitioner()
    make_petition(petitioner=person, category=land, received_at=at(2022, 6, 1))
    assert fresh(make_petition(petitioner=person, category=wages, received_at=at(2022, 12, 9))) is False
    assert fresh(make_petition(petitioner=make_petitioner(), category=land, received_at=at(2022, 12, 9))) is False


def test_registered_earlier_in_time_afterwards_makes_the_later_one_a_repeat(make_petition, make_petitioner, land):
    """补录: an older petition typed in after a newer one; the newer one becomes 重件, the older stays 初件."""
    person = make_petitioner()
    newer = make_petition(petitioner=person, category=land, received_at=at(2022, 12, 9))
    older = make_petition(petitioner=person, category=land, received_at=at(2022, 8, 1))
    assert (fresh(older), fresh(newer)) == (False, True)


def test_changing_category_petitioner_or_time_recomputes(make_petition, make_petitioner, land, wages):
    person, other = make_petitioner(), make_petitioner()
    first = make_petition(petitioner=person, category=land, received_at=at(2022, 6, 1))
    second = make_petition(petitioner=person, category=land, received_at=at(2022, 12, 9))
    first = Petition.get_by_id(first.id)
    first.category = wages
    first.save()
    assert fresh(second) is False
    first.category = land
    first.save()
    assert fresh(second) is True
    first.received_at = at(2021, 6, 1)
    first.save()
    assert fresh(second) is False
    first.received_at = at(2022, 6, 1)
    first.save()
    second = Petition.get_by_id(second.id)
    second.petitioner = other
    second.save()
    assert fresh(second) is False
    mine = make_petition(petitioner=other, category=land, received_at=at(2022, 12, 20))
    assert fresh(mine) is True  # the moved petition now counts for its new person


def test_a_voided_earlier_petition_no_longer_counts(make_petition, make_petitioner, land):
    person = make_petitioner()
    first = make_petition(petitioner=person, category=land, received_at=at(2022, 6, 1))
    second = make_petition(petitioner=person, category=land, received_at=at(2022, 12, 9))
    workflow.register(Petition.get_by_id(first.id), None)
    workflow.void(first, None, "重复登记")
    assert fresh(second) is False
    assert fresh(first) is False


def test_the_window_is_configurable(make_petition, make_petitioner, land):
    person = make_petitioner()
    make_petition(petitioner=person, category=land, received_at=at(2021, 6, 1))
    repeats.configure(24)
    later = make_petition(petitioner=person, category=land, received_at=at(2022, 12, 9))
    assert fresh(later) is True
    repeats.configure(6)
    repeats.refresh(person.id)
    assert fresh(later) is False


def test_linked_by_hand_is_a_repeat_and_unlinking_takes_it_back(db, make_petition, make_petitioner,
                                                                  land, wages):
    from models.people import User

    clerk = User.create(username="clerk", display_name="张干事", role="staff", password_hash="x")
    person = make_petitioner()
    first = make_petition(petitioner=person, category=land, received_at=at(2020, 1, 1))
    second = make_petition(petitioner=person, category=wages, received_at=at(2022, 12, 9))
    third = make_petition(petitioner=person, category=wages, received_at=at(2022, 12, 10))
    assert (fresh(second), fresh(third)) == (False, True)

    repeats.link(second, first, clerk)  # either order
    assert (fresh(first), fresh(second)) == (False, True)
    assert [p.id for p in repeats.linked(second)] == [first.id]
    entry = AuditEntry.select().order_by(AuditEntry.id.desc()).first()
    assert (entry.action, entry.model, entry.user_id) == ("create", "same_matter", clerk.id)
    assert first.number in entry.summary and second.number in entry.summary
    assert repeats.link(first, second, clerk) is None  # once
    assert SameMatter.select().count() == 1

    assert repeats.unlink(first, second, clerk) is True
    assert fresh(second) is False
    entry = AuditEntry.select().order_by(AuditEntry.id.desc()).first()
    assert (entry.action, entry.model) == ("delete", "same_matter")
    assert audit.verify_chain() is None


def test_linking_other_people_or_itself_is_refused(make_petition, make_petitioner, land):
    one, other = make_petition(category=land), make_petition(category=land)
    with pytest.raises(ValidationError):
        repeats.link(one, other, None)
    with pytest.raises(ValidationError):
        repeats.link(one, one, None)
    assert SameMatter.select().count() == 0


def test_counts_of_a_period(make_petition, make_petitioner, land):
    person = make_petitioner()
    make_petition(petitioner=person, category=land, received_at=at(2022, 11, 1))
    make_petition(petitioner=person, category=land, received_at=at(2022, 12, 9))
    make_petition(category=land, received_at=at(2022, 12, 10))
    first, last = dt.datetime(2022, 12, 1), dt.datetime(2023, 1, 1)
    assert repeats.count_received(first, last) == (1, 1)
    assert repeats.count_received(first, last, Petition.petitioner == person.id) == (0, 1)


def test_the_migration_computes_existing_rows_in_one_pass(db, make_petition, make_petitioner, land, wages):
    person = make_petitioner()
    first = make_petition(petitioner=person, category=land, received_at=at(2022, 6, 1))
    second = make_petition(petitioner=person, category=land, received_at=at(2022, 12, 9))
    other = make_petition(petitioner=person, category=wages, received_at=at(2022, 12, 10))
    linked = make_petition(petitioner=person, category=None, received_at=at(2022, 12, 11))
    SameMatter.create(first=other.id, second=linked.id)
    # a version 12 database: no is_repeat column (its values lost), no links table, version 12
    db.execute_sql("DROP INDEX IF EXISTS petition_by_repeat")
    db.execute_sql("DROP INDEX IF EXISTS petition_repeat_received")
    db.execute_sql("DROP INDEX IF EXISTS petition_person_category")
    db.execute_sql("DROP INDEX IF EXISTS petition_rates")  # v26's, over is_repeat
    db.execute_sql('ALTER TABLE petition DROP COLUMN is_repeat')
    links = list(SameMatter.select().tuples())
    db.drop_tables([SameMatter])
    schema.SchemaVersion.update(version=12).execute()

    assert schema.upgrade(db) == (12, schema.LATEST)
    assert {i.name for i in db.get_indexes("petition")} >= {"petition_by_repeat", "petition_repeat_received",
                                                            "petition_person_category"}
    assert [fresh(p) for p in (first, second, other, linked)] == [False, True, False, False]
    SameMatter.insert_many(links, fields=[f for f in SameMatter._meta.sorted_fields]).execute()
    db.execute_sql("UPDATE petition SET is_repeat = %s" % ("false" if "Postgres" in type(db).__name__ else "0"))
    repeats.recompute_all(db)  # the migration's statement, links included
    assert [fresh(p) for p in (first, second, other, linked)] == [False, True, False, True]
