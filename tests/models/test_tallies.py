"""The monthly tallies stay exact through every kind of write (inserts, saves, bulk updates, deletes): they
equal a fresh count, and the statistics read from them equal the same figures counted from the petitions."""
import datetime as dt
import random

import pytest
from peewee import fn

from models import schema, workflow
from models.reports import statistics, tallies
from models.organisation import Category
from models.people import Representative, Team
from models.petition import CHANNELS, CLASSIFICATIONS, Petition
from models.reports.tallies import PetitionTally

DIMENSIONS = [name for name, _ in tallies.DIMENSIONS]


@pytest.fixture
def petitions(db, make_petitioner, make_town):
    """300 petitions with random dates, states and dimensions, inserted directly; returns the choices used."""
    rng = random.Random(7)
    person = make_petitioner()
    choices = {
        "town": [make_town("镇%d" % i) for i in range(3)] + [None],
        "category": [Category.create(name="类别%d" % i) for i in range(3)] + [None],
        "team": list(Team.select()) + [None],
        "lead_representative": [Representative.create(name="代表%d" % i, kind="npc_deputy") for i in range(2)]
        + [None],
        "channel": [code for code, _ in CHANNELS],
        "classification": [code for code, _ in CLASSIFICATIONS],
    }
    rows = []
    for n in range(300):
        received = dt.datetime(2025, 1, 1) + dt.timedelta(seconds=rng.randrange(700 * 86400))
        status = rng.choice(["closed", "not_accepted", "void"] + list(workflow.OPEN))
        closed_at = None
        if status in ("closed", "not_accepted"):
            closed_at = rng.choice([None, received - dt.timedelta(days=2),
                                    received + dt.timedelta(days=rng.randrange(90))])
        rows.append(dict(number="XF-T-%06d" % n, received_at=received, petitioner=person.id, subject="事项",
                         content="内容", status=status, closed_at=closed_at,
                         **{field: rng.choice(values) for field, values in choices.items()}))
    Petition.insert_many(rows).execute()
    return rng, choices


def every(n):
    """Every n-th petition (peewee's % is LIKE)."""
    return Petition.id.in_([id_ for (id_,) in Petition.select(Petition.id).tuples() if id_ % n == 0])


def tally_rows():
    return {(row.month, row.measure, row.dimension, row.key): row.n
            for row in PetitionTally.select() if row.n}


def fresh_count(db):
    tallies.rebuild(db)
    return tally_rows()


def test_the_tallies_after_saves_bulk_updates_and_deletes_equal_a_fresh_count(db, petitions):
    rng, choices = petitions
    for petition in rng.sample(list(Petition.select()), 60):  # one record at a time, as the screens save
        change = rng.choice(["close", "reopen", "void", "move", "dimension", "closed_before", "text"])
        if change == "close":
            petition.status, petition.closed_at = rng.choice(["closed", "not_accepted"]), petition.received_at + \
                dt.timedelta(days=rng.randrange(1, 60))
        elif change == "reopen":
            petition.status, petition.closed_at = "accepted", None
        elif change == "void":
            petition.status = "void"
        elif change == "move":  # into another month, and maybe another year
            petition.received_at -= dt.timedelta(days=rng.randrange(20, 400))
        elif change == "closed_before":
            petition.status, petition.closed_at = "closed", petition.received_at - dt.timedelta(hours=5)
        elif change == "dimension":
            field = rng.choice(sorted(choices))
            setattr(petition, field, rng.choice(choices[field]))
        else:
            petition.subject = "改过的事项"  # counts nothing: the tallies stay as they are
        petition.save()
    Petition.update(status="closed", closed_at=dt.datetime(2026, 3, 31, 23, 59, 59)).where(
        every(7)).execute()
    Petition.update(town=None, channel=CHANNELS[0][0]).where(every(5)).execute()
    Petition.delete().where(every(11)).execute()
    kept = tally_rows()
    assert kept and kept == fresh_count(db)
    counted = dict(Petition.select(Petition.status, fn.COUNT(Petition.id)).group_by(Petition.status).tuples())
    assert statistics.by_status() == counted  # the finished read from the tallies


def test_a_change_that_counts_nothing_leaves_the_tallies_alone(db, petitions):
    before = tally_rows()
    Petition.update(subject="新的事项", content="新的内容").execute()
    assert tally_rows() == before


def test_a_new_petition_is_counted_in_its_month_and_a_deleted_one_no_more(db, petitions):
    rng, choices = petitions
    before = tally_rows()
    petition = Petition.create(number="XF-T-999999", received_at=dt.datetime(2024, 5, 31, 23, 59), subject="事项",
                               content="内容", petitioner=Petition.get().petitioner, channel="visit",
                               status="closed", closed_at=dt.datetime(2024, 6, 1, 0, 0))
    assert tally_rows()[(202405, "new", "channel", "=visit")] == 1
    assert tally_rows()[(202406, "closed", "town", "")] == 1
    petition.delete_instance()
    assert tally_rows() == before


RANGES = [
    (dt.datetime(2025, 1, 1), dt.datetime(2026, 1, 1)),  # a year: whole months only
    (dt.datetime(2025, 3, 1), dt.datetime(2025, 4, 1)),  # one month
    (dt.datetime(2025, 3, 17), dt.datetime(2025, 3, 18)),  # a day
    (dt.datetime(2025, 2, 10), dt.datetime(2025, 11, 3)),  # whole months between two edges
    (dt.datetime(2025, 12, 20), dt.datetime(2026, 2, 1)),  # an edge, then a month across the year
    (dt.datetime(2025, 6, 15), None),  # from a day on, no end (open_at)
    (dt.datetime(2020, 1, 1), None),
]


@pytest.mark.parametrize("start, end", RANGES)
def test_figures_from_the_tallies_equal_counts_from_the_petitions(db, petitions, start, end):
    Petition.update(status="accepted", closed_at=None).where(every(9)).execute()  # after the insert
    measured = statistics.grouped(start, end, DIMENSIONS)
    counted = statistics._grouped(start, end, DIMENSIONS, statistics.MEASURES)
    assert measured == +counted
    assert measured or end - start < dt.timedelta(days=2)  # only the day may be empty
    for measure in statistics.MEASURES:
        assert statistics.total(measure, start, end) == statistics._count(measure, start, end)


def test_a_month_split_into_whole_months_and_edges():
    first, last, edges = statistics.split(dt.datetime(2025, 2, 10), dt.datetime(2025, 11, 3))
    assert (first, last) == (202503, 202510)
    assert edges == [(dt.datetime(2025, 2, 10), dt.datetime(2025, 3, 1)),
                     (dt.datetime(2025, 11, 1), dt.datetime(2025, 11, 3))]
    assert statistics.split(dt.datetime(2025, 12, 1), dt.datetime(2026, 1, 1)) == (202512, 202512, [])
    assert statistics.split(dt.datetime(2025, 12, 5), dt.datetime(2025, 12, 9))[:2] == (None, None)
    assert statistics.split(dt.datetime(2025, 12, 5), None) == (
        202601, None, [(dt.datetime(2025, 12, 5), dt.datetime(2026, 1, 1))])


def test_an_upgraded_database_counts_the_petitions_it_holds(db, petitions):
    kept = tally_rows()
    tallies.uninstall(db)  # as before version 7
    schema.SchemaVersion.update(version=6).execute()
    assert schema.upgrade(db) == (6, schema.LATEST)
    assert tally_rows() == kept
    Petition.update(status="void").where(every(3)).execute()  # and its triggers count on
    assert tally_rows() == fresh_count(db)
