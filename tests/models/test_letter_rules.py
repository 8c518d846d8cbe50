"""The rules of letters (models.workflow.letters), without HTTP or rendering: which letters a petition may have
at each status and why not the others; each issued once; voided and reissued; every issue and void audited;
答复 issues exactly one 处理意见书; printing never answers; a rendering that fails writes nothing."""
import datetime as dt
import threading

import pytest
from peewee import IntegrityError

from models import documents, schema, workflow
from models.db import database
from models.audit import AuditEntry
from models.casework import Referral
from models.documents import Document
from models.errors import NotAllowed, ValidationError
from models.organisation import Department
from models.people import User
from models.petition import NumberSeries, Petition, StepRecord
from models.workflow import letters

from tests.threads import in_threads

# How a petition reaches each status (each step dated now).
ROUTES = {
    "registered": [], "accepted": ["accept"], "not_accepted": ["reject"], "referred": ["accept", "refer"],
    "handled": ["accept", "refer", "record_reply"], "answered": ["accept", "refer", "record_reply", "answer"],
    "reviewed": ["accept", "refer", "record_reply", "answer", "request_review", "record_review"],
    "rechecked": ["accept", "refer", "record_reply", "answer", "request_review", "record_review",
                  "request_recheck", "record_recheck"],
    "void": ["accept", "void"],
}


def letter_numbers_taken():
    series = NumberSeries.get_or_none(NumberSeries.prefix == "高信访")
    return series.last if series else 0


def fake_pdf(number, at):
    return b"%PDF-1.4 " + number.encode("utf-8")


def failing(number, at):
    raise RuntimeError("the renderer broke")


@pytest.fixture
def clerk(db):
    return User.create(username="clerk", display_name="王小红", role="staff", password_hash="x")


@pytest.fixture
def office(db):
    return Department.create(name="县信访局", short_name="高信访", kind="county")


@pytest.fixture
def reach(make_petition, clerk):
    """reach(status) -> a petition brought to that status through models.workflow."""
    land = Department.create(name="县自然资源局", short_name="高自然资源", kind="county")

    def reach(status):
        petition = workflow.register(make_petition(received_at=dt.datetime.now() - dt.timedelta(days=1)), clerk)
        for step in ROUTES[status]:
            if step == "reject":
                workflow.reject(petition, clerk, "已经法院判决", "《信访工作条例》第二十五条")
            elif step == "refer":
                workflow.refer(petition, land, clerk)
            elif step == "record_reply":
                workflow.record_reply(Referral.get(Referral.petition == petition), clerk, "support", "属实。",
                                      "予以支持。", "《中华人民共和国民法典》第二百八十八条")
            elif step in ("record_review", "record_recheck"):
                getattr(workflow, step)(petition, clerk, "予以维持。")
            elif step == "void":
                workflow.void(petition, clerk, "重复登记")
            else:
                getattr(workflow, step)(petition, clerk)
        return Petition.get_by_id(petition.id)

    return reach


def issue(kind, petition, clerk, office, render=fake_pdf, record_id=None):
    return letters.issue(kind, petition, clerk, render, record_id, issuer=office)


@pytest.mark.parametrize("status, kinds", [
    pytest.param("registered", set(), id="registered"),
    pytest.param("accepted", {"acceptance_notice"}, id="accepted"),
    pytest.param("not_accepted", {"rejection_notice"}, id="not-accepted"),
    pytest.param("referred", {"acceptance_notice", "referral_notice", "assignment_sheet"}, id="referred"),
    pytest.param("handled", {"acceptance_notice", "referral_notice", "assignment_sheet", "handling_opinion"},
                 id="handled"),
    pytest.param("reviewed", {"acceptance_notice", "referral_notice", "assignment_sheet", "handling_opinion",
                              "review_opinion"}, id="reviewed"),
    pytest.param("rechecked", {"acceptance_notice", "referral_notice", "assignment_sheet", "handling_opinion",
                               "review_opinion", "recheck_opinion"}, id="rechecked"),
    pytest.param("void", set(), id="void"),
])
def test_the_letters_a_petition_may_have_follow_its_status(reach, status, kinds):
    petition = reach(status)
    records, reasons = letters.available(petition)
    assert set(records) == kinds
    assert set(records) | set(reasons) == set(documents.KINDS) and not set(records) & set(reasons)
    referral = Referral.get_or_none(Referral.petition == petition)
    for kind, ids in records.items():
        assert ids == ([referral.id] if kind in ("referral_notice", "assignment_sheet") else [None])
    if referral is not None:  # a 交办 (refer's default): a 交办单, never a 转送函
        assert str(reasons["transfer_letter"]) == "The petition has not been transferred to a department."


