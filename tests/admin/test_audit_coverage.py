"""Every write leaves a trace: each write endpoint of the app, read from the app itself (every POST route of
app.url_map, each action of every registered view, every flask command), is exercised on the demo county, and
every row it created, changed or deleted must have an audit entry of that request (model = the row's table,
record id = its id; for the parts of a record, its parent's entry). A route or command that genuinely writes
nothing auditable is listed in NOT_WRITING with the reason. A new write endpoint fails here until it has a
scenario below (and then until it is audited)."""
import datetime as dt
import io
import re

import pytest
from peewee import BlobField

from admin_app import permissions
from models import schema, workflow
from models.audit import AuditEntry
from models.casework import Consultation, DutyShift, FollowUp, Mediation, Referral, VisitLog
from models.delivery import Delivery
from models.documents import Document
from models.hotline import ApiClient, FlagDismissal, HotlineTicket
from models.organisation import Category, Department
from models.people import Petitioner, Representative, Team, User
from models.petition import Petition, StepRecord

from tests.admin.forms import forms, model_form
from tests.admin.helpers import PASSWORD, csrf_token
from tests.hotline_files import csv_bytes, rows_of

# Routes and commands that write nothing auditable, and why.
NOT_WRITING = {
    "auth.login": "signs in: session bookkeeping only (failed logins and lockouts are audited by auth.py)",
    "auth.logout": "signs out: session bookkeeping only",
    "auth.change_password": "the account's own password: a secret, never logged (auth.py owns its trace)",
    "petitioner.reveal_view": "writes only its own view_personal entry (a read of personal data)",
    "petition.letters_print_view": "covered by the scenario of the print_letters action (the same page)",
    "petition.action_view:print_letters": "only redirects to the print page (letters_print_view, its scenario)",
    "cli:init-db": "creates the schema (tables), no records",
    "cli:upgrade-db": "upgrades the schema; the documents it voids are audited (tests/models/test_letter_rules.py)",
    "cli:backup": "copies the database to a file; writes no record",
    "cli:restore": "replaces the whole database with a backup (its own audit log included)",
    "cli:verify-audit": "reads the audit log",
    "cli:seed-demo": "fills an empty database with demo records, which carry their workflow's audit entries",
    "cli:first-start": "creates the schema and, on an empty database, the first account (create-user's scenario)",
    "wording.preview_view": "the text of a draft wording on a petition: nothing numbered, archived or saved",
    "wording.preview_pdf_view": "the draft PDF (草稿) of a wording: nothing numbered, archived or saved",
}
# Tables that are bookkeeping, not records: the log itself, number series, tallies kept by triggers, login
# sessions and throttles (logins and lockouts are audited by auth.py).
NOT_RECORDS = {"audit_entry", "number_series", "petition_tally", "schema_version", "login_session", "login_throttle",
               "submission"}  # the saved forms' tokens (models/submissions.py): bookkeeping
# Columns that change without being a change of the record: the lock's version, last use times.
# A petition's is_repeat (初件/重件) is derived from the person's other petitions and links (models/workflow/repeats.py),
# recomputed with them: the write that changes it is audited on its own record.
BOOKKEEPING_COLUMNS = {"version", "last_used_at", "last_login_at", "failed_logins", "locked_until", "is_repeat",
                       # 三率: derived from other records by models/reports/rates.py, never typed by anyone
                       "rating_counted", "repeated_later", "handler_id", "handler_due", "handler_replied_at"}
# Rows that are part of a record: audited with it (table: (column pointing to it, its table)).
PART_OF = {
    "step_record": ("petition_id", "petition"),
    "co_petitioner": ("petition_id", "petition"),
    "visit_representative": ("visit_id", "visit_log"),
    "consultation_petition": ("consultation_id", "consultation"),
    "consultation_representative": ("consultation_id", "consultation"),
    "consultation_participant": ("consultation_id", "consultation"),
}


# -- reading the app ---------------------------------------------------------------------------------------

def write_endpoints(app):
    """Every way the app writes: POST routes (an action route once per action), and the flask commands."""
    found = set()
    views = {view.endpoint: view for view in app.extensions["admin"][0]._views if hasattr(view, "endpoint")}
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint.endswith("static"):
            continue
        view = views.get(rule.endpoint.split(".")[0])
        if rule.endpoint.endswith(".action_view") and view is not None:
            found.update("%s:%s" % (rule.endpoint, name) for name, _ in getattr(view, "_actions", []))
        else:
            found.add(rule.endpoint)
    found.update("cli:%s" % name for name in app.cli.list_commands(None))
    return found


