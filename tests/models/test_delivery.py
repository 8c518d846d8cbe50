"""送达 (issue 15 §5): each letter to a petitioner or a department is delivered once, how and when recorded,
never before it was issued nor in the future, never when void; audited."""
import datetime as dt

import pytest

from models import documents
from models.audit import AuditEntry
from models.casework import Referral
from models.db import now
from models.delivery import NOT_DELIVERED, Delivery, needs_delivery
from models.documents import KINDS
from models.errors import NotAllowed, ValidationError
from models.organisation import Department
from models.people import User
from models.workflow.delivery import default_recipient, record_delivery

ISSUED = dt.datetime(2026, 11, 2, 10, 0)


def fake_pdf(number, at):
    return b"%PDF-1.4 " + number.encode()


@pytest.fixture
def clerk(db):
    return User.create(username="chen", display_name="接访员 陈某", role="staff", password_hash="not-a-login")


@pytest.fixture
def office(db):
    return Department.create(name="县信访局", short_name="高信访", kind="county")


@pytest.fixture
def issue(db, make_petition, office, clerk):
    """issue(kind="acceptance_notice", **archive keywords) -> a Document issued at ISSUED."""
    petition = make_petition()

    def issue(kind="acceptance_notice", **kwargs):
        return documents.archive(kind, kwargs.pop("petition", petition), office, fake_pdf, clerk, at=ISSUED,
                                 **kwargs)

    return issue


def test_a_delivery_records_method_time_recipient_and_who(issue, clerk):
    document = issue()
    at = ISSUED + dt.timedelta(days=1)
    delivery = record_delivery(document, clerk, "post", at, note="邮件单号 1234567890")
    stored = Delivery.get_by_id(delivery.id)
    assert (stored.method, stored.delivered_at, stored.note, stored.recorded_by_id) == (
        "post", at, "邮件单号 1234567890", clerk.id)
    assert stored.recipient == document.petition.petitioner.name  # the petitioner by default
    assert stored.recorded_at >= stored.delivered_at


def test_an_assignment_sheet_goes_to_its_department_by_default(issue, clerk, make_petition):
    land = Department.create(name="县自然资源局", short_name="高自然资源", kind="county")
    petition = make_petition()
    referral = Referral.create(petition=petition, department=land, sent_at=ISSUED, due_on=ISSUED.date())
    document = issue("assignment_sheet", petition=petition, record_id=referral.id)
    assert default_recipient(document) == "县自然资源局"
    assert record_delivery(document, clerk, "personal", ISSUED).recipient == "县自然资源局"
    named = issue("acceptance_notice", petition=petition)
    assert record_delivery(named, clerk, "personal", ISSUED, recipient="  代收人 李某 ").recipient == "代收人 李某"


def test_a_document_is_delivered_once(issue, clerk):
    document = issue()
    record_delivery(document, clerk, "personal", ISSUED)
    with pytest.raises(NotAllowed) as err:
        record_delivery(document, clerk, "post", ISSUED + dt.timedelta(hours=1))
    assert err.value.message == "This document has already been delivered."
    assert Delivery.select().count() == 1


def test_a_delivery_is_never_before_the_letter_was_issued(issue, clerk):
    document = issue()
    with pytest.raises(ValidationError) as err:
        record_delivery(document, clerk, "personal", ISSUED - dt.timedelta(minutes=1))
    assert err.value.field == "delivered_at"
    assert record_delivery(document, clerk, "personal", ISSUED).delivered_at == ISSUED  # the same minute is fine


def test_a_delivery_is_never_in_the_future(issue, clerk):
    document = issue()
    with pytest.raises(ValidationError) as err:
        record_delivery(document, clerk, "personal", now() + dt.timedelta(hours=1))
    assert err.value.field == "delivered_at"
    assert not Delivery.select().exists()
    assert record_delivery(document, clerk, "personal").delivered_at <= now()  # no time: now


def test_a_void_document_cannot_be_delivered(issue, clerk):
    document = documents.mark_void(issue(), clerk, "日期有误")
    with pytest.raises(NotAllowed) as err:
        record_delivery(document, clerk, "personal", ISSUED)
    assert err.value.message == "A void document cannot be delivered."


def test_the_method_must_be_one_of_the_five(issue, clerk):
    with pytest.raises(ValidationError) as err:
        record_delivery(issue(), clerk, "pigeon", ISSUED)
    assert err.value.field == "method"


def test_the_delivery_is_audited(issue, clerk):
    document = issue()
    delivery = record_delivery(document, clerk, "left", ISSUED, note="见证人 王某")
    entry = AuditEntry.get((AuditEntry.model == "delivery") & (AuditEntry.record_id == delivery.id))
    assert (entry.action, entry.summary, entry.user_id) == ("create", document.number, clerk.id)
    assert "见证人 王某" in entry.after


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_letter_but_the_consultation_minutes_is_delivered(kind):
    assert needs_delivery(kind) == (kind != "consultation_minutes")


def test_the_consultation_minutes_are_an_internal_record_and_not_delivered(issue, clerk):
    assert NOT_DELIVERED == ("consultation_minutes",)
    minutes = issue("consultation_minutes", record_id=1)
    with pytest.raises(NotAllowed):
        record_delivery(minutes, clerk, "personal", ISSUED)


def test_the_worklist_lists_letters_in_force_undelivered_after_three_days(issue, clerk, make_petition, office):
    from models.reports import worklists

    today = dt.date(2026, 11, 9)
    late = issue()  # 2 November: 7 days
    delivered = issue(petition=make_petition())
    record_delivery(delivered, clerk, "post", ISSUED + dt.timedelta(days=1))
    documents.mark_void(issue(petition=make_petition()), clerk, "日期有误")
    issue("consultation_minutes", petition=make_petition(), record_id=7)  # an internal record
    recent = documents.archive("acceptance_notice", make_petition(), office, fake_pdf, clerk,
                               at=dt.datetime(2026, 11, 6, 23, 0))  # 3 days: not yet
    group = worklists.to_deliver(clerk, today)
    assert (group.key, group.count, [d.id for d in group.rows]) == ("to_deliver", 1, [late.id])
    assert worklists.to_deliver(clerk, dt.date(2026, 11, 10)).count == 2  # the next day, 4 days
    assert "to_deliver" in [g.key for g in worklists.for_user(clerk, today)]
    department = User.create(username="dept", role="department", password_hash="x",
                             department=Department.create(name="县住建局", short_name="县住建", kind="county"))
    assert "to_deliver" not in [g.key for g in worklists.for_user(department, today)]
    assert recent.id not in [d.id for d in group.rows]
