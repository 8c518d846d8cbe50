"""The petitioner's page (views/petitions/person_record.py): the person's petitions, 12345 tickets and visit logs
under the viewer's row scope; 初件/重件 on the petition list, its page (同一事项, linked by hand) and the home page;
the labels a person reads (姓名, no Id) and the filters' help line."""
import datetime as dt
import re

import pytest

from models import workflow
from models.audit import AuditEntry
from models.casework import Referral, VisitLog
from models.hotline import HotlineTicket
from models.organisation import Category, Department
from models.petition import Petition
from models.workflow import repeats
from models.workflow.repeats import SameMatter

from tests.admin.helpers import alerts, csrf_token, english_words, log_out, visible_text
from tests.admin.test_excel import csv_rows, filter_arg

NUMBER = re.compile(r"XF-\d{4}-\d{6}")


@pytest.fixture
def person(db, make_petitioner, make_petition):
    """刘某: three petitions about land (the last 重件: 5 months after the second; the second 21 months after the
    first), one about wages, a ticket and two visit logs; and
    someone else's petition."""
    land, wages = Category.create(name="土地纠纷"), Category.create(name="劳资纠纷")
    liu = make_petitioner(name="刘某某")
    petitions = [make_petition(petitioner=liu, category=category, received_at=received, subject=subject)
                 for category, received, subject in (
                     (land, dt.datetime(2021, 3, 1, 9), "宅基地边界纠纷"),
                     (land, dt.datetime(2022, 12, 9, 9, 30), "宅基地及共用道路纠纷"),
                     (wages, dt.datetime(2023, 2, 1, 9), "工程款拖欠"),
                     (land, dt.datetime(2023, 5, 1, 9), "共用道路再次被堵"))]
    Petition.update(status="closed").where(Petition.id == petitions[1].id).execute()
    other = make_petition(petitioner=make_petitioner(name="孙某"), category=land, subject="他人的事项")
    ticket = HotlineTicket.create(number="12345-2023-00009", called_at=dt.datetime(2023, 4, 2, 10), caller="刘某某",
                                  content="来电反映道路被堵", petition=petitions[3])
    visits = [VisitLog.create(visited_at=dt.datetime(2022, 12, 9, 10), kind="reception", place="高桥镇矛调中心",
                              petition=petitions[1], petitioner=liu, summary="巡回接访。"),
              VisitLog.create(visited_at=dt.datetime(2023, 1, 5, 10), kind="reception", place="县信访局",
                              petitioner=liu, summary="来访咨询。")]
    return {"liu": liu, "petitions": petitions, "other": other, "ticket": ticket, "visits": visits, "land": land}


def page_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def section(page, kind):
    """The rows of a list of the person's record: [(link, [cells])], and its title."""
    title = re.search(r'id="%s-title">(.*?)</h5>' % kind, page)
    table = re.search(r'(?s)<table[^>]*id="person-%s".*?</table>' % kind, page)
    rows = []
    for row in re.findall(r"(?s)<tr>(.*?)</tr>", table.group(0) if table else "")[1:]:
        link = re.search(r'href="([^"]+)"', row).group(1).replace("&amp;", "&")
        rows.append((link, [" ".join(visible_text(c).split()) for c in re.findall(r"(?s)<td[^>]*>(.*?)</td>", row)]))
    return (visible_text(title.group(1)) if title else None), rows


def test_the_page_lists_the_persons_petitions_tickets_and_visits_each_counted_and_linked(client, login_as, person):
    login_as("staff")
    page = page_of(client, "/admin/petitioner/details/?id=%d" % person["liu"].id)
    title, rows = section(page, "petitions")
    assert title == "信访事项（共 4 条）"
    petitions = person["petitions"]
    assert [cells[0] for _, cells in rows] == [p.number for p in reversed(petitions)]  # newest first
    assert rows[2][1] == [petitions[1].number, "2022年12月9日", "宅基地及共用道路纠纷", "已办结", "初件"]
    assert rows[0][1][1:] == ["2023年5月1日", "共用道路再次被堵", "登记", "重件"]
    assert [link for link, _ in rows] == ["/admin/petition/details/?id=%d" % p.id for p in reversed(petitions)]
    assert person["other"].number not in page

    title, rows = section(page, "tickets")
    assert title == "12345工单（共 1 条）"
    assert rows == [("/admin/hotlineticket/details/?id=%d" % person["ticket"].id,
                     ["12345-2023-00009", "2023年4月2日", "来电反映道路被堵", ""])]
    title, rows = section(page, "visits")
    assert title == "接访记录（共 2 条）"
    assert [link for link, _ in rows] == ["/admin/visitlog/details/?id=%d" % v.id for v in reversed(person["visits"])]
    assert rows[1][1][:4] == ["2022年12月9日", "接访", "高桥镇矛调中心", petitions[1].number]
    for link, _ in rows:
        assert client.get(link).status_code == 200
    assert english_words(page, data=("staff",)) == []  # the username in the layout


