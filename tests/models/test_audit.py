"""The audit log: append-only, hash-chained, personal data masked."""
import datetime as dt
import hashlib
import hmac
import json
import os
from types import SimpleNamespace

import pytest

from models import audit, schema
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


# The keyed chain and its anchors (issue 11): whoever can write to the database cannot rewrite the log unseen.

def plain_sha256(entry):
    """The hash a forger without the key can compute: SHA-256 of the payload, as the unkeyed chain had it."""
    return hashlib.sha256(entry.payload().encode("utf-8")).hexdigest()


def many(n, by=None):
    return [audit.record("update", "petition", i, by=by, summary="第%d次" % i, after={"n": i}) for i in range(n)]


def recompute(db, start_id, hasher, keyed=None):
    """Relink and rehash every entry from start_id on, as a forger who rewrites the log would."""
    previous = AuditEntry.select(AuditEntry.hash).where(AuditEntry.id < start_id).order_by(
        AuditEntry.id.desc()).first()
    previous = previous.hash if previous else None
    for entry in AuditEntry.select().where(AuditEntry.id >= start_id).order_by(AuditEntry.id):
        entry.prev_hash = previous
        if keyed is not None:
            entry.keyed = keyed
        entry.hash = hasher(entry)
        tamper(db, 'UPDATE "audit_entry" SET "prev_hash" = ?, "hash" = ?, "keyed" = ? WHERE "id" = ?',
               entry.prev_hash, entry.hash, entry.keyed, entry.id)
        previous = entry.hash


def test_the_chain_is_an_hmac_with_the_key_kept_outside_the_database(entries, audit_settings):
    entry = AuditEntry.get_by_id(entries[1].id)
    assert entry.keyed and entry.hash == hmac.new(audit_settings["key"].encode(), entry.payload().encode("utf-8"),
                                                   hashlib.sha256).hexdigest()
    assert entry.hash != plain_sha256(entry)
    audit.configure("another-key", audit_settings["anchors"])  # the log checked with a wrong key: broken at once
    assert audit.verify_chain() == entries[0].id


def test_truncating_the_newest_100_entries_is_found_by_the_anchor(db):
    written = many(150)
    assert audit.anchor()["count"] == 150
    tamper(db, 'DELETE FROM "audit_entry" WHERE "id" > ?', written[49].id)
    assert audit.verify_chain() is None  # what is left is a whole chain: only the anchor shows the cut
    found = audit.verify()
    assert (found.kind, found.entry_id, found.newest, found.count) == ("missing", written[-1].id, written[49].id, 50)


def test_entries_deleted_and_the_chain_recomputed_without_the_key_are_found(db):
    written = many(60)
    audit.anchor()
    tamper(db, 'DELETE FROM "audit_entry" WHERE "id" BETWEEN ? AND ?', written[10].id, written[29].id)
    recompute(db, written[30].id, plain_sha256)  # keyed left as it was: the HMAC does not match
    assert audit.verify_chain() == written[30].id
    assert audit.verify().kind == "chain"


def test_a_log_rewritten_as_an_unkeyed_one_is_found_by_the_anchor(db):
    written = many(60)
    audit.anchor()
    tamper(db, 'DELETE FROM "audit_entry" WHERE "id" BETWEEN ? AND ?', written[10].id, written[29].id)
    recompute(db, written[0].id, plain_sha256, keyed=False)  # every entry passed off as one of before the key
    assert audit.verify_chain() is None
    found = audit.verify()
    assert (found.kind, found.entry_id) == ("changed", written[-1].id)


def test_a_log_recomputed_with_the_key_after_a_deletion_does_not_match_its_anchor(db):
    written = many(30)
    audit.anchor()
    tamper(db, 'DELETE FROM "audit_entry" WHERE "id" = ?', written[5].id)
    recompute(db, written[6].id, lambda entry: entry.compute_hash())  # even the key does not help
    assert audit.verify_chain() is None
    assert audit.verify().kind == "changed"


def test_an_untouched_log_agrees_with_every_anchor(db):
    many(20)
    audit.anchor()
    many(5)
    audit.anchor("backup")
    many(3)
    assert [a["count"] for a in audit.anchors()] == [20, 25]
    assert audit.verify() is None