def table_rows():
    """{(table, id): {column: value}} of every record table (bytes as their length)."""
    rows = {}
    for model in schema.MODELS:
        table = model._meta.table_name
        if table in NOT_RECORDS:
            continue
        columns = [f for f in model._meta.sorted_fields if f.column_name not in BOOKKEEPING_COLUMNS]
        for values in model.select(*columns).tuples().iterator():
            row = {}
            for field, value in zip(columns, values):
                row[field.column_name] = len(value) if isinstance(field, BlobField) and value is not None else value
            rows[(table, row["id"])] = row
    return rows


def unaudited(before, after, entries):
    """The rows changed between two readings that no entry of `entries` describes."""
    audited = {(e.model, e.record_id) for e in entries}
    missing = []
    for key in set(before) | set(after):
        if before.get(key) == after.get(key):
            continue
        table, record_id = key
        if table in PART_OF:
            column, parent = PART_OF[table]
            row = after.get(key) or before.get(key)
            if (parent, row[column]) in audited:
                continue
        if (table, record_id) not in audited:
            missing.append(key)
    return sorted(missing)


# -- doing things as a person would ---------------------------------------------------------------------------

class Office:
    """The test client on the demo county, logged in as the role each write needs."""

    def __init__(self, app, client, make_user):
        from models.demo import seed_demo

        self.app, self.client, self.role = app, client, None
        self.users = {"admin": make_user("admin", username="cov_admin")}
        seed_demo(admin_user=self.users["admin"])
        if not Department.select().where(Department.name == "县信访局").exists():
            Department.create(name="县信访局", short_name="高信访", kind="county")
        extra = {"department": {"department": first(Department, Department.kind == "county")},
                 "representative": {"representative": first(Representative)}}
        for role in permissions.ROLES:
            if role != "admin":
                self.users[role] = make_user(role, username="cov_" + role, **extra.get(role, {}))

    def login(self, role):
        if self.role == role:
            return
        if self.role is not None:  # logging out is a POST of the layout's own form
            self.client.post("/logout", data={"csrf_token": csrf_token(self.client.get("/logout").get_data(
                as_text=True))})
        page = self.client.get("/login").get_data(as_text=True)
        response = self.client.post("/login", data={"username": "cov_" + role, "password": PASSWORD,
                                                    "csrf_token": csrf_token(page)})
        assert response.status_code == 302, "login as %s failed" % role
        self.role = role

    def role_for(self, endpoint, op):
        for role in ("admin", "staff", "leader", "department", "representative"):
            if permissions.allowed(role, endpoint, op):
                return role
        return "admin"

    def token(self, url="/admin/"):
        page = self.client.get(url).get_data(as_text=True)
        match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        return match.group(1) if match else ""

    def post_form(self, url, changes=None, form_url=None):
        """GET the page, fill its first form that has a token as a person would, POST it."""
        page = self.client.get(form_url or url).get_data(as_text=True)
        data = {}
        for form in forms(page):
            names = [n for n, _ in form["fields"]]
            if ("csrf_token" in names and form["attrs"].get("method", "").lower() == "post"
                    and not form["attrs"].get("action", "").endswith("/logout")):  # the layout's logout button
                for name, value in form["fields"]:
                    data.setdefault(name, []).append(value)
                break
        # type-ahead inputs hold an id picked from a list, not text a person types
        picked = set(re.findall(r'<input[^>]*data-role="select2-ajax"[^>]*name="([^"]+)"', page)
                     + re.findall(r'<input[^>]*name="([^"]+)"[^>]*data-role="select2-ajax"', page))
        for name, values in list(data.items()):  # text a person types; dates, numbers and secrets as they are
            if values == [""] and name not in picked and not re.search(r"version|opened_at|id_number|phone|password|_on$|_at$|^at$|date|days|"
                                                r"^petition$|^petitioner$|^department$|^representative", name):
                data[name] = ["测试填写"]
        data.update({k: v if isinstance(v, list) else [v] for k, v in (changes or {}).items()})
        return self.client.post(url, data=data)


def first(model, *where):
    query = model.select().order_by(model._meta.primary_key)
    return (query.where(*where) if where else query).first()


def edit_changes(view, page):
    """A real edit of the record's form: one plain text field changed."""
    form = model_form(page)
    fields = view.model._meta.fields
    for name, values in form.items():
        field = fields.get(name)
        if (field is not None and field.__class__.__name__ in ("CharField", "TextField") and not field.choices
                and not field.unique and name not in ("id_number", "phone", "username", "short_name", "scopes")
                and values and values[0]):
            return {name: (values[0][:max(1, (getattr(field, "max_length", None) or 200) - 2)] + "改")}
    return {}