def test_a_letter_not_available_says_why(reach):
    reasons = letters.available(reach("accepted")).reasons
    assert reasons["handling_opinion"].message == "No department reply has been recorded."
    assert reasons["referral_notice"].message == "The petition has not been referred."
    assert letters.available(reach("void")).reasons["acceptance_notice"].message == "The petition is void."


def test_a_letter_the_petition_cannot_have_is_refused_and_takes_no_number(reach, clerk, office):
    petition = reach("accepted")
    with pytest.raises(letters.NotAvailable):
        issue("handling_opinion", petition, clerk, office)
    with pytest.raises(letters.NotAvailable):
        issue("acceptance_notice", petition, clerk, office, record_id=7)  # not about a record
    with pytest.raises(ValidationError):
        issue("nonsense", petition, clerk, office)
    assert Document.select().count() == 0 and letter_numbers_taken() == 0


def test_a_letter_is_issued_once(reach, clerk, office):
    petition = reach("accepted")
    first = issue("acceptance_notice", petition, clerk, office)
    with pytest.raises(NotAllowed) as refused:
        issue("acceptance_notice", petition, clerk, office)
    assert refused.value.params == {"number": first.number}
    assert Document.select().count() == 1 and letter_numbers_taken() == 1  # the refusal took no number
    assert not letters.issuable("acceptance_notice", petition, first)


def test_a_voided_letter_can_be_issued_again_and_reissue_replaces_it(reach, clerk, office):
    petition = reach("accepted")
    first = issue("acceptance_notice", petition, clerk, office)
    letters.void(first, clerk, "受理日期有误")
    second = issue("acceptance_notice", petition, clerk, office)
    assert documents.current("acceptance_notice", petition).id == second.id
    third = letters.reissue(second, clerk, "姓名有误", fake_pdf, issuer=office)
    second = Document.get_by_id(second.id)
    assert second.is_void and second.void_reason == "姓名有误" and third.replaces_id == second.id
    assert [d.number for d in Document.select().order_by(Document.id)] == [
        "高信访〔%d〕%d号" % (dt.date.today().year, n) for n in (1, 2, 3)]
    with pytest.raises(NotAllowed):
        letters.void(second, clerk, "再次作废")
    with pytest.raises(ValidationError):
        letters.void(third, clerk, "  ")
    assert not Document.get_by_id(third.id).is_void


def test_every_issue_and_void_is_audited(reach, clerk, office):
    petition = reach("accepted")
    before = AuditEntry.select().count()
    document = issue("acceptance_notice", petition, clerk, office)
    letters.void(document, clerk, "受理日期有误")
    entries = list(AuditEntry.select().where(AuditEntry.id > before).order_by(AuditEntry.id))
    assert [(e.action, e.model, e.record_id, e.summary, e.user_id) for e in entries] == [
        ("create", "document", document.id, document.number, clerk.id),
        ("update", "document", document.id, document.number, clerk.id)]
    assert '"kind": "acceptance_notice"' in entries[0].after and document.sha256 in entries[0].after
    assert '"void_reason": "受理日期有误"' in entries[1].after


def test_the_answer_takes_the_step_and_issues_exactly_one_handling_opinion(reach, clerk, office):
    petition = reach("handled")
    document = letters.answer(petition, clerk, fake_pdf, issuer=office)
    assert Petition.get_by_id(petition.id).status == "answered"
    assert [(d.id, d.kind) for d in Document.select()] == [(document.id, "handling_opinion")]
    assert StepRecord.select().where((StepRecord.petition == petition) & (StepRecord.step == "answer")).count() == 1
    actions = [(e.action, e.summary) for e in AuditEntry.select().order_by(AuditEntry.id)][-2:]
    assert actions == [("step", "answer"), ("create", document.number)]
    with pytest.raises(NotAllowed):  # answered once; the letter in force is printed, not issued again
        letters.answer(Petition.get_by_id(petition.id), clerk, fake_pdf, issuer=office)
    assert Document.select().count() == 1