def test_anchors_before_a_restore_no_longer_count(db):
    written = many(10)
    audit.anchor()
    tamper(db, 'DELETE FROM "audit_entry" WHERE "id" > ?', written[4].id)  # as a restore of an older backup
    assert audit.verify().kind == "missing"
    audit.anchor("restore")
    assert audit.verify() is None


def test_the_first_audited_write_of_a_day_anchors_the_head_once(db, audit_settings, monkeypatch):
    assert audit.anchor_if_due() is None  # nothing written yet
    many(3)
    written = audit.anchor_if_due()
    assert written["count"] == 3 and written["reason"] == "daily"
    many(2)
    assert audit.anchor_if_due() is None  # once a day
    assert len(audit.anchors()) == 1
    assert os.stat(audit_settings["anchors"]).st_mode & 0o777 == 0o600
    monkeypatch.setitem(audit._anchoring, "day", None)  # another process: the file has today's anchor already
    many(1)
    assert audit.anchor_if_due() is None and len(audit.anchors()) == 1
    tomorrow = dt.datetime.now().replace(microsecond=0) + dt.timedelta(days=1)
    monkeypatch.setattr(audit, "now", lambda: tomorrow)
    many(1)
    assert audit.anchor_if_due()["count"] == 7 and len(audit.anchors()) == 2


def test_an_upgraded_log_keeps_its_plain_entries_and_is_keyed_from_then_on(db):
    """Schema version 10 adds the keyed column: the entries already there are plain and checked as such."""
    old = many(3)
    tamper(db, 'ALTER TABLE "audit_entry" DROP COLUMN "keyed"')
    previous = None
    for entry in old:  # as the unkeyed code wrote them
        entry.keyed, entry.prev_hash = False, previous
        entry.hash = previous = plain_sha256(entry)
        tamper(db, 'UPDATE "audit_entry" SET "prev_hash" = ?, "hash" = ? WHERE "id" = ?', entry.prev_hash,
               entry.hash, entry.id)
    schema.SchemaVersion.update(version=9).execute()
    assert schema.upgrade(db) == (9, schema.LATEST)  # version 10 adds the column
    assert [e.keyed for e in AuditEntry.select()] == [False] * 3
    new = many(2)
    assert AuditEntry.get_by_id(new[0].id).keyed and AuditEntry.get_by_id(new[0].id).prev_hash == old[-1].hash
    assert audit.verify_chain() is None
    forged = AuditEntry.get_by_id(old[1].id)  # a plain entry changed and rehashed: the keyed link breaks
    forged.summary = "改过"
    tamper(db, 'UPDATE "audit_entry" SET "summary" = ?, "hash" = ? WHERE "id" = ?', forged.summary,
           plain_sha256(forged), forged.id)
    assert audit.verify_chain() == old[2].id


def test_a_plain_entry_after_a_keyed_one_breaks_the_chain(db):
    written = many(3)
    last = AuditEntry.get_by_id(written[2].id)
    last.keyed = False
    tamper(db, 'UPDATE "audit_entry" SET "keyed" = ?, "hash" = ? WHERE "id" = ?', False, plain_sha256(last),
           last.id)
    assert audit.verify_chain() == written[2].id


def test_without_a_key_nothing_is_written(db, monkeypatch):
    monkeypatch.setitem(audit._settings, "key", None)
    with pytest.raises(audit.NotConfigured):
        audit.record("create", "petition", 1)
    assert AuditEntry.select().count() == 0


def test_the_anchors_of_another_database_in_the_same_file_are_not_this_ones(db, audit_settings):
    many(3)
    audit.configure(audit_settings["key"], audit_settings["anchors"], database="sqlite:////elsewhere/copy.db")
    audit.anchor("restore")  # a copy restored elsewhere, with an empty log
    audit.configure(audit_settings["key"], audit_settings["anchors"])
    assert audit.anchors() == []
    audit.anchor()
    assert [a["count"] for a in audit.anchors()] == [3] and audit.verify() is None