def generic(endpoint_kind):
    """The scenario of Flask-Admin's own routes of a view, for any registered view."""

    def run(office, view):
        model = view.model
        if first(model) is None:  # nothing to edit, delete or act on: the route writes nothing
            return
        if endpoint_kind == "edit_view":
            office.login(office.role_for(view.endpoint, "edit"))
            record = first(model)
            url = "/admin/%s/edit/?id=%d" % (view.endpoint, record.id)
            page = office.client.get(url)
            if page.status_code != 200:
                return
            office.post_form(url, edit_changes(view, page.get_data(as_text=True)))
        elif endpoint_kind == "create_view":
            office.login(office.role_for(view.endpoint, "create"))
            record = first(model)
            page = office.client.get("/admin/%s/new/" % view.endpoint)
            if page.status_code != 200:
                office.client.post("/admin/%s/new/" % view.endpoint, data={"csrf_token": office.token()})
                return
            changes = CREATE.get(view.endpoint, lambda: {})()
            office.post_form("/admin/%s/new/" % view.endpoint, changes)
        elif endpoint_kind == "delete_view":
            office.login(office.role_for(view.endpoint, "delete"))
            rows = list(model.select().order_by(model._meta.primary_key.desc()).limit(1)) + list(
                model.select().order_by(model._meta.primary_key).limit(1))  # one likely free, one likely in use
            for row in rows:
                if True:
                    office.client.post("/admin/%s/delete/" % view.endpoint,
                                       data={"id": row.id, "csrf_token": office.token("/admin/%s/" % view.endpoint)})
        elif endpoint_kind == "ajax_update":
            office.login(office.role_for(view.endpoint, "edit"))
            record = first(model)
            office.client.post("/admin/%s/ajax/update/" % view.endpoint, data={
                "list_form_pk": record.id, "name": "改", "csrf_token": office.token()})
        elif endpoint_kind.startswith("action:"):
            name = endpoint_kind.split(":", 1)[1]
            office.login(office.role_for(view.endpoint, view.action_ops.get(name, "step")))
            ids = ACTION_ROWS.get((view.endpoint, name), lambda: [first(model).id])()
            office.client.post("/admin/%s/action/" % view.endpoint, data={
                "action": name, "rowid": ids, "csrf_token": office.token("/admin/%s/" % view.endpoint)})

    return run


# What a new record of each screen needs beyond its own form's defaults.
CREATE = {
    "petition": lambda: {"petitioner": "", "new_petitioner_name": "快速新增人", "new_petitioner_phone": "13900001111",
                         "new_petitioner_id_number": "", "received_at": "2024-03-04 09:30:00", "channel": "visit",
                         "subject": "新登记的事由", "content": "新登记的内容", "request_summary": "新登记的请求",
                         "head_count": "1",
                         # made from a ticket (转为信访事项): the ticket's link is audited too
                         "hotline_ticket": str(first(HotlineTicket, HotlineTicket.petition.is_null()).id)},
    "petitioner": lambda: {"name": "新信访人", "id_number": "", "phone": "13900002222"},
    "department": lambda: {"name": "新单位", "short_name": "新单", "kind": "county"},
    "category": lambda: {"name": "新类别", "position": "99"},
    "user": lambda: {"username": "newuser", "display_name": "新用户", "role": "staff", "password": "Abcdef-12345",
                     "new_password": "Abcdef-12345", "department": ""},
    "team": lambda: {"code": "new_team", "name": "新团队"},
    "representative": lambda: {"name": "新代表", "kind": "npc_deputy"},
    "apiclient": lambda: {"name": "新客户端", "scopes": ["tickets:write"]},
    "visitlog": lambda: {"visited_at": "2024-03-04 09:30:00", "petitioner": str(first(Petitioner).id),
                         "petition": str(first(Petition).id), "kind": "reception", "place": "接访大厅",
                         "summary": "接待来访。"},
    "dutyshift": lambda: {"representative": str(first(Representative).id), "on_date": "2031-03-04",
                          "session": "am", "place": "联合接访大厅"},
    "mediation": lambda: {"petition": str(first(Petition, Petition.status.not_in(("closed", "void",
                                                                                    "not_accepted"))).id),
                          "signed_on": dt.date.today().isoformat(), "judicial_confirmation": "none",
                          "committee": "高桥镇人民调解委员会", "party_particulars": "刘某某，男，汉族，1970年5月3日，371526197005031234，高桥镇后屯村12号，13800138000", "dispute_facts": "院墙外扩占用共用道路。", "disputed_matters": "院墙应否恢复原址。", "parties": "甲、乙双方", "mediator": "调解员", "agreement": "双方同意。", "place": "调解室"},
    "hotlineticket": lambda: {"number": "12345-2031-99999", "called_at": "2024-03-04 09:30:00",
                              "content": "来电反映", "caller": "来电人"},
}


def open_petition(*statuses):
    return first(Petition, Petition.status.in_(statuses)).id


