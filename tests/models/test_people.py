"""People: passwords and accounts, petitioners, representatives, and what points to a department."""
import pytest

from models.errors import ValidationError
from models.organisation import Department
from models.people import Petitioner, Representative, Team, User, check_password_strength
from models.petition import Petition


def make_user(password="ten-chars!", **fields):
    user = User(username=fields.pop("username", "staff1"), display_name="接访员", **fields)
    user.set_password(password)
    user.save()
    return user


@pytest.mark.parametrize("password", [
    pytest.param("a1b2c3d4e", id="9-chars"),
    pytest.param("1234567890", id="10-digits"),
    pytest.param("12345678901234", id="14-digits"),
    pytest.param("", id="empty"),
    pytest.param(None, id="none"),
])
def test_weak_password_is_refused(password):
    with pytest.raises(ValidationError) as error:
        check_password_strength(password)
    assert error.value.field == "password"


@pytest.mark.parametrize("password", [
    pytest.param("a1b2c3d4e5", id="10-chars"),
    pytest.param("信访局接访室密码口令", id="10-chinese-chars"),
    pytest.param("123456789x", id="digits-and-a-letter"),
])
def test_password_of_10_characters_not_all_digits_is_accepted(password):
    check_password_strength(password)


def test_weak_password_leaves_the_stored_hash_unchanged(db):
    user = make_user()
    with pytest.raises(ValidationError):
        user.set_password("short")
    assert user.check_password("ten-chars!")


def test_check_password_accepts_only_the_password_set(db):
    user = User.get_by_id(make_user("correct horse").id)
    assert user.check_password("correct horse")
    assert not user.check_password("Correct horse")
    assert not user.check_password("")
    assert not user.check_password(None)
    assert "correct horse" not in user.password_hash


def test_user_without_password_is_refused(db):
    with pytest.raises(ValidationError) as error:
        User.create(username="nopass", display_name="无密码")
    assert error.value.field == "password"


def test_department_user_needs_a_department(db):
    with pytest.raises(ValidationError) as error:
        make_user(role="department")
    assert error.value.field == "department"
    department = Department.create(name="县自然资源局", kind="county")
    assert make_user(role="department", department=department).department == department


def test_representative_user_needs_a_representative(db):
    with pytest.raises(ValidationError) as error:
        make_user(role="representative")
    assert error.value.field == "representative"


def test_unknown_role_is_refused(db):
    with pytest.raises(ValidationError) as error:
        make_user(role="superuser")
    assert error.value.field == "role"


def test_display_name_defaults_to_username(db):
    user = User(username="  clerk  ", display_name="")
    user.set_password("ten-chars!")
    user.save()
    assert (user.username, user.display_name) == ("clerk", "clerk")


def test_petitioner_id_number_and_phone_are_normalised(make_petitioner):
    petitioner = make_petitioner(id_number="11010519491231002x", phone="+86 138 1234 5678")
    stored = Petitioner.get_by_id(petitioner.id)
    assert (stored.id_number, stored.phone) == ("11010519491231002X", "13812345678")


def test_petitioner_with_invalid_id_number_is_refused(make_petitioner):
    with pytest.raises(ValidationError) as error:
        make_petitioner(id_number="110105194912310021")
    assert error.value.field == "id_number"
    assert not Petitioner.select().exists()


def test_petitioner_without_id_number_or_phone_is_accepted(make_petitioner):
    petitioner = make_petitioner(id_number="", phone="")
    assert (petitioner.id_number, petitioner.phone) == (None, None)


def test_petitioner_town_must_be_a_town(db, make_petitioner):
    county = Department.create(name="县民政局", kind="county")
    with pytest.raises(ValidationError) as error:
        make_petitioner(town=county)
    assert error.value.field == "town"


def test_petitioner_is_shown_with_alias(make_petitioner):
    assert str(make_petitioner(name="刘某某", alias="刘某")) == "刘某某（刘某）"
    assert str(make_petitioner(name="王秀英")) == "王秀英"


def test_representative_belongs_to_a_team(db):
    team = Team.get(Team.code == "reasonable_claims")
    Representative.create(name="王春月", kind="npc_deputy", team=team, phone="139 0635 1234")
    assert [rep.name for rep in team.representatives] == ["王春月"]
    assert team.representatives[0].phone == "13906351234"


def test_representative_with_bad_phone_is_refused(db):
    with pytest.raises(ValidationError):
        Representative.create(name="李明华", kind="cppcc_member", phone="12345")


def test_department_dependants_list_its_petitions(make_petition, make_town):
    town = make_town(name="高桥镇")
    make_petition(town=town)
    make_petition(town=town)
    assert dict(town.dependants()) == {Petition: 2}


def test_department_without_records_has_no_dependants(make_town):
    assert make_town().dependants() == []


def test_department_dependants_list_residents_users_and_children(db, make_petitioner, make_town):
    town = make_town(name="城关街道")
    make_petitioner(town=town)
    Department.create(name="城关街道东关社区", kind="other", parent=town)
    make_user(role="department", department=town)
    assert dict(town.dependants()) == {Petitioner: 1, Department: 1, User: 1}


def test_petitioner_dependants_count_petitions_and_co_petitions(make_petition, make_petitioner):
    from models.petition import CoPetitioner

    main, other = make_petitioner(), make_petitioner()
    petition = make_petition(petitioner=main)
    CoPetitioner.create(petition=petition, petitioner=other)
    assert dict(main.dependants()) == {Petition: 1}
    assert dict(other.dependants()) == {CoPetitioner: 1}


def test_petition_parts_do_not_block_its_deletion(make_petition, make_petitioner):
    from models.petition import CoPetitioner

    petition = make_petition()
    CoPetitioner.create(petition=petition, petitioner=make_petitioner())
    assert petition.dependants() == []


def test_department_cannot_be_its_own_parent(make_town):
    town = make_town()
    town.parent = town.id
    with pytest.raises(ValidationError) as error:
        town.save()
    assert error.value.field == "parent"