def test_a_representative_sees_only_what_its_lists_show(client, login_as, person):
    user = login_as("representative")
    mine = person["petitions"][1]
    Petition.update(lead_representative=user.representative_id).where(Petition.id == mine.id).execute()
    page = page_of(client, "/admin/petitioner/details/?id=%d" % person["liu"].id)
    title, rows = section(page, "petitions")
    assert title == "信访事项（共 1 条）" and [cells[0] for _, cells in rows] == [mine.number]
    listed = set(NUMBER.findall(page_of(client, "/admin/petition/")))
    assert listed == {mine.number}
    assert section(page, "tickets") == (None, [])  # the 12345 list is not the representative's
    title, rows = section(page, "visits")  # the visit about its petition; not the one without a petition
    assert title == "接访记录（共 1 条）" and rows[0][0] == "/admin/visitlog/details/?id=%d" % person["visits"][0].id
    assert client.get("/admin/petitioner/details/?id=%d" % person["other"].petitioner_id).status_code == 404


def test_a_department_does_not_open_petitioners(client, login_as, person):
    user = login_as("department")
    Referral.create(petition=person["petitions"][3], department=user.department_id, kind="referral",
                    sent_at=dt.datetime(2023, 5, 2, 9))
    assert client.get("/admin/petitioner/details/?id=%d" % person["liu"].id).status_code == 403
    page = page_of(client, "/admin/petition/details/?id=%d" % person["petitions"][3].id)
    assert "/admin/petitioner/details/" not in page  # the name, without a link it may not follow
    assert "刘某某" in visible_text(page)


def test_the_petition_page_links_back_to_its_petitioner(client, login_as, person):
    login_as("staff")
    petition = person["petitions"][3]
    page = page_of(client, "/admin/petition/details/?id=%d" % petition.id)
    assert 'href="/admin/petitioner/details/?id=%d"' % person["liu"].id in page
    list_page = page_of(client, "/admin/petition/")
    assert 'href="/admin/petitioner/details/?id=%d"' % person["liu"].id in list_page


def test_the_person_is_labelled_with_a_full_name_and_no_page_shows_an_id(app, client, login_as, person):
    login_as("admin")
    liu = person["liu"]
    pages = ["/admin/petitioner/", "/admin/petitioner/new/", "/admin/petitioner/details/?id=%d" % liu.id,
             "/admin/petitioner/edit/?id=%d" % liu.id]
    for url in pages:
        shown = visible_text(page_of(client, url))
        assert "姓名" in shown and "名称" not in shown, url
    header = csv_rows(client.get("/admin/petitioner/export/csv/"))[0]
    assert header[0] == "姓名" and "名称" not in header
    for endpoint, view in app.extensions["office_views"].items():
        record = view.model.select().first()
        urls = ["/admin/%s/" % endpoint, "/admin/%s/new/" % endpoint]
        if record is not None:
            urls += ["/admin/%s/details/?id=%d" % (endpoint, record.id), "/admin/%s/edit/?id=%d" % (endpoint, record.id)]
        for url in urls:
            response = client.get(url)
            if response.status_code == 200:
                assert not re.search(r"(?<![A-Za-z])(Id|ID)(?![A-Za-z])", visible_text(
                    response.get_data(as_text=True))), url


def test_filters_say_what_they_do(app, client, login_as, person):
    login_as("admin")
    listing = visible_text(page_of(client, "/admin/petitioner/"))
    assert "添加筛选器" in listing and "只显示同时满足全部条件的记录" in listing
    details = visible_text(page_of(client, "/admin/petitioner/details/?id=%d" % person["liu"].id))
    assert "筛选器" in details and "本页只显示含有这些字的项目" in details
    bare = [e for e, view in app.extensions["office_views"].items() if not view._filters]
    assert bare  # a list without filters has neither the box nor the line
    for endpoint in bare:
        shown = visible_text(page_of(client, "/admin/%s/" % endpoint))
        assert "添加筛选器" not in shown and "只显示同时满足全部条件" not in shown


def test_the_petition_list_filters_and_marks_first_and_repeat_petitions(app, client, login_as, person):
    login_as("staff")
    petitions = person["petitions"]
    arg = filter_arg(app, "petition", Petition.is_repeat)
    repeated = set(NUMBER.findall(page_of(client, "/admin/petition/?%s=1" % arg)))
    first = set(NUMBER.findall(page_of(client, "/admin/petition/?%s=0" % arg)))
    assert repeated == {petitions[3].number}
    assert first == {petitions[0].number, petitions[1].number, petitions[2].number, person["other"].number}
    page = page_of(client, "/admin/petition/")
    row = re.search(r"(?s)<tr>(?:(?!</tr>).)*%s.*?</tr>" % petitions[3].number, page).group(0)
    assert "重件" in visible_text(row)
    assert "初件/重件" in visible_text(page)