ACTION_ROWS = {
    ("petition", "accept"): lambda: [open_petition("registered")],
    ("petition", "reject"): lambda: [open_petition("registered")],
    ("petition", "refer"): lambda: [open_petition("accepted")],
    ("petition", "answer"): lambda: [open_petition("handled")],
    ("petition", "close"): lambda: [open_petition("followed_up")],
    ("petition", "void"): lambda: [open_petition("registered", "accepted")],
    ("referral", "record_reply"): lambda: [first(Referral, Referral.state == "sent").id],
    ("referral", "object"): lambda: [first(Referral, Referral.state == "sent").id],
    ("document", "void"): lambda: [first(Document, Document.voided_at.is_null()).id],
}


# -- the scenarios of the custom routes and commands -----------------------------------------------------------

def step_view(office, view):
    office.login("staff")
    petition = open_petition("registered")
    office.post_form("/admin/petition/step/accept/?ids=%d" % petition)
    office.post_form("/admin/petition/step/sign_off/?ids=%d" % petition, {"note": "请依法办理。"})
    office.post_form("/admin/petition/step/refer/?ids=%d" % petition,
                     {"department": str(first(Department, Department.kind == "county").id)})
    office.post_form("/admin/petition/step/void/?ids=%d" % open_petition("registered"), {"reason": "重复登记"})


def step_time_view(office, view):
    """更正办理时间: an accepted petition's acceptance moved to halfway between its receipt and the time on record."""
    office.login("staff")
    record = (StepRecord.select().join(Petition).where((StepRecord.step == "accept") & (Petition.status == "accepted"))
              .order_by(StepRecord.id).first())
    received = record.petition.received_at
    moved = (received + (record.at - received) / 2).replace(microsecond=0)
    office.post_form("/admin/petition/step-time/?id=%d" % record.petition_id,
                     {"step": str(record.id), "at": moved.strftime("%Y-%m-%d %H:%M:%S")})
    assert StepRecord.get_by_id(record.id).at == moved


def letter_issue_view(office, view):
    office.login("staff")
    petition = first(Petition, Petition.accepted_at.is_null(False), Petition.status != "void")
    office.client.post("/admin/petition/letter/issue/?id=%d&kind=acceptance_notice&record=" % petition.id,
                       data={"csrf_token": office.token("/admin/petition/details/?id=%d" % petition.id)})
    assert Document.select().where(Document.petition == petition.id).exists()
    ids = [p.id for p in Petition.select().where(Petition.accepted_at.is_null(False)).limit(3)]  # the bulk print
    office.post_form("/admin/petition/letters/print/?ids=%s" % ",".join(map(str, ids)), {"kind": "acceptance_notice"})


def letter_record_view(office, view):
    """登记他机关出具的文书: a department's own 处理意见书 recorded with its scan (the 答复 of a handled petition)."""
    office.login("staff")
    petition = first(Petition, Petition.status == "handled")
    url = "/admin/petition/letter/record/?id=%d&kind=handling_opinion&record=" % petition.id
    office.client.post(url, data={"csrf_token": office.token(url), "organ": "县自然资源局",
                                  "number": "高自然资〔2024〕9号",
                                  "issued_on": dt.date.today().isoformat(),
                                  "scan": (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "scan.pdf")},
                       content_type="multipart/form-data")
    recorded = Document.select().where((Document.petition == petition.id) & Document.external_number.is_null(False))
    assert recorded.exists()


def document_void_view(office, view):
    office.login("staff")
    document = first(Document, Document.voided_at.is_null())
    office.post_form("/admin/document/void/?id=%d" % document.id, {"reason": "日期有误"})
    assert Document.get_by_id(document.id).is_void


def document_reissue_view(office, view):
    office.login("staff")
    document = first(Document, Document.voided_at.is_null())
    office.post_form("/admin/document/reissue/?id=%d" % document.id, {"reason": "姓名有误"})
    assert Document.get_by_id(document.id).is_void


def document_delivery_view(office, view):
    """登记送达 of a letter in force (the one the fixture issued, or another)."""
    office.login("staff")
    delivered = Delivery.select(Delivery.document)
    document = first(Document, Document.voided_at.is_null(), Document.kind != "consultation_minutes",
                     Document.id.not_in(delivered))
    office.post_form("/admin/document/delivery/?id=%d" % document.id, {"method": "post", "note": "邮件单号 1186"})
    assert Delivery.select().where(Delivery.document == document.id).exists()


def referral_reply_view(office, view):
    office.login("staff")
    referral = first(Referral, Referral.state == "sent")
    office.post_form("/admin/referral/reply/?id=%d" % referral.id, {"outcome": "support", "facts": "属实。",
                                                                     "opinion": "予以支持。", "legal_basis": "有关规定"})


