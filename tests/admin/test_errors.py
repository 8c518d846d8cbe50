"""Bad URLs get Chinese pages, never a 500."""
import pytest


def test_an_unknown_page_is_a_chinese_404(client, login_as):
    login_as("staff")
    response = client.get("/admin/no-such-screen/")
    assert response.status_code == 404
    assert "页面或记录不存在。" in response.get_data(as_text=True)


@pytest.mark.parametrize("record_id", ["999999", "abc", "-1", "1.5"])
def test_a_record_that_does_not_exist_is_a_chinese_404(client, login_as, record_id):
    login_as("staff")
    for screen in ("petition", "petitioner", "department"):
        response = client.get("/admin/%s/details/?id=%s" % (screen, record_id))
        assert response.status_code == 404
        assert "页面或记录不存在。" in response.get_data(as_text=True)
        assert client.get("/admin/%s/edit/?id=%s" % (screen, record_id)).status_code == 404


@pytest.mark.parametrize("query", ["sort=99", "sort=3", "sort=-1", "sort=abc", "flt9_99=x", "flt0_0=nonsense",
                                   "flt2_2=abc", "flt6_6=2022-13-45", "page=-5", "page=99999", "search=%25%27%22"])
def test_odd_list_urls_never_fail(client, login_as, make_petition, query):
    login_as("staff")
    make_petition()
    response = client.get("/admin/petition/?" + query)
    assert response.status_code == 200
    assert "信访事项" in response.get_data(as_text=True)


# -- a page beyond any list, NUL characters, log lines (the security issue's point 16) -------------------------

import io  # noqa: E402
import logging  # noqa: E402

from tests.admin.helpers import csrf_token  # noqa: E402


def list_endpoints(app):
    return [endpoint for endpoint, view in app.extensions["office_views"].items() if hasattr(view, "get_list")]


def test_a_page_beyond_any_list_is_a_chinese_400_on_every_list(app, client, login_as, make_petition):
    login_as("admin")
    make_petition()
    endpoints = list_endpoints(app)
    assert len(endpoints) >= 10
    for endpoint in endpoints:
        for page in ("99999999999999999999", "1000001"):
            response = client.get("/admin/%s/?page=%s" % (endpoint, page))
            assert response.status_code == 400, endpoint
            assert "列表没有第 %s 页。" % page in response.get_data(as_text=True), endpoint
        assert client.get("/admin/%s/?page=99999" % endpoint).status_code == 200, endpoint  # far, but a page


def test_a_nul_in_a_search_is_a_chinese_400_on_every_list(app, client, login_as, make_petition):
    login_as("admin")
    make_petition()
    for endpoint in list_endpoints(app):
        for query in ("search=%E7%8E%8B%00", "flt0_0=%00", "sort=0%00", "x%00=1"):
            response = client.get("/admin/%s/?%s" % (endpoint, query))
            assert response.status_code == 400, (endpoint, query)
            assert "请求中含有空字符（NUL）" in response.get_data(as_text=True)


def test_a_nul_in_a_form_or_a_file_name_is_refused_before_the_view(client, login_as, db):
    from models.organisation import Department
    from models.people import Petitioner

    login_as("staff")
    page = client.get("/admin/petitioner/new/").get_data(as_text=True)
    response = client.post("/admin/petitioner/new/", data={"csrf_token": csrf_token(page), "name": "王\x00五"})
    assert response.status_code == 400 and "请求中含有空字符（NUL）" in response.get_data(as_text=True)
    assert Petitioner.select().count() == 0
    page = client.get("/admin/petition_import/").get_data(as_text=True)
    response = client.post("/admin/petition_import/upload/", data={
        "csrf_token": csrf_token(page), "file": (io.BytesIO(b"a,b\n"), "x\x00.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 400 and "请求中含有空字符（NUL）" in response.get_data(as_text=True)
    assert client.get("/admin/department/%00/").status_code == 400
    assert Department.select().count() == 0


def test_a_path_with_control_characters_forges_no_log_line(client, login_as, caplog):
    login_as("staff")
    caplog.set_level(logging.INFO)
    forged = "127.0.0.1 - - [05/Dec/2026 08:00:00] \"GET /admin/ HTTP/1.1\" 200 -"
    response = client.get("/admin/petition/%00%0A" + forged.replace(" ", "%20").replace('"', "%22"))
    assert response.status_code == 400
    assert caplog.records and all("\n" not in r.getMessage() and "\x00" not in r.getMessage()
                                  for r in caplog.records)
    assert not any(line.startswith(forged) for line in caplog.text.splitlines())
    assert "\\x00\\n" + forged in caplog.text  # the path, escaped, on the refusal's own line


@pytest.mark.parametrize("message, args, logged", [
    ("saving %s failed", ("a\nFORGED",), "saving a\\nFORGED failed"),
    ("%s", ("\r\x1b[31mred\u2028line",), "\\r\\x1b[31mred\\u2028line"),
    ("petitioner %s", ("13800001234\n",), "petitioner 138****1234\\n"),
])
def test_every_log_record_is_one_line_with_its_control_characters_escaped(app, caplog, message, args, logged):
    caplog.set_level(logging.INFO)
    for name in ("admin_app.views.base", "models.imports.hotline", "waitress", "werkzeug"):
        logging.getLogger(name).warning(message, *args)
    assert [r.getMessage() for r in caplog.records] == [logged] * 4
