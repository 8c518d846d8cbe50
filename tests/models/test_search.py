"""The fast search finds exactly what a plain scan (LIKE '%word%') finds: on generated text, for every kind of
piece (2, 3 and 5 characters, from subjects, contents and names), after edits and deletes, and after an
upgrade of a database that had no index yet."""
import random

import pytest
from peewee import PostgresqlDatabase

from models import schema
from models.reports import search
from models.people import Petitioner
from models.petition import Petition

# A small alphabet, so that pieces recur across petitions and across the boundaries of phrases.
ALPHABET = "宅基地纠纷邻居道路拖欠工资补贴村委会镇政府信访人反映要求解决王李张刘芳华明，。、"


def text(rng, low, high):
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(low, high)))


@pytest.fixture
def archive(db, make_petitioner):
    """80 petitions of 30 petitioners, all from the small alphabet."""
    rng = random.Random(20221209)
    people = [make_petitioner(name=text(rng, 2, 3), alias=rng.choice([None, text(rng, 2, 2)])) for _ in range(30)]
    for _ in range(80):
        Petition.create(channel="visit", received_at=Petition.received_at.python_value("2022-12-09 09:30:00"),
                        petitioner=rng.choice(people), subject=text(rng, 4, 12), content=text(rng, 20, 80))
    return rng


def scanned(word):
    """What LIKE finds: the petitions whose subject, content, or petitioner's name or alias contains word."""
    like = "%" + word + "%"
    query = (Petition.select(Petition.id).join(Petitioner)
             .where(Petition.subject ** like | Petition.content ** like | Petitioner.name ** like
                    | Petitioner.alias ** like))
    return {pid for (pid,) in query.tuples()}


def found(word):
    return {pid for (pid,) in Petition.select(Petition.id).where(search.clause(word)).tuples()}


def pieces(rng, size, count=40):
    """Pieces of the stored texts, and a few that appear nowhere."""
    texts = [t for row in Petition.select(Petition.subject, Petition.content).tuples() for t in row]
    texts += [t for row in Petitioner.select(Petitioner.name, Petitioner.alias).tuples() for t in row if t]
    taken = []
    for _ in range(count):
        source = rng.choice([t for t in texts if len(t) >= size])
        start = rng.randrange(len(source) - size + 1)
        taken.append(source[start:start + size])
    return taken + ["无此" * size][:1] + ["".join(rng.choice("甲乙丙丁") for _ in range(size))]


def check(rng):
    for size in (2, 3, 5):
        for word in pieces(rng, size):
            assert found(word) == scanned(word), word


def test_every_piece_finds_what_a_scan_finds(archive):
    check(archive)


def test_also_after_edits_and_deletes(archive):
    rng = archive
    petitions = list(Petition.select())
    for petition in petitions[:20]:
        petition.content = text(rng, 20, 80)
        petition.save()
    Petition.update(subject="宅基地界址纠纷").where(Petition.id.in_([p.id for p in petitions[20:30]])).execute()
    for person in Petitioner.select().limit(10):
        person.name, person.alias = text(rng, 2, 3), None
        person.save()
    Petition.delete().where(Petition.id.in_([p.id for p in petitions[30:40]])).execute()
    check(rng)
    assert found("宅基地界址") == scanned("宅基地界址") and len(found("宅基地界址")) >= 10


def test_a_name_of_two_characters_at_the_end_of_the_text_is_found(db, make_petition, make_petitioner):
    fang = make_petitioner(name="王芳")
    make_petition(petitioner=fang, subject="反映问题", content="要求解决")
    make_petition(subject="与王某无关", content="内容")
    assert {p.petitioner.name for p in Petition.select().where(search.clause("王芳"))} == {"王芳"}
    assert found("解决") == scanned("解决") != set()


def test_words_must_all_match_and_a_petition_number_is_found_by_its_index(db, make_petition):
    first = make_petition(subject="宅基地纠纷", content="邻居翻建房屋。")
    make_petition(subject="宅基地确权", content="要求确权。")
    assert found_all("宅基地 翻建") == {first.id}
    assert found_all(first.number) == {first.id}
    assert found_all(first.number[3:]) == {first.id}  # 2022-000001
    assert found_all("") == set(p.id for p in Petition.select())


def found_all(text):
    where = search.clause(text)
    query = Petition.select(Petition.id)
    return {pid for (pid,) in (query.where(where) if where is not None else query).tuples()}


def test_a_database_upgraded_from_version_5_finds_its_petitions(db, make_petition):
    if isinstance(db, PostgresqlDatabase):
        for name, *_ in search.POSTGRES_INDEXES:
            db.execute_sql("DROP INDEX IF EXISTS %s" % name)
    else:
        for statement in ("DROP TABLE petition_search_terms", "DROP TABLE petition_search",
                          "DROP VIEW petition_search_source"):
            db.execute_sql(statement)
        for name in ("petition_search_insert", "petition_search_delete", "petition_search_unindex",
                     "petition_search_reindex", "petitioner_search_unindex", "petitioner_search_reindex"):
            db.execute_sql("DROP TRIGGER %s" % name)
    for statement in schema.LIST_INDEXES:
        db.execute_sql("DROP INDEX IF EXISTS %s" % schema.index_name(statement))
    schema.SchemaVersion.update(version=5).execute()
    before = make_petition(subject="升级前的事项", content="升级前登记。")

    assert schema.upgrade(db) == (5, schema.LATEST)

    after = make_petition(subject="升级后的事项", content="升级后登记。")
    assert found("升级前") == {before.id} and found("升级后") == {after.id} and found("登记") == {before.id, after.id}
    indexes = {index.name for index in db.get_indexes("petition")}
    assert {"petition_newest", "petition_by_status", "petition_by_town"} <= indexes


def test_letters_are_found_in_either_case_and_chinese_as_typed(db, make_petition):
    """PostgreSQL: ILIKE for a word with letters, LIKE on the stored text for a word without case."""
    company = make_petition(subject="ABC公司拖欠工资", content="要求Abc公司支付。")
    make_petition(subject="其他事项", content="无关。")
    for word in ("abc公司", "ABC", "Abc公司支付", "公司拖欠"):
        assert found(word) == scanned(word) == {company.id}, word
    assert search.caseless("公司拖欠12，。") and not search.caseless("abc") and not search.caseless("ß")