def referral_object_view(office, view):
    office.login("staff")
    referral = first(Referral, Referral.state == "sent")
    office.post_form("/admin/referral/object/?id=%d" % referral.id, {"reason": "不属于本单位职责。"})


def disputed():
    """(petition, department) of an open petition the petitioner was dissatisfied with (or asked to review), and a
    department it was referred to that has no 督办 of it awaiting a reply."""
    from models.supervision import Supervision, departments_of, petition_grounds

    for petition in Petition.select().where(Petition.status.not_in(("closed", "void", "not_accepted"))).order_by(
            Petition.id):
        if not petition_grounds(petition):
            continue
        for department in departments_of(petition):
            if not Supervision.select().where((Supervision.petition == petition) & (Supervision.department == department)
                                              & Supervision.replied_at.is_null()).exists():
                return petition, department
    raise AssertionError("no disputed petition in the demo county")


def supervision_supervise_view(office, view):
    """督办 of an overdue referral (the demo's, when the scenarios before left it unanswered) and of a petition the
    petitioner was dissatisfied with, of the department it was referred to."""
    from models.supervision import Supervision, referral_overdue

    office.login("staff")
    late = [r for r in Referral.select().order_by(Referral.id) if referral_overdue(r)]
    if late:
        office.post_form("/admin/supervision/supervise/?referral=%d" % late[0].id, {"kind": "interview",
                                                                                   "note": "请抓紧办理。"})
        assert Supervision.select().where(Supervision.referral == late[0].id).exists()
    petition, department = disputed()
    office.post_form("/admin/supervision/supervise/?petition=%d" % petition.id, {
        "kind": "on_site", "note": "请再次核查。", "department": str(department.id)})
    assert Supervision.select().where((Supervision.petition == petition.id)
                                      & (Supervision.department == department.id)).exists()


def a_supervision(office):
    """The first 督办, or one started (audited, by the workflow) on a disputed petition."""
    from models.supervision import Supervision

    found = first(Supervision)
    if found is not None:
        return found
    petition, department = disputed()
    return workflow.supervision.start(petition, office.users["admin"], "written", "请抓紧办理。", department=department)


def supervision_sheet_view(office, view):
    """印发 the 督办单 of a 督办 (the letter engine: numbered, archived, audited)."""
    supervision = a_supervision(office)
    office.login("staff")
    office.client.post("/admin/supervision/sheet/?id=%d" % supervision.id,
                       data={"csrf_token": office.token("/admin/supervision/details/?id=%d" % supervision.id)})
    assert Document.select().where((Document.kind == "supervision_sheet")
                                   & (Document.record_id == supervision.id)).exists()


def supervision_respond_view(office, view):
    """The reply to a 督办 (recorded by the office on the department's behalf, as a referral's reply)."""
    from models.supervision import Supervision

    supervision = a_supervision(office)
    office.login("staff")
    office.post_form("/admin/supervision/respond/?id=%d" % supervision.id, {"reply": "已办理并答复信访人。"})
    assert Supervision.get_by_id(supervision.id).replied_at is not None


def consultation_conclude_view(office, view):
    office.login("staff")
    consultation = first(Consultation, Consultation.concluded_at.is_null())
    if consultation is not None:
        office.post_form("/admin/consultation/conclude/?id=%d" % consultation.id, {"conclusion": "形成会诊意见。"})


def consultation_revise_view(office, view):
    """修改会诊: a consultation not concluded yet (one convened now if the demo has none) moved to another room."""
    office.login("staff")
    consultation = first(Consultation, Consultation.concluded_at.is_null())
    if consultation is None:
        petition = first(Petition, Petition.status.in_(workflow.OPEN))
        consultation = workflow.convene([petition], office.users["admin"], dt.datetime.now() - dt.timedelta(hours=1),
                                        "联合接访大厅", "研究化解方案。", [Representative.select().first()])
    rows = {"participants-%d-role" % i: "other" for i in range(30)}  # the rows post_form fills in: as 其他
    office.post_form("/admin/consultation/revise/?id=%d" % consultation.id, dict(rows, place="领导接访室"))
    assert Consultation.get_by_id(consultation.id).place == "领导接访室"


def consultation_minutes_view(office, view):
    """会诊纪要 issued on the consultation's page."""
    office.login("staff")
    issued = Document.select(Document.record_id).where(Document.kind == "consultation_minutes")
    consultation = first(Consultation, Consultation.concluded_at.is_null(False), Consultation.id.not_in(issued))
    office.client.post("/admin/consultation/minutes/?id=%d" % consultation.id, data={
        "csrf_token": office.token("/admin/consultation/details/?id=%d" % consultation.id)})
    assert Document.select().where((Document.kind == "consultation_minutes")
                                   & (Document.record_id == consultation.id)).exists()