def test_the_home_page_counts_first_and_repeat_petitions_of_its_period(client, login_as, person):
    login_as("staff")
    page = page_of(client, "/admin/?period=year&year=2023")
    counts = {key: visible_text(re.search(r'(?s)id="count-%s">(.*?)</span>' % key, page).group(1)) for key in (
        "first", "repeat")}
    assert counts == {"first": "初件 1", "repeat": "重件 1"}  # 2023: 工程款拖欠 初件, 共用道路再次被堵 重件
    link = re.search(r'(?s)id="count-repeat">.*?href="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert set(NUMBER.findall(page_of(client, link))) == {person["petitions"][3].number}


def same_matter_form(page):
    """The action and the fields of the petition page's link form."""
    form = re.search(r'(?s)<form method="post" action="([^"]+)"[^>]*id="same-matter-link">(.*?)</form>', page)
    options = re.findall(r'<option value="(\d+)">', form.group(2))
    return form.group(1).replace("&amp;", "&"), csrf_token(form.group(2)), options


def test_a_clerk_links_and_unlinks_the_same_matter_audited(client, login_as, person):
    staff = login_as("staff")
    petitions = person["petitions"]
    wages = petitions[2]
    url = "/admin/petition/details/?id=%d" % wages.id
    action, token, options = same_matter_form(page_of(client, url))
    assert set(options) == {str(p.id) for p in petitions if p.id != wages.id}  # only the same person's
    assert Petition.get_by_id(wages.id).is_repeat is False

    response = client.post(action, data={"csrf_token": token, "operation": "link", "other": petitions[0].id},
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "已与 %s 关联为同一事项。" % petitions[0].number in alerts(page)
    assert Petition.get_by_id(wages.id).is_repeat is True
    assert re.search(r'(?s)id="same-matter".*?%s' % petitions[0].number, page)
    entry = AuditEntry.select().order_by(AuditEntry.id.desc()).first()
    assert (entry.action, entry.model, entry.user_id) == ("create", "same_matter", staff.id)
    linked_entry = entry

    response = client.post(action, data={"csrf_token": token, "operation": "unlink", "other": petitions[0].id},
                           follow_redirects=True)
    assert "已取消与 %s 的同一事项关联。" % petitions[0].number in alerts(response.get_data(as_text=True))
    assert Petition.get_by_id(wages.id).is_repeat is False
    entry = AuditEntry.select().order_by(AuditEntry.id.desc()).first()
    assert (entry.action, entry.model, entry.user_id) == ("delete", "same_matter", staff.id)
    log_out(client)
    login_as("admin", username="auditor")
    audit_page = page_of(client, "/admin/audit/details/?id=%d" % linked_entry.id)  # in Chinese, by its labels
    shown = visible_text(audit_page)
    assert "同一事项" in shown and "关联的信访事项" in shown and petitions[0].number in shown
    assert english_words(audit_page, data=("auditor", "staff")) == []


def test_linking_another_persons_petition_or_itself_is_refused_in_chinese(client, login_as, person):
    login_as("staff")
    wages = person["petitions"][2]
    action, token, _ = same_matter_form(page_of(client, "/admin/petition/details/?id=%d" % wages.id))
    entries = AuditEntry.select().count()
    for other, message in ((person["other"].id, "只有同一信访人的信访事项才能关联为同一事项。"),
                           (wages.id, "信访事项不能与自身关联为同一事项。")):
        response = client.post(action, data={"csrf_token": token, "operation": "link", "other": other},
                               follow_redirects=True)
        assert response.status_code == 200 and message in alerts(response.get_data(as_text=True))
    response = client.post(action, data={"operation": "link", "other": person["petitions"][0].id},
                           follow_redirects=True)  # no CSRF token
    assert "表单已过期，请重新提交。" in alerts(response.get_data(as_text=True))
    assert SameMatter.select().count() == 0 and AuditEntry.select().count() == entries


def test_only_the_office_links_petitions(client, login_as, person):
    user = login_as("representative")
    wages = person["petitions"][2]
    Petition.update(lead_representative=user.representative_id).where(Petition.id.in_(
        [p.id for p in person["petitions"]])).execute()
    page = page_of(client, "/admin/petition/details/?id=%d" % wages.id)
    assert 'id="same-matter-link"' not in page
    response = client.post("/admin/petition/same-matter/?id=%d" % wages.id,
                           data={"csrf_token": csrf_token(page), "operation": "link",
                                 "other": person["petitions"][0].id})
    assert response.status_code == 403 and SameMatter.select().count() == 0
