"""The audit log: append-only, hash-chained, personal data masked."""
import json
from types import SimpleNamespace

import pytest

from models import audit
from models.audit import AuditEntry
from models.people import User


@pytest.fixture
def clerk(db):
    return User.create(username="chen", display_name="接访员 陈某", role="staff", password_hash="pbkdf2:secret-hash")


@pytest.fixture
def entries(clerk):
    """Three entries in the log, oldest first."""
    return [audit.record("update", "petition", 1, by=clerk, summary="第%d次修改" % n,
                         before={"status": "registered"}, after={"status": "accepted", "n": n}) for n in range(3)]


def tamper(db, sql, *params):
    """Change the log behind the model's back, as someone with database access could."""
    db.execute_sql(sql.replace("?", db.param), params)


def test_each_entry_carries_the_hash_of_the_one_before(entries):
    stored = list(AuditEntry.select().order_by(AuditEntry.id))
    assert [e.prev_hash for e in stored] == [None, stored[0].hash, stored[1].hash]
    assert all(e.hash == e.compute_hash() and len(e.hash) == 64 for e in stored)
    assert audit.verify_chain() is None


def test_an_entry_records_who_did_what_with_the_values_before_and_after(entries, clerk):
    entry = AuditEntry.get_by_id(entries[2].id)
    assert (entry.user_id, entry.username, entry.action, entry.model, entry.record_id) == (
        clerk.id, "chen", "update", "petition", 1)
    assert json.loads(entry.before) == {"status": "registered"}
    assert json.loads(entry.after) == {"status": "accepted", "n": 2}


def test_an_account_wrapper_is_logged_as_its_user(db, clerk):
    entry = audit.record("view_personal", "petitioner", 7, by=SimpleNamespace(user=clerk))
    assert (entry.user_id, entry.username) == (clerk.id, "chen")
    assert audit.record("create", "petition", 8).username is None


@pytest.mark.parametrize("column, value", [
    pytest.param("summary", "无", id="summary"),
    pytest.param("after", '{"status": "closed"}', id="values-after"),
    pytest.param("username", "admin", id="who"),
    pytest.param("at", "2022-12-09 09:30:00", id="when"),
])
def test_verify_chain_reports_an_entry_edited_in_sql(db, entries, column, value):
    tamper(db, 'UPDATE "audit_entry" SET "%s" = ? WHERE "id" = ?' % column, value, entries[1].id)
    assert audit.verify_chain() == entries[1].id


def test_verify_chain_reports_the_entry_after_one_deleted_in_sql(db, entries):
    tamper(db, 'DELETE FROM "audit_entry" WHERE "id" = ?', entries[1].id)
    assert audit.verify_chain() == entries[2].id


def test_an_edit_whose_hash_is_recomputed_breaks_the_link_of_the_next_entry(db, entries):
    forged = AuditEntry.get_by_id(entries[0].id)
    forged.summary = "改过的记录"
    tamper(db, 'UPDATE "audit_entry" SET "summary" = ?, "hash" = ? WHERE "id" = ?', forged.summary,
           forged.compute_hash(), forged.id)
    assert audit.verify_chain() == entries[1].id


def test_an_empty_log_is_whole(db):
    assert audit.verify_chain() is None


def test_saving_an_existing_entry_is_refused(entries):
    entry = AuditEntry.get_by_id(entries[0].id)
    entry.summary = "改过的记录"
    with pytest.raises(PermissionError):
        entry.save()
    assert AuditEntry.get_by_id(entries[0].id).summary == "第0次修改"


def test_deleting_an_entry_is_refused(entries):
    with pytest.raises(PermissionError):
        AuditEntry.get_by_id(entries[0].id).delete_instance()
    assert AuditEntry.select().count() == 3
    assert audit.verify_chain() is None


def test_snapshot_masks_id_number_and_phone(make_petitioner):
    petitioner = make_petitioner(name="刘某某", phone="13812345678")
    data = audit.snapshot(petitioner)
    assert data["id_number"] == "371526********" + petitioner.id_number[-4:]
    assert data["phone"] == "138****5678"
    assert data["name"] == "刘某某"
    entry = audit.record("create", petitioner, petitioner.id, after=data)
    assert petitioner.id_number not in entry.after and "13812345678" not in entry.after


def test_snapshot_leaves_out_the_password_hash(clerk):
    data = audit.snapshot(clerk)
    assert "password_hash" not in data
    assert data["username"] == "chen" and data["created_at"] == clerk.created_at.isoformat()


def test_changes_keep_only_the_fields_that_differ():
    before, after = audit.changes({"status": "registered", "subject": "纠纷"}, {"status": "accepted",
                                                                               "subject": "纠纷"})
    assert (before, after) == ({"status": "registered"}, {"status": "accepted"})


def test_a_change_in_the_hidden_digits_is_logged_without_the_digits(make_petitioner):
    """Correcting the birth date inside an ID number changes nothing that the mask shows: still logged."""
    petitioner = make_petitioner(id_number="371526198001011230")
    before = audit.snapshot(petitioner)
    petitioner.id_number = "371526198001281230"  # the same mask: 371526********1230
    old, new = audit.changes(before, audit.snapshot(petitioner))
    assert new == {"id_number": "371526********1230"} and old == {"id_number": "371526********1230"}
    entry = audit.record("update", petitioner, petitioner.id, before=old, after=new)
    assert "19800128" not in entry.after and "19800101" not in entry.before