def test_the_answer_is_refused_before_the_department_replies(reach, clerk, office):
    petition = reach("referred")
    with pytest.raises(NotAllowed):
        letters.answer(petition, clerk, fake_pdf, issuer=office)
    assert Document.select().count() == 0 and Petition.get_by_id(petition.id).status == "referred"


def test_issuing_or_printing_the_handling_opinion_never_answers(reach, clerk, office):
    petition = reach("handled")
    assert letters.issuing_step("handling_opinion", petition) == "answer"
    with pytest.raises(NotAllowed) as refused:
        issue("handling_opinion", petition, clerk, office)
    assert refused.value.message == "Answer the petitioner to issue the handling opinion."
    with pytest.raises(NotAllowed):
        list(letters.for_printing("handling_opinion", petition, clerk, lambda record_id: fake_pdf, issuer=office))
    assert Petition.get_by_id(petition.id).status == "handled" and Document.select().count() == 0


def test_printing_gives_the_letters_in_force_and_issues_the_missing_ones(reach, clerk, office):
    petition = reach("answered")  # answered without its letter (e.g. before letters were issued here)
    assert letters.issuing_step("handling_opinion", petition) is None
    first = list(letters.for_printing("handling_opinion", petition, clerk, lambda r: fake_pdf, issuer=office))
    again = list(letters.for_printing("handling_opinion", petition, clerk, lambda r: failing, issuer=office))
    assert [d.id for d in first] == [d.id for d in again] and Document.select().count() == 1


@pytest.mark.parametrize("how", ["issue", "answer", "reissue"])
def test_a_failing_render_writes_nothing(reach, clerk, office, how):
    petition = reach("handled")
    old = issue("acceptance_notice", petition, clerk, office) if how == "reissue" else None
    counts = (Document.select().count(), AuditEntry.select().count(), StepRecord.select().count(),
              letter_numbers_taken())
    with pytest.raises(RuntimeError):
        if how == "issue":
            issue("acceptance_notice", petition, clerk, office, render=failing)
        elif how == "answer":
            letters.answer(petition, clerk, failing, issuer=office)
        else:
            letters.reissue(old, clerk, "姓名有误", failing, issuer=office)
    assert (Document.select().count(), AuditEntry.select().count(), StepRecord.select().count(),
            letter_numbers_taken()) == counts
    assert Petition.get_by_id(petition.id).status == "handled"
    if old is not None:
        assert not Document.get_by_id(old.id).is_void  # the void is undone with the failed reissue


# -- issued once: decided inside the numbering transaction, enforced by the database ------------------------

def live(kind=None):
    query = Document.select().where(Document.voided_at.is_null())
    return list(query.where(Document.kind == kind) if kind else query)


def slow_pdf(number, at):
    threading.Event().wait(0.02)  # a rendering takes a while: the others arrive meanwhile
    return fake_pdf(number, at)


def test_sixteen_clerks_issuing_the_same_letter_at_once_get_one_document(reach, clerk, office):
    petition = reach("accepted")
    results = in_threads(16, lambda i: letters.issue("acceptance_notice", petition, clerk, slow_pdf, issuer=office))
    issued = [r for r in results if isinstance(r, Document)]
    assert len(issued) == 1, results
    assert all(isinstance(r, documents.AlreadyIssued) and r.document.id == issued[0].id
               for r in results if r is not issued[0]), results
    assert [d.id for d in live()] == [issued[0].id]
    assert letter_numbers_taken() == 1  # the losers gave their numbers back: no gap
    assert AuditEntry.select().where(AuditEntry.model == "document").count() == 1


def test_concurrent_batch_prints_give_every_clerk_the_same_letters(reach, clerk, office):
    petitions = [reach("accepted") for _ in range(10)]

    def print_batch(i):
        return [d.id for p in petitions for d in letters.for_printing(
            "acceptance_notice", p, clerk, lambda record_id: slow_pdf, issuer=office)]

    results = in_threads(4, print_batch)
    assert all(isinstance(r, list) and len(r) == 10 for r in results), results  # nobody was refused or skipped
    assert results[0] == results[1] == results[2] == results[3]
    assert sorted(d.id for d in live()) == sorted(results[0]) and letter_numbers_taken() == 10


