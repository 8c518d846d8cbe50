"""seed_demo(): a valid, deterministic demo county in an empty database, with the county's case of 刘某."""
import datetime as dt

import pytest
from werkzeug.security import generate_password_hash

from models import demo
from models.casework import PLACES, VISIT_KINDS, VisitLog
from models.errors import NotAllowed
from models.organisation import Category, Department
from models.people import REPRESENTATIVE_KINDS, Petitioner, Representative, User
from models.petition import CHANNELS, CLASSIFICATIONS, STATUSES, CoPetitioner, Petition
from models.validation import normalize_id_number, normalize_phone

TODAY = dt.date(2025, 6, 30)


@pytest.fixture
def admin(db):
    cheap_hash = generate_password_hash("demo-admin-password", method="pbkdf2:sha256:1000")  # speed, not safety
    return User.create(username="admin", display_name="管理员", role="admin", password_hash=cheap_hash)


@pytest.fixture
def counts(db, admin):
    return demo.seed_demo(admin_user=admin, today=TODAY)


def codes(choices):
    return {code for code, _ in choices}


def test_seed_fills_an_empty_database_with_a_county(counts):
    assert counts == {"department": 22, "category": 9, "representative": 20, "petitioner": 60, "petition": 100,
                      "co_petitioner": counts["co_petitioner"], "visit_log": 40,
                      "visit_representative": counts["visit_representative"]}
    assert counts["co_petitioner"] > 0 and counts["visit_representative"] >= 40
    assert Department.select().where(Department.kind == "town").count() == 12
    assert Department.get(Department.name == "县信访局").short_name == "高信访"
    assert [c.name for c in Category.select().order_by(Category.position)][0] == "土地宅基地"


def test_county_case_of_liu_is_a_roving_reception_on_9_december_2022(counts):
    liu = Petitioner.get(Petitioner.alias == "刘某")
    case = Petition.get(Petition.petitioner == liu)
    assert case.channel == "roving_reception"
    assert case.received_at == dt.datetime(2022, 12, 9, 9, 30)
    assert case.category.name == "土地宅基地"
    assert (case.status, case.classification) == ("registered", "unclassified")
    assert "宅基地" in case.subject and "道路" in case.subject
    visit = VisitLog.get(VisitLog.petition == case)
    assert (visit.kind, visit.visited_at) == ("reception", dt.datetime(2022, 12, 9, 9, 30))
    assert "王春月" in [present.representative.name for present in visit.representatives_present]


def test_every_petitioner_has_a_valid_id_number_and_phone(counts):
    for petitioner in Petitioner.select():
        assert normalize_id_number(petitioner.id_number, today=TODAY) == petitioner.id_number
        assert normalize_phone(petitioner.phone) == petitioner.phone


def test_petition_numbers_are_unique_and_follow_the_received_time_each_year(counts):
    petitions = list(Petition.select().order_by(Petition.received_at, Petition.id))
    assert len({p.number for p in petitions}) == len(petitions)
    for year in {p.received_at.year for p in petitions}:
        numbers = [p.number for p in petitions if p.received_at.year == year]
        assert numbers == ["XF-%d-%06d" % (year, i) for i in range(1, len(numbers) + 1)]


def test_nothing_happens_after_today(counts):
    end = dt.datetime.combine(TODAY, dt.time(23, 59))
    assert max(p.received_at for p in Petition.select()) <= end
    assert max(v.visited_at for v in VisitLog.select()) <= end
    assert min(p.received_at for p in Petition.select()) == dt.datetime(2022, 12, 9, 9, 30)


def test_visits_never_come_before_their_petition(counts):
    for visit in VisitLog.select().where(VisitLog.petition.is_null(False)):
        assert visit.visited_at >= visit.petition.received_at
        assert visit.petitioner_id == visit.petition.petitioner_id


def test_petitions_cover_every_channel_category_town_status_and_classification(counts):
    petitions = list(Petition.select())
    assert {p.channel for p in petitions} == codes(CHANNELS)
    assert {p.status for p in petitions} == codes(STATUSES)
    assert {p.classification for p in petitions} == codes(CLASSIFICATIONS)
    assert {p.category_id for p in petitions} == {c.id for c in Category.select()}
    assert {p.town_id for p in petitions} == {d.id for d in Department.select().where(Department.kind == "town")}
    assert {p.registered_by.username for p in petitions} == {"admin"}


def test_collective_petitions_count_their_people_and_name_up_to_5(counts):
    collective = list(Petition.select().where(Petition.is_collective == True))  # noqa: E712
    assert collective and all(p.head_count >= 2 for p in collective)
    assert all(1 + p.co_petitioners.count() <= 5 for p in collective)
    assert Petition.select().where(Petition.leader_in_charge.is_null(False)).count() >= 3


def test_classified_petitions_go_to_the_matching_team(counts):
    teams = {"reasonable": "reasonable_claims", "unreasonable": "unreasonable_claims",
             "hardship": "hardship_assistance"}
    for petition in Petition.select():
        assert (petition.team.code if petition.team else None) == teams.get(petition.classification)


def test_representatives_cover_the_three_kinds_and_teams(counts):
    reps = list(Representative.select())
    assert {rep.kind for rep in reps} == codes(REPRESENTATIVE_KINDS)
    assert len({rep.team_id for rep in reps if rep.team_id}) == 3
    assert "王春月" in [rep.name for rep in reps]


def test_visits_cover_every_kind_and_place(counts):
    visits = list(VisitLog.select())
    assert {v.kind for v in visits} == codes(VISIT_KINDS)
    assert set(PLACES) <= {v.place for v in visits}
    assert all(v.representatives_present.count() >= 1 for v in visits)


def test_seed_is_deterministic(recreate_db, counts):
    def snapshot():
        return [(p.number, p.received_at, p.subject, p.content, p.petitioner.id_number, p.status)
                for p in Petition.select().order_by(Petition.number)]

    first = snapshot()
    recreate_db()
    demo.seed_demo(today=TODAY)
    assert snapshot() == first


def test_seed_refuses_a_database_that_holds_data(counts):
    with pytest.raises(NotAllowed):
        demo.seed_demo(today=TODAY)
    assert Petition.select().count() == 100


def test_seed_writes_nothing_when_it_fails_half_way(db, monkeypatch):
    def broken(*args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(demo, "_visits", broken)
    with pytest.raises(RuntimeError):
        demo.seed_demo(today=TODAY)
    assert not Department.select().exists() and not Petition.select().exists()
    assert not CoPetitioner.select().exists()


def test_seed_defaults_to_today(db):
    assert demo.seed_demo()["petition"] == 100
    assert Petition.select().where(Petition.registered_by.is_null()).count() == 100


@pytest.mark.parametrize("today", [
    pytest.param(dt.date(2022, 12, 8), id="before-the-county-case"),
    pytest.param(dt.date.today() + dt.timedelta(days=1), id="tomorrow"),
])
def test_seed_refuses_a_today_it_cannot_honour(db, today):
    with pytest.raises(ValueError):
        demo.seed_demo(today=today)
    assert not Department.select().exists()