def flags_dismiss_view(office, view):
    office.login("staff")
    page = office.client.get("/admin/flags/").get_data(as_text=True)
    for form in forms(page):
        if form["attrs"].get("action", "").startswith("/admin/flags/dismiss/"):
            data = dict(form["fields"])
            data["reason"] = data.get("reason") or "已核实，不是重复信访。"
            office.client.post(form["attrs"]["action"], data=data)
            return


def petitioner_merge_view(office, view):
    """信访人合并: a demo petitioner with petitions merged into a second record of them (made, audited, first)."""
    from models.workflow.petitioners import add_petitioner

    office.login("staff")
    other = first(Petitioner, Petitioner.id.in_(Petition.select(Petition.petitioner)))
    keep = add_petitioner(None, name=other.name, village=other.village)
    office.post_form("/admin/petitioner/merge/?id=%d" % keep.id, form_url="/admin/petitioner/merge/?id=%d&other=%d"
                     % (keep.id, other.id))
    assert Petitioner.get_by_id(other.id).merged_into_id == keep.id


def hotline_import_view(office, view):
    office.login("staff")
    office.client.post("/admin/hotlineticket/import/", data={
        "csrf_token": office.token("/admin/hotlineticket/import/"),
        "file": (io.BytesIO(csv_bytes(rows_of(3))), "tickets.csv")}, content_type="multipart/form-data")
    assert HotlineTicket.select().count() >= 3


def petition_import_upload(office, view):
    from openpyxl import Workbook

    office.login("staff")
    book = Workbook()
    sheet = book.active
    sheet.append(["信访人", "身份证号", "联系电话", "登记时间", "信访形式", "信访事由", "主要内容"])
    sheet.append(["导入的人", "", "13900003333", "2024-01-05 09:00", "来访", "导入的事由", "导入的内容"])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    office.client.post("/admin/petition_import/upload/", data={
        "csrf_token": office.token("/admin/petition_import/"), "file": (out, "register.xlsx")},
        content_type="multipart/form-data")


def petition_same_matter_view(office, view):
    """A clerk links two petitions of one person as the same matter from the petition's page (its own form)."""
    from models import workflow
    from models.workflow.repeats import SameMatter

    office.login("staff")
    petition = first(Petition, Petition.status != "void")
    with office.app.app_context():  # a second petition of the same person, registered (and audited) as usual
        workflow.register(Petition(channel="letter", received_at=petition.received_at + dt.timedelta(days=30),
                                   petitioner=petition.petitioner_id, subject="同一事项再次来信",
                                   content="信访人再次来信反映同一问题。"), office.users["admin"])
    page = office.client.get("/admin/petition/details/?id=%d" % petition.id).get_data(as_text=True)
    for form in forms(page):
        if "/admin/petition/same-matter/" in form["attrs"].get("action", ""):
            office.client.post(form["attrs"]["action"].replace("&amp;", "&"), data=dict(form["fields"]))
            break
    assert SameMatter.select().count() == 1


def roster_create_view(office, view):
    """按月排班: a month's shifts for one representative, each audited."""
    office.login("staff")
    representative = first(Representative)
    office.client.post("/admin/roster/new/", data={
        "month": "2031-03", "representatives": str(representative.id), "weekdays": "2", "sessions": "pm",
        "place": "联合接访大厅", "csrf_token": office.token("/admin/roster/new/")})
    assert DutyShift.select().where(DutyShift.on_date.between(dt.date(2031, 3, 1), dt.date(2031, 3, 31)),
                                    DutyShift.session == "pm").count() >= 4


def officesettings_index(office, view):
    """系统设置: the administrator changes the contact, the 复查机关 and the holidays; each change audited."""
    from models.settings import OfficeSetting

    office.login("admin")
    office.client.post("/admin/officesettings/", data={
        "LETTER_CONTACT": "李明", "LETTER_REVIEW_ORGAN": "高唐县人民政府", "HOLIDAYS": "2031年10月1日至2031年10月7日",
        "csrf_token": office.token("/admin/officesettings/")})
    assert OfficeSetting.select().count() == 3


def wording_save_view(office, view):
    """文书措辞: a new version of the 不予受理告知书's wording, audited."""
    from models.wording import LetterWording

    office.login("admin")
    office.client.post("/admin/wording/save/?kind=rejection_notice", data={
        "source": "{{ 信访人 }}：你的信访事项不予受理。{{ 不予受理理由 }}", "note": "简化", "expected": "0",
        "csrf_token": office.token("/admin/wording/kind/?kind=rejection_notice")})
    assert LetterWording.select().where(LetterWording.kind == "rejection_notice").count() == 1


