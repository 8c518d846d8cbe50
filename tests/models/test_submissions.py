"""The claims of saved forms (models/submissions.py): a token is claimed once, also by saves at the same moment,
and a claim rolls back with its save."""
import datetime as dt
import time

import pytest

from models import submissions
from models.db import database, now
from models.organisation import Department
from models.submissions import AlreadySaved, Submission

from tests.threads import in_threads


@pytest.fixture
def clerk(make_user):
    return make_user("staff")


@pytest.fixture
def make_user(db):
    from models.people import User

    def make_user(role, username="clerk"):
        user = User(username=username, display_name=username, role=role)
        user.set_password("correct-horse-1")
        user.save()
        return user

    return make_user


def test_a_claimed_key_is_answered_with_the_record_it_saved(clerk):
    key = submissions.key_of("token-1")
    with database.atomic():
        claim = submissions.claim(key, clerk, "petition.create_view")
        submissions.settle(claim, kind="petition", record_id=7)
    with pytest.raises(AlreadySaved) as raised:
        with database.atomic():
            submissions.claim(key, clerk, "petition.create_view")
    assert (raised.value.submission.kind, raised.value.submission.record_id) == ("petition", 7)
    assert submissions.key_of("token-1", "accept", "1,2") != key  # another use of a list's action form


def test_a_claim_rolls_back_with_its_save(clerk):
    key = submissions.key_of("token-2")
    with pytest.raises(RuntimeError):
        with database.atomic():
            submissions.claim(key, clerk, "petition.create_view")
            raise RuntimeError("the save failed")
    assert submissions.find(key) is None  # the corrected form can still be saved


def test_saves_of_the_same_form_at_the_same_moment_claim_it_once(db, clerk):
    """Each save claims, writes, waits (so both are inside their transactions at once), and commits."""
    key, count = submissions.key_of("token-3"), 4

    def save(i):
        try:
            with database.atomic():
                submissions.claim(key, clerk, "petition.create_view")
                Department.create(name="部门%d" % i, kind="county")
                time.sleep(0.2)
            return "saved"
        except AlreadySaved:
            return "already saved"

    results = in_threads(count, save, timeout=60)
    assert sorted(results, key=str) == ["already saved"] * 3 + ["saved"], results
    assert Department.select().count() == 1
    assert Submission.select().count() == 1


def test_old_claims_are_purged(clerk):
    Submission.create(key="a" * 64, user=clerk, form="petition.create_view",
                      created_at=now() - dt.timedelta(days=submissions.KEEP_DAYS + 1))
    Submission.create(key="b" * 64, user=clerk, form="petition.create_view")
    assert submissions.purge() == 1
    assert [s.key for s in Submission.select()] == ["b" * 64]
