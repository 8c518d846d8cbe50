"""文书措辞: versions of a kind's wording (append-only, audited, revert to any or to the built-in) and the sandbox
that refuses, at save, what a wording may not do, naming the line."""
import pytest

from admin_app.letters import sandbox, wording as letter_wording
from models import wording as versions
from models.audit import AuditEntry
from models.errors import NotAllowed, ValidationError
from models.wording import LetterWording

KIND = "acceptance_notice"
GOOD = "你于{{ 收到日期 }}提出的“{{ 信访事项 }}”已受理。\n{% if 信访人 %}{{ 信访人 }}，{% endif %}特此告知。"


@pytest.fixture
def clerk(db):
    from models.people import User

    user = User(username="wording_admin", display_name="管理员", role="admin")
    user.set_password("correct-horse-1")
    user.save()
    return user


@pytest.fixture
def app(db, db_url):
    from admin_app import create_app

    return create_app({"DATABASE_URL": db_url, "SECRET_KEY": "test-secret", "TESTING": True})


def save(source, by, **kwargs):
    return versions.save(KIND, source, by, check=letter_wording.check, **kwargs)


def test_each_save_is_a_new_version_in_force_and_audited(clerk):
    assert versions.current(KIND) is None  # never edited: the built-in default
    first = save(GOOD, clerk, note="第一稿", expected=0)
    second = save(GOOD + "\n此致", clerk, expected=1)
    assert (first.number, second.number) == (1, 2)
    assert versions.current(KIND).id == second.id
    assert [v.number for v in versions.history(KIND)] == [2, 1]
    entries = AuditEntry.select().where(AuditEntry.model == "letter_wording").order_by(AuditEntry.id)
    assert [e.record_id for e in entries] == [first.id, second.id]
    assert "第一稿" in entries[0].after


def test_a_saved_version_is_never_changed(clerk):
    first = save(GOOD, clerk)
    first.source = "改了"
    with pytest.raises(NotAllowed):
        first.save()
    assert LetterWording.get_by_id(first.id).source == GOOD


def test_a_save_on_a_stale_editor_writes_nothing(clerk):
    save(GOOD, clerk, expected=0)
    with pytest.raises(NotAllowed):
        save(GOOD + "\n又改", clerk, expected=0)  # opened before version 1 was saved
    assert LetterWording.select().count() == 1


def test_revert_to_an_earlier_version_and_to_the_built_in_are_new_versions(clerk):
    save(GOOD, clerk)
    save(GOOD + "\n此致", clerk)
    back = versions.revert(KIND, 1, clerk, check=letter_wording.check, note="退回第1版")
    assert (back.number, back.source, back.restores) == (3, GOOD, 1)
    builtin = versions.revert(KIND, 0, clerk, check=letter_wording.check)
    assert (builtin.number, builtin.source, builtin.restores) == (4, None, 0)
    assert versions.current(KIND).is_builtin
    with pytest.raises(ValidationError):
        versions.revert(KIND, 0, clerk, check=letter_wording.check)  # already the built-in
    with pytest.raises(ValidationError):
        versions.revert(KIND, 9, clerk, check=letter_wording.check)
    assert LetterWording.select().count() == 4


def test_an_unchanged_or_empty_wording_is_not_saved(clerk):
    save(GOOD, clerk)
    for source in (GOOD, "  \n"):
        with pytest.raises(ValidationError):
            save(source, clerk)
    assert LetterWording.select().count() == 1


def refusal(source):
    with pytest.raises(ValidationError) as refused:
        letter_wording.check(KIND, source)
    err = refused.value
    return err.params.get("line"), err.message % err.params


@pytest.mark.parametrize("source, line, says", [
    pytest.param("第一行\n{% for x in 信访人 %}{{ x }}{% endfor %}", 2, "{% for %}", id="loop"),
    pytest.param("{{ 信访人.__class__ }}", 1, ".__class__", id="attribute"),
    pytest.param("一\n二\n{{ 信访人['x'] }}", 3, "[ ]", id="item"),
    pytest.param("{% include 'letters/base.html' %}", 1, "{% include %}", id="include"),
    pytest.param("{% import 'letters/base.html' as x %}", 1, "{% import %}", id="import"),
    pytest.param("{% extends 'letters/base.html' %}", 1, "{% extends %}", id="extends"),
    pytest.param("{% macro m() %}{% endmacro %}", 1, "{% macro %}", id="macro"),
    pytest.param("一\n{% set a = 信访人 %}", 2, "{% set %}", id="set"),
    pytest.param("一\n二\n{{ 信访人姓名 }}", 3, "信访人姓名", id="unknown-field"),
    pytest.param("{{ range(10) }}", 1, "( )", id="call"),
    pytest.param("{{ 信访人 * 1000 }}", 1, "*", id="repeat"),
    pytest.param("{{ 信访人|upper }}", 1, "|upper", id="filter"),
    pytest.param("一\n{% if 信访人 %}没有结束", 2, "endif", id="unclosed-if"),
    pytest.param("一\n{{ 信访人 }", 2, "}}", id="syntax"),
    pytest.param("一\n二\n" + "{{ 信访请求 }}" * 130, 3, "longer than", id="too-long-output"),
])
def test_the_sandbox_refuses_with_the_line(source, line, says):
    found, message = refusal(source)
    assert found == line and says in message


def test_the_refusal_reads_in_chinese_with_the_line(app):
    from admin_app import i18n

    with app.test_request_context("/"):
        with pytest.raises(ValidationError) as refused:
            letter_wording.check(KIND, "一\n二\n{{ 信访人姓名 }}")
        assert i18n.error_message(refused.value) == "第3行：未知的字段“信访人姓名”"


def test_a_refused_wording_writes_nothing(clerk):
    with pytest.raises(ValidationError):
        save("{{ 信访人.__class__.__mro__ }}", clerk)
    assert LetterWording.select().count() == 0 and not AuditEntry.select().where(
        AuditEntry.model == "letter_wording").exists()


def test_a_too_long_source_is_refused():
    with pytest.raises(ValidationError):
        versions.save(KIND, "字" * (versions.MAX_SOURCE + 1), None, check=lambda kind, source: None)


def test_the_fields_are_plain_strings_and_nothing_else_is_seen():
    assert sandbox.render("{{ 信访人 }}{{ 甲 if 信访人 == '刘某' else '否' }}", {"信访人": "刘某", "甲": "是"}) == "刘某是"
    with pytest.raises(ValidationError):
        sandbox.render("{{ petition }}", {"信访人": "刘某"})  # the context's records are not fields


def test_the_output_cap_names_the_line_where_it_is_passed():
    with pytest.raises(ValidationError) as refused:
        sandbox.render("开头\n{{ 甲 }}\n{{ 甲 }}\n{{ 甲 }}\n结尾", {"甲": "字" * 15000})
    assert refused.value.params["line"] == 4  # 20000 more than the value: passed at its third time
    assert sandbox.render("{{ 甲 }}", {"甲": "字" * 50000}) == "字" * 50000  # a long petition printed once
