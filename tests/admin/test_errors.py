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