def wording_revert_view(office, view):
    """文书措辞: back to the built-in wording (from a version of the office's), a new version, audited."""
    from admin_app.letters.wording import check
    from models import wording
    from models.wording import LetterWording

    office.login("admin")
    if wording.current("acceptance_notice") is None:
        wording.save("acceptance_notice", "{{ 信访人 }}：已受理。", office.users["admin"], check=check)
    before = LetterWording.select().count()
    office.client.post("/admin/wording/revert/?kind=acceptance_notice", data={
        "number": "0", "csrf_token": office.token("/admin/wording/kind/?kind=acceptance_notice")})
    assert LetterWording.select().count() == before + 1


def api_push_tickets(office, view):
    response = office.client.post("/api/v1/tickets", headers={"Authorization": "Bearer " + office.api_token}, json={
        "tickets": [
        {"number": "12345-2031-00077", "called_at": "2024-03-04 09:30:00", "content": "接口推送的工单",
         "caller": "推送人"}]})
    assert response.status_code == 200, response.get_data(as_text=True)


def public_look_up(office, petition=None):
    """The petitioner's look-up (/chaxun, no login): its own client, 查询码 and the phone's last 4 digits."""
    petition = petition or first(Petition, Petition.query_code.is_null(False), Petition.status != "void")
    person = petition.petitioner
    tail = (person.phone or person.id_number)[-4:]
    client = office.app.test_client()
    page = client.get("/chaxun").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/chaxun", data={"code": petition.query_code, "last4": tail, "csrf_token": token})
    assert petition.number in response.get_data(as_text=True), "the look-up found nothing"
    return client, response.get_data(as_text=True)


def public_lookup_page(office, view):
    public_look_up(office)


def public_evaluate(office, view):
    from models import evaluation
    from models.workflow import evaluation as evaluating

    petition = first(Petition, Petition.query_code.is_null(False), Petition.answered_at.is_null(False),
                     Petition.status != "void")
    answered = petition.answered_at
    saved = evaluation.now, evaluating.now
    evaluation.now = evaluating.now = lambda: answered + dt.timedelta(days=1)  # within the 30 days of the answer
    try:
        client, page = public_look_up(office, petition)
        fields = {name: re.search(r'name="%s" value="([^"]+)"' % name, page).group(1) for name in ("csrf_token",
                                                                                                  "token")}
        response = client.post("/chaxun/pingjia", data=dict(fields, rating="dissatisfied", comment="未解决"))
        assert response.status_code == 200, response.status_code
    finally:
        evaluation.now, evaluating.now = saved


def cli_create_user(office, view):
    office.app.test_cli_runner().invoke(args=["create-user", "cliuser", "--role", "staff", "--password",
                                              "Abcdef-12345"])


def cli_import_hotline(office, view, tmp_path=None):
    import tempfile

    path = tempfile.mktemp(suffix=".csv")
    with open(path, "wb") as f:
        f.write(csv_bytes(rows_of(2)))
    office.app.test_cli_runner().invoke(args=["import-hotline", path, "--by", "cov_staff", "--quiet"])


SCENARIOS = {
    "petition.step_view": step_view,
    "petition.step_time_view": step_time_view,
    "petition.letter_issue_view": letter_issue_view,
    "petition.letter_record_view": letter_record_view,
    "document.void_view": document_void_view,
    "document.reissue_view": document_reissue_view,
    "document.delivery_view": document_delivery_view,
    "referral.reply_view": referral_reply_view,
    "referral.object_view": referral_object_view,
    "consultation.conclude_view": consultation_conclude_view,
    "supervision.supervise_view": supervision_supervise_view,
    "supervision.sheet_view": supervision_sheet_view,
    "supervision.respond_view": supervision_respond_view,
    "consultation.revise_view": consultation_revise_view,
    "consultation.minutes_view": consultation_minutes_view,
    "flags.dismiss_view": flags_dismiss_view,
    "petitioner.merge_view": petitioner_merge_view,
    "hotlineticket.import_view": hotline_import_view,
    "petition_import.upload_view": petition_import_upload,
    "roster.create_view": roster_create_view,
    "officesettings.index": officesettings_index,
    "wording.save_view": wording_save_view,
    "wording.revert_view": wording_revert_view,
    "api.push_tickets": api_push_tickets,
    "petition.same_matter_view": petition_same_matter_view,
    "cli:create-user": cli_create_user,
    "public.lookup_page": public_lookup_page,
    "public.evaluate": public_evaluate,
    "cli:import-hotline": cli_import_hotline,
}
GENERIC = ("create_view", "edit_view", "delete_view", "ajax_update")