def test_the_database_keeps_one_live_document_per_petition_kind_and_record(reach, clerk, office, db):
    petition = reach("referred")
    first = issue("acceptance_notice", petition, clerk, office)
    referral = Referral.get(Referral.petition == petition)
    sheet = issue("assignment_sheet", petition, clerk, office, record_id=referral.id)

    def copy(document, number, **fields):
        values = {f.name: getattr(document, f.name) for f in Document._meta.sorted_fields if f.name != "id"}
        values.update(number=number, sequence=0, **fields)
        with db.atomic():
            return Document.create(**values)

    with pytest.raises(IntegrityError):  # no record id (NULL) collides too
        copy(first, "手写〔2026〕1号")
    with pytest.raises(IntegrityError):
        copy(sheet, "手写〔2026〕2号")
    copy(sheet, "手写〔2026〕3号", record_id=referral.id + 1)  # another record: another letter
    copy(first, "手写〔2026〕4号", voided_at=dt.datetime.now(), void_reason="作废")  # void ones are on record
    letters.void(first, clerk, "受理日期有误")
    assert copy(first, "手写〔2026〕5号").number == "手写〔2026〕5号"  # once void, another may be in force


def test_a_letter_issued_by_another_series_meanwhile_is_refused_by_the_database(reach, clerk, office, monkeypatch):
    """The series lock holds back a second issuer of the same series; one of another series (another issuing organ
    or year) is not held back, and its letter may commit between our check and our insert: the index refuses ours,
    the loser is told the number in force and its number goes back to the series."""
    petition = reach("accepted")
    other = Department.create(name="县政府办", short_name="高政办", kind="county")
    theirs = documents.archive("acceptance_notice", petition, other, fake_pdf, clerk)  # committed meanwhile
    real, calls = documents.current, []

    def checked_before_theirs_committed(*args, **kwargs):
        calls.append(args)
        return None if len(calls) == 1 else real(*args, **kwargs)

    monkeypatch.setattr(documents, "current", checked_before_theirs_committed)
    with pytest.raises(documents.AlreadyIssued) as refused:
        documents.archive("acceptance_notice", petition, office, fake_pdf, clerk)
    assert refused.value.document.id == theirs.id and refused.value.params == {"number": theirs.number}
    assert [d.id for d in live()] == [theirs.id] and letter_numbers_taken() == 0


def test_the_upgrade_voids_duplicates_left_by_the_race_and_keeps_the_oldest(reach, clerk, office, db):
    petition = reach("accepted")
    first = issue("acceptance_notice", petition, clerk, office)
    db.execute_sql("DROP INDEX %s" % documents.LIVE_INDEX)  # a database of version 9, which the race reached
    values = {f.name: getattr(first, f.name) for f in Document._meta.sorted_fields if f.name != "id"}
    twins = [Document.create(**dict(values, number="高信访〔%d〕%d号" % (first.year, n), sequence=n)) for n in (2, 3)]
    schema.SchemaVersion.update(version=9).execute()
    before = AuditEntry.select().count()
    assert schema.upgrade(db) == (9, schema.LATEST)
    assert [d.id for d in live()] == [first.id]
    for twin in twins:
        twin = Document.get_by_id(twin.id)
        assert twin.is_void and twin.void_reason == documents.DUPLICATE_REASON and twin.number  # kept on record
    entries = list(AuditEntry.select().where(AuditEntry.id > before).order_by(AuditEntry.id))
    assert [(e.action, e.model, e.record_id) for e in entries] == [("update", "document", t.id) for t in twins]
    assert first.number in entries[0].after
    with pytest.raises(IntegrityError):
        with db.atomic():
            Document.create(**dict(values, number="高信访〔%d〕9号" % first.year, sequence=9))
    assert schema.upgrade(db) == (schema.LATEST, schema.LATEST)


def test_an_answer_given_over_a_letter_in_force_voids_it_rather_than_keep_two(reach, clerk, office):
    """A 处理意见书 in force from before these rules (archived directly, as an old version could): the answer's new
    letter takes its place; the earlier one stays on record, void, with the reason, audited."""
    petition = reach("handled")
    earlier = documents.archive("handling_opinion", petition, office, fake_pdf, clerk)
    answered = letters.answer(petition, clerk, fake_pdf, issuer=office)
    earlier = Document.get_by_id(earlier.id)
    assert [d.id for d in live()] == [answered.id]
    assert earlier.is_void and earlier.void_reason == documents.SUPERSEDED_REASON
    assert AuditEntry.select().where((AuditEntry.model == "document") & (AuditEntry.record_id == earlier.id)
                                     & (AuditEntry.action == "update")).count() == 1