def scenario_of(app, endpoint):
    """The scenario that exercises an endpoint: its own, or the generic one of a registered view's route."""
    if endpoint in SCENARIOS:
        return SCENARIOS[endpoint], None
    name = endpoint.split(":", 1)[0]
    view = app.extensions["office_views"].get(name.split(".")[0])
    route = name.split(".", 1)[1] if "." in name else ""
    if view is not None and route in GENERIC:
        return generic(route), view
    if view is not None and route == "action_view":
        return generic("action:" + endpoint.split(":", 1)[1]), view
    return None, None


@pytest.fixture
def office(app, client, make_user):
    office = Office(app, client, make_user)
    office.login("staff")
    # a letter in force and a ticket to work on
    petition = first(Petition, Petition.accepted_at.is_null(False), Petition.status != "void")
    office.client.post("/admin/petition/letter/issue/?id=%d&kind=acceptance_notice&record=" % petition.id,
                       data={"csrf_token": office.token("/admin/petition/details/?id=%d" % petition.id)})
    client = ApiClient(name="测试平台", scopes="tickets:read tickets:write")
    office.api_token = client.new_token()
    client.save(force_insert=True)
    HotlineTicket.create(number="12345-2031-00001", called_at=dt.datetime(2024, 3, 1, 9), content="来电反映道路问题",
                         caller="来电人", phone="13900004444")
    return office


def test_every_write_endpoint_has_a_scenario_or_a_reason(app):
    endpoints = write_endpoints(app)
    missing = sorted(e for e in endpoints if e not in NOT_WRITING and scenario_of(app, e)[0] is None)
    assert missing == [], "write endpoints with no audit scenario: %s" % missing
    stale = sorted(set(NOT_WRITING) | set(SCENARIOS)) and sorted(
        e for e in set(NOT_WRITING) | set(SCENARIOS) if e not in endpoints)
    assert stale == [], "scenarios or reasons for endpoints the app no longer has: %s" % stale


def test_every_write_endpoint_leaves_audit_entries_for_the_rows_it_changed(app, office):
    problems, wrote = [], []
    for endpoint in sorted(write_endpoints(app) - set(NOT_WRITING)):
        run, view = scenario_of(app, endpoint)
        before, last = table_rows(), AuditEntry.select().order_by(AuditEntry.id.desc()).first().id
        try:
            run(office, view)
        except Exception as err:  # noqa: BLE001 - every endpoint is reported at once
            problems.append("%s: the scenario did not do what it should (%r)" % (endpoint, err))
            continue
        after = table_rows()
        entries = list(AuditEntry.select().where(AuditEntry.id > last))
        missing = unaudited(before, after, entries)
        if missing:
            problems.append("%s: no audit entry for %s" % (endpoint, missing[:8]))
        if before != after:
            wrote.append(endpoint)
    assert problems == [], "\n".join(problems)
    # the scenarios really write: each of these changed rows (and so was checked)
    must_write = {"petition.step_view", "petition.letter_issue_view", "petition.letter_record_view",
                  "document.void_view", "document.reissue_view",
                  "petition.create_view", "petition.edit_view", "department.action_view:deactivate",
                  "hotlineticket.import_view", "api.push_tickets",
                  "petition_import.upload_view", "cli:import-hotline", "cli:create-user", "user.create_view",
                  "department.edit_view", "petitioner.create_view", "referral.reply_view", "mediation.create_view",
                  "visitlog.create_view", "apiclient.edit_view", "petition.same_matter_view",
                  "petitioner.merge_view", "petition.step_time_view", "consultation.revise_view",
                  "consultation.minutes_view", "roster.create_view", "document.delivery_view",
                  "officesettings.index", "wording.save_view", "wording.revert_view", "supervision.supervise_view",
                  "supervision.sheet_view", "supervision.respond_view", "public.evaluate"}
    assert must_write <= set(wrote), sorted(must_write - set(wrote))


def test_an_interrupted_hotline_import_leaves_each_row_it_wrote_audited(db):
    from models.imports import hotline as importer

    class Interrupted(Exception):
        pass

    def stop_after_two(count=[0]):
        count[0] += 1
        if count[0] == 2:
            raise Interrupted()  # the server stopped, the connection dropped...

    records = [(n + 2, row) for n, row in enumerate(
        {"number": "12345-2031-%05d" % n, "called_at": "2024-03-04 09:%02d:00" % n, "content": "来电反映%d" % n,
         "caller": "来电人"} for n in range(5))]
    with pytest.raises(Interrupted):
        importer.import_records(records, progress=lambda step: stop_after_two(), summary="tickets.xlsx")
    written = [t.id for t in HotlineTicket.select().order_by(HotlineTicket.id)]
    assert len(written) == 2
    entries = AuditEntry.select().where(AuditEntry.model == "hotline_ticket").order_by(AuditEntry.id)
    assert [(e.action, e.record_id, e.summary) for e in entries] == [("create", i, "tickets.xlsx") for i in written]
