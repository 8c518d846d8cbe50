"""The petition's life through models.workflow: the county's case, refused steps, bad inputs, many at once."""
import datetime as dt
import time

import pytest

from models import audit, deadlines, schema, workflow
from models.workflow import rules
from models.audit import AuditEntry
from models.casework import FollowUp, Referral
from models.errors import NotAllowed, ValidationError
from models.organisation import Department
from models.people import Representative, User
from models.petition import STATUSES, Petition, StepRecord

DAY = dt.timedelta(days=1)
RECEIVED = dt.datetime(2022, 12, 9, 9, 30)  # a Friday
# When each step of the tests' petitions is taken (the referral on a Thursday).
AT = {
    "register": RECEIVED,
    "accept": dt.datetime(2022, 12, 9, 10, 30),
    "reject": dt.datetime(2022, 12, 9, 11, 0),
    "void": dt.datetime(2022, 12, 10, 9, 0),
    "classify": dt.datetime(2022, 12, 12, 9, 0),
    "form_group": dt.datetime(2022, 12, 13, 9, 0),
    "refer": dt.datetime(2022, 12, 15, 16, 0),
    "object": dt.datetime(2022, 12, 16, 10, 0),
    "extend": dt.datetime(2022, 12, 19, 9, 0),
    "mediate": dt.datetime(2022, 12, 19, 15, 0),
    "record_reply": dt.datetime(2022, 12, 20, 10, 0),
    "answer": dt.datetime(2022, 12, 22, 10, 0),
    "request_review": dt.datetime(2022, 12, 27, 9, 0),
    "record_review": dt.datetime(2023, 1, 3, 9, 0),
    "follow_up": dt.datetime(2023, 1, 5, 10, 0),
    "close": dt.datetime(2023, 1, 6, 9, 0),
    "request_recheck": dt.datetime(2023, 1, 10, 9, 0),
    "record_recheck": dt.datetime(2023, 2, 1, 9, 0),
}
# How a petition reaches each status (and a few states that are not a status of their own).
ROUTES = {
    "registered": [],
    "accepted": ["accept"],
    "not_accepted": ["reject"],
    "referred": ["accept", "refer"],
    "handled": ["accept", "refer", "record_reply"],
    "answered": ["accept", "refer", "record_reply", "answer"],
    "followed_up": ["accept", "refer", "record_reply", "answer", "follow_up"],
    "closed": ["accept", "refer", "record_reply", "answer", "follow_up", "close"],
    "under_review": ["accept", "refer", "record_reply", "answer", "request_review"],
    "reviewed": ["accept", "refer", "record_reply", "answer", "request_review", "record_review"],
    "under_recheck": ["accept", "refer", "record_reply", "answer", "request_review", "record_review",
                      "request_recheck"],
    "rechecked": ["accept", "refer", "record_reply", "answer", "request_review", "record_review",
                  "request_recheck", "record_recheck"],
    "void": ["accept", "void"],
    "extended": ["accept", "extend"],
    "objected": ["accept", "refer", "object"],
    "grouped": ["accept", "form_group"],
    "reviewed_followed_up": ["accept", "refer", "record_reply", "answer", "request_review", "record_review",
                             "follow_up"],
}


class Story:
    """One petition, the office around it, and its steps taken by name at the times of AT."""

    def __init__(self, petition, staff, representative, department, other_department, deactivated):
        self.petition, self.staff, self.representative = petition, staff, representative
        self.department, self.other_department, self.deactivated = department, other_department, deactivated
        self.referral = None

    def step(self, name, at=None):
        p, by, at = self.petition, self.staff, at or AT[name]
        if name == "accept":
            return workflow.accept(p, by, at=at)
        if name == "reject":
            return workflow.reject(p, by, "不属于信访事项受理范围。", "《信访工作条例》第三十条", at=at)
        if name == "refer":
            self.referral = workflow.refer(p, self.department, by, instructions="请核实并答复。", at=at)
            return self.referral
        if name == "object":
            return workflow.object_to_referral(self.referral, by, "该事项不属于本单位职责范围。", at=at)
        if name == "record_reply":
            return workflow.record_reply(self.referral, by, "support", "经查，信访人反映情况属实。", "予以支持。",
                                         "《中华人民共和国土地管理法》第十四条", at=at)
        if name == "answer":
            return workflow.answer(p, by, at=at)
        if name == "follow_up":
            return workflow.follow_up(p, by, at.date(), "phone", "satisfied", at=at)
        if name == "close":
            return workflow.close(p, by, at=at)
        if name == "extend":
            return workflow.extend(p, by, 30, "案情复杂，需进一步调查核实。", "局长 韩某", at=at)
        if name in ("request_review", "request_recheck"):
            return getattr(workflow, name)(p, by, at=at)
        if name in ("record_review", "record_recheck"):
            return getattr(workflow, name)(p, by, "维持原处理意见。", at=at)
        if name == "void":
            return workflow.void(p, by, "重复登记。", at=at)
        if name == "classify":
            return workflow.classify(p, by, "reasonable", at=at)
        if name == "form_group":
            return workflow.form_group(p, by, self.representative, "高桥镇信访办 李某", "人民调解员 赵某",
                                       "律师 孙某", at=at)
        if name == "mediate":
            return workflow.mediate(p, by, "信访人；邻居", "赵某", "高桥镇一站式矛调中心", "双方同意按原界址通行。",
                                    at.date(), lawyer="孙某", at=at)
        if name == "register":
            return workflow.register(p, by)
        raise KeyError(name)

    def to(self, route):
        for name in ROUTES[route]:
            self.step(name)
        self.petition = Petition.get_by_id(self.petition.id)
        return self


@pytest.fixture
def staff(db):
    return User.create(username="chen", display_name="接访员 陈某", role="staff", password_hash="not-a-login")


@pytest.fixture
def land_bureau(db):
    return Department.create(name="县自然资源局", short_name="高自然资源", kind="county")


@pytest.fixture
def housing_bureau(db):
    return Department.create(name="县住建局", short_name="高住建", kind="county")


@pytest.fixture
def wang(db):
    return Representative.create(name="王春月", kind="npc_deputy")


@pytest.fixture
def new_petition(db, make_petitioner, staff):
    """new_petition(**fields) -> a petition registered through the workflow (received 2022-12-09 09:30)."""
    petitioner = make_petitioner()

    def new_petition(**fields):
        values = dict(channel="visit", received_at=RECEIVED, petitioner=petitioner, subject="宅基地界址争议",
                      content="信访人与邻居因宅基地界址发生争执。")
        values.update(fields)
        return workflow.register(Petition(**values), staff)

    return new_petition


@pytest.fixture
def story(new_petition, staff, land_bureau, housing_bureau, wang):
    """story(route) -> a Story whose petition has gone along ROUTES[route]."""
    merged = Department.create(name="县撤并局", kind="county", active=False)
    return lambda route="registered": Story(new_petition(), staff, wang, land_bureau, housing_bureau, merged).to(route)


def database_state(petition):
    """Row counts of every table, and the petition and its referrals as stored."""
    counts = {model.__name__: model.select().count() for model in schema.MODELS}
    referrals = [r.__data__ for r in Referral.select().where(Referral.petition == petition.id).order_by(Referral.id)]
    return counts, Petition.get_by_id(petition.id).__data__, referrals


# -- (a) the county's case ------------------------------------------------------------------------------

def test_county_case_of_liu_goes_from_roving_reception_to_closing(db, make_town, make_petitioner, staff, land_bureau,
                                                                    wang):
    gaoqiao = make_town(name="高桥镇")
    liu = make_petitioner(name="刘某某", alias="刘某", town=gaoqiao, village="后屯村")
    case = Petition(channel="roving_reception", received_at=RECEIVED, petitioner=liu, town=gaoqiao, village="后屯村",
                    subject="宅基地及共用道路纠纷",
                    content="信访人与原邻居因宅基地界址及两家共用道路的使用发生纠纷，请求确认界址，恢复共用道路通行。")
    at = {
        "register": RECEIVED,
        "classify": dt.datetime(2022, 12, 9, 10, 0),
        "accept": dt.datetime(2022, 12, 9, 10, 30),
        "form_group": dt.datetime(2022, 12, 12, 9, 0),
        "refer": dt.datetime(2022, 12, 12, 10, 0),
        "mediate": dt.datetime(2022, 12, 20, 15, 0),
        "record_reply": dt.datetime(2022, 12, 28, 10, 0),
        "answer": dt.datetime(2022, 12, 30, 9, 0),
        "follow_up": dt.datetime(2023, 1, 10, 10, 0),
        "close": dt.datetime(2023, 1, 12, 9, 0),
    }

    workflow.register(case, staff)
    assert (case.status, case.referral_due, case.notice_due) == ("registered", dt.date(2022, 12, 24),
                                                                  dt.date(2022, 12, 24))
    workflow.classify(case, staff, "reasonable", at=at["classify"])
    workflow.accept(case, staff, at=at["accept"])
    group = workflow.form_group(case, staff, wang, "高桥镇信访办 李某", "人民调解员 赵某", "律师 孙某",
                                at=at["form_group"])
    referral = workflow.refer(case, land_bureau, staff, mode="assign", instructions="请现场核实宅基地界址。",
                              at=at["refer"])
    mediation = workflow.mediate(case, staff, "刘某某；原邻居张某某", "赵某", "高桥镇一站式矛调中心",
                                 "双方确认原界址，拆除外扩院墙，恢复共用道路通行。", dt.date(2022, 12, 20),
                                 lawyer="孙某", at=at["mediate"])
    workflow.record_reply(referral, staff, "support", "经现场勘测，原邻居院墙外扩占用共用道路属实。",
                          "支持信访人恢复共用道路通行的请求。", "《中华人民共和国民法典》第二百八十八条",
                          at=at["record_reply"])
    workflow.answer(case, staff, at=at["answer"])
    assert Petition.get_by_id(case.id).due_on == dt.date(2023, 2, 7)  # 办结 within 60 days of acceptance
    follow_up = workflow.follow_up(case, staff, dt.date(2023, 1, 10), "home", "satisfied",
                                   comments="道路已恢复通行，信访人表示满意。", at=at["follow_up"])
    workflow.close(case, staff, at=at["close"])

    case = Petition.get_by_id(case.id)
    assert (case.status, case.classification, case.team.name) == ("closed", "reasonable", "合理诉求化解团队")
    assert case.lead_representative == wang and case.outcome == "support" and case.due_on is None
    assert (case.accepted_at, case.handling_due) == (at["accept"], dt.date(2023, 2, 7))
    assert (case.answered_at, case.closed_at) == (at["answer"], at["close"])
    assert (group.representative.name, group.town_officer, group.mediator, group.lawyer) == (
        "王春月", "高桥镇信访办 李某", "人民调解员 赵某", "律师 孙某")
    assert (mediation.place, mediation.lawyer, mediation.signed_on) == ("高桥镇一站式矛调中心", "孙某",
                                                                      dt.date(2022, 12, 20))
    referral = Referral.get_by_id(referral.id)
    assert (referral.department.name, referral.state, referral.due_on) == ("县自然资源局", "replied",
                                                                          dt.date(2023, 2, 7))
    assert FollowUp.get_by_id(follow_up.id).evaluation == "satisfied"

    steps = list(case.steps.order_by(StepRecord.id))
    assert [(s.step, s.at, s.by_id) for s in steps] == [(name, when, staff.id) for name, when in at.items()]
    assert [s.status_after for s in steps] == ["registered", "registered", "accepted", "accepted", "referred",
                                               "referred", "handled", "answered", "followed_up", "closed"]
    assert sorted(steps, key=lambda s: s.at) == steps

    logged = AuditEntry.select().where((AuditEntry.model == "petition") & (AuditEntry.record_id == case.id)
                                       & (AuditEntry.action == "step")).order_by(AuditEntry.id)
    assert [(e.summary, e.user_id, e.username) for e in logged] == [(name, staff.id, "chen") for name in at]
    assert audit.verify_chain() is None


# -- (b) a refused step leaves everything as it was ---------------------------------------------------------

REFUSED = [
    pytest.param("registered", lambda s: s.step("refer"), NotAllowed, id="refer-when-registered"),
    pytest.param("referred", lambda s: s.step("answer"), NotAllowed, id="answer-when-referred"),
    pytest.param("answered", lambda s: s.step("close"), NotAllowed, id="close-when-answered"),
    pytest.param("accepted", lambda s: s.step("accept"), NotAllowed, id="accept-twice"),
    pytest.param("answered", lambda s: s.step("request_review", at=AT["answer"] + 31 * DAY), NotAllowed,
                 id="request-review-after-30-days"),
    pytest.param("answered", lambda s: s.step("request_recheck"), NotAllowed, id="request-recheck-before-review"),
    pytest.param("under_review", lambda s: s.step("request_recheck"), NotAllowed,
                 id="request-recheck-before-review-opinion"),
    pytest.param("reviewed", lambda s: s.step("request_recheck", at=AT["record_review"] + 31 * DAY), NotAllowed,
                 id="request-recheck-after-30-days"),
    pytest.param("extended", lambda s: s.step("extend"), NotAllowed, id="extend-twice"),
    pytest.param("accepted", lambda s: workflow.extend(s.petition, s.staff, 31, "案情复杂。", "局长 韩某"),
                 ValidationError, id="extension-of-31-days"),
    pytest.param("accepted", lambda s: workflow.extend(s.petition, s.staff, 0, "案情复杂。", "局长 韩某"),
                 ValidationError, id="extension-of-0-days"),
    pytest.param("registered", lambda s: s.step("extend"), NotAllowed, id="extend-before-acceptance"),
    pytest.param("closed", lambda s: s.step("extend"), NotAllowed, id="extend-a-closed-petition"),
    pytest.param("closed", lambda s: s.step("void"), NotAllowed, id="void-a-closed-petition"),
    pytest.param("void", lambda s: s.step("void"), NotAllowed, id="void-twice"),
    pytest.param("handled", lambda s: s.step("follow_up"), NotAllowed, id="follow-up-before-answer"),
    pytest.param("referred", lambda s: s.step("object", at=dt.datetime(2022, 12, 23, 9, 0)), NotAllowed,
                 id="object-after-5-working-days"),
    pytest.param("objected", lambda s: s.step("object"), NotAllowed, id="object-twice"),
    pytest.param("objected", lambda s: s.step("record_reply"), NotAllowed, id="record-reply-after-objection"),
    pytest.param("handled", lambda s: s.step("object"), NotAllowed, id="object-after-reply"),
    pytest.param("handled", lambda s: s.step("record_reply"), NotAllowed, id="record-reply-twice"),
    pytest.param("accepted", lambda s: s.step("reject"), NotAllowed, id="reject-after-acceptance"),
    pytest.param("not_accepted", lambda s: s.step("accept"), NotAllowed, id="accept-after-refusal"),
    pytest.param("registered", lambda s: s.step("register"), NotAllowed, id="register-twice"),
    pytest.param("answered", lambda s: s.step("record_review"), NotAllowed, id="record-review-before-request"),
    pytest.param("reviewed", lambda s: s.step("record_recheck"), NotAllowed, id="record-recheck-before-request"),
    pytest.param("reviewed_followed_up", lambda s: s.step("request_review", at=AT["follow_up"] + DAY), NotAllowed,
                 id="request-review-twice"),
    pytest.param("rechecked", lambda s: s.step("request_review"), NotAllowed, id="request-review-after-recheck"),
    pytest.param("grouped", lambda s: s.step("form_group"), NotAllowed, id="form-group-twice"),
    pytest.param("closed", lambda s: s.step("classify"), NotAllowed, id="classify-a-closed-petition"),
    pytest.param("closed", lambda s: s.step("mediate"), NotAllowed, id="mediate-on-a-closed-petition"),
    pytest.param("not_accepted", lambda s: s.step("form_group"), NotAllowed, id="form-group-when-not-accepted"),
    pytest.param("void", lambda s: workflow.convene([s.petition], s.staff, AT["void"], "联合接访大厅", "研究案情。",
                                                    [s.representative]), NotAllowed, id="convene-on-a-void-petition"),
]


@pytest.mark.parametrize("route, attempt, error", REFUSED)
def test_a_refused_step_leaves_the_state_and_the_database_unchanged(story, route, attempt, error):
    s = story(route)
    before = database_state(s.petition)
    with pytest.raises(error):
        attempt(s)
    assert database_state(s.petition) == before
    assert audit.verify_chain() is None


def test_refusal_says_what_must_happen_first(story):
    s = story("registered")
    with pytest.raises(NotAllowed) as refused:
        s.step("refer")
    assert refused.value.params["first"] == workflow.ALLOWED["refer"][1]
    assert set(refused.value.translate) == {"step", "status", "first"}


# -- (c) bad inputs are refused and write nothing ---------------------------------------------------------

TOMORROW = dt.date.today() + DAY

BAD_INPUTS = [
    pytest.param("registered", lambda s: workflow.reject(s.petition, s.staff, "  ", "《信访工作条例》第三十条"),
                 "reason", id="reject-without-reason"),
    pytest.param("registered", lambda s: workflow.reject(s.petition, s.staff, "不属于受理范围。", None),
                 "legal_basis", id="reject-without-legal-basis"),
    pytest.param("accepted", lambda s: workflow.refer(s.petition, s.deactivated, s.staff, at=AT["refer"]),
                 "department", id="refer-to-a-deactivated-department"),
    pytest.param("accepted", lambda s: workflow.refer(s.petition, None, s.staff, at=AT["refer"]),
                 "department", id="refer-to-no-department"),
    pytest.param("accepted", lambda s: workflow.refer(s.petition, s.department, s.staff, at=AT["refer"],
                                                      due_on=s.petition.handling_due + DAY),
                 "due_on", id="refer-due-after-the-handling-limit"),
    pytest.param("accepted", lambda s: workflow.refer(s.petition, s.department, s.staff, at=AT["refer"],
                                                      due_on=AT["refer"].date() - DAY),
                 "due_on", id="refer-due-in-the-past"),
    pytest.param("referred", lambda s: workflow.mediate(s.petition, s.staff, "信访人；邻居", "赵某", "高桥镇一站式矛调中心",
                                                        "双方同意。", TOMORROW, lawyer="孙某"),
                 "signed_on", id="mediation-signed-in-the-future"),
    pytest.param("referred", lambda s: workflow.mediate(s.petition, s.staff, "信访人；邻居", "赵某", "高桥镇一站式矛调中心",
                                                        " ", AT["mediate"].date()),
                 "agreement", id="mediation-without-agreement"),
    pytest.param("accepted", lambda s: workflow.form_group(s.petition, s.staff, s.representative, "高桥镇信访办 李某",
                                                           "人民调解员 赵某", ""),
                 "lawyer", id="group-without-lawyer"),
    pytest.param("accepted", lambda s: workflow.form_group(s.petition, s.staff, s.representative, "  ",
                                                           "人民调解员 赵某", "律师 孙某"),
                 "town_officer", id="group-without-town-officer"),
    pytest.param("accepted", lambda s: workflow.form_group(s.petition, s.staff, s.representative, "高桥镇信访办 李某",
                                                           None, "律师 孙某"),
                 "mediator", id="group-without-mediator"),
    pytest.param("accepted", lambda s: workflow.form_group(s.petition, s.staff, None, "高桥镇信访办 李某",
                                                           "人民调解员 赵某", "律师 孙某"),
                 "representative", id="group-without-representative"),
    pytest.param("registered", lambda s: workflow.classify(s.petition, s.staff, "difficult"),
                 "classification", id="classify-unknown"),
    pytest.param("answered", lambda s: workflow.follow_up(s.petition, s.staff, TOMORROW, "phone", "satisfied"),
                 "followed_on", id="follow-up-in-the-future"),
    pytest.param("answered", lambda s: workflow.follow_up(s.petition, s.staff, AT["follow_up"].date(), "phone", "ok"),
                 "evaluation", id="follow-up-unknown-evaluation"),
    pytest.param("answered", lambda s: workflow.follow_up(s.petition, s.staff, AT["follow_up"].date(), "email",
                                                          "satisfied"),
                 "method", id="follow-up-unknown-method"),
    pytest.param("accepted", lambda s: workflow.extend(s.petition, s.staff, 30, "案情复杂。", ""),
                 "approver", id="extend-without-approver"),
    pytest.param("referred", lambda s: workflow.record_reply(s.referral, s.staff, "maybe", "事实。", "意见。", "依据。"),
                 "outcome", id="reply-unknown-outcome"),
    pytest.param("referred", lambda s: workflow.record_reply(s.referral, s.staff, "support", "事实。", "意见。", ""),
                 "legal_basis", id="reply-without-legal-basis"),
    pytest.param("referred", lambda s: workflow.object_to_referral(s.referral, s.staff, None),
                 "reason", id="object-without-reason"),
    pytest.param("under_review", lambda s: workflow.record_review(s.petition, s.staff, ""),
                 "opinion", id="review-without-opinion"),
    pytest.param("registered", lambda s: workflow.void(s.petition, s.staff, ""), "reason", id="void-without-reason"),
    pytest.param("accepted", lambda s: workflow.convene([s.petition], s.staff, AT["refer"], "联合接访大厅", "研究案情。", []),
                 "representatives", id="convene-without-representatives"),
    pytest.param("accepted", lambda s: workflow.convene([s.petition], s.staff, AT["refer"], "联合接访大厅", "研究案情。",
                                                        [s.representative], [("", "lawyer", "明正律师事务所")]),
                 "participants", id="convene-participant-without-name"),
]


@pytest.mark.parametrize("route, attempt, field", BAD_INPUTS)
def test_bad_input_is_refused_and_writes_nothing(story, route, attempt, field):
    s = story(route)
    before = database_state(s.petition)
    with pytest.raises(ValidationError) as refused:
        attempt(s)
    assert refused.value.field == field
    assert database_state(s.petition) == before


@pytest.mark.parametrize("classification, team, unlawful", [
    pytest.param("reasonable", "reasonable_claims", False, id="reasonable"),
    pytest.param("unreasonable", "unreasonable_claims", False, id="unreasonable"),
    pytest.param("hardship", "hardship_assistance", False, id="hardship"),
    pytest.param("unlawful", None, True, id="unlawful-to-the-law-no-team"),
])
def test_classification_assigns_the_team_or_flags_unlawful_conduct(story, classification, team, unlawful):
    s = story("accepted")
    petition = workflow.classify(s.petition, s.staff, classification)
    petition = Petition.get_by_id(petition.id)
    assert (petition.team.code if petition.team else None, petition.unlawful_flag) == (team, unlawful)
    assert petition.status == "accepted"


def test_reclassifying_unlawful_conduct_clears_the_flag(story):
    s = story("accepted")
    workflow.classify(s.petition, s.staff, "unlawful")
    petition = workflow.classify(s.petition, s.staff, "hardship")
    assert (petition.unlawful_flag, petition.team.code) == (False, "hardship_assistance")


def test_answer_takes_the_handling_limit_as_it_is_now_not_from_an_old_copy(story):
    s = story("registered")
    old_copy = s.petition  # as registered: no handling limit yet
    for step in ("accept", "refer", "extend", "record_reply"):
        s.step(step)
    workflow.answer(old_copy, s.staff, at=AT["answer"])
    petition = Petition.get_by_id(old_copy.id)
    assert petition.due_on == petition.handling_due == deadlines.handling_due(AT["accept"], extension_days=30)


# -- (d) objection: the department is not competent -------------------------------------------------------

def test_objection_within_5_working_days_sends_the_petition_back_for_another_referral(story):
    s = story("referred")  # referred on Thursday 15 December: objection until Thursday 22 December
    first = workflow.object_to_referral(s.referral, s.staff, "该事项不属于本单位职责范围。",
                                        at=dt.datetime(2022, 12, 22, 17, 0))
    petition = Petition.get_by_id(s.petition.id)
    assert (petition.status, petition.due_on) == ("accepted", dt.date(2022, 12, 24))
    assert (first.state, first.objected_at) == ("objected", dt.datetime(2022, 12, 22, 17, 0))

    second = workflow.refer(petition, s.other_department, s.staff, at=dt.datetime(2022, 12, 23, 9, 0))
    petition = Petition.get_by_id(s.petition.id)
    assert petition.status == "referred" and second.department.name == "县住建局"
    assert [(r.department.name, r.state) for r in petition.referrals.order_by(Referral.id)] == [
        ("县自然资源局", "objected"), ("县住建局", "sent")]
    assert [step.step for step in petition.steps.order_by(StepRecord.id)] == ["register", "accept", "refer", "object",
                                                                              "refer"]
    workflow.record_reply(second, s.staff, "explain", "经查。", "作出解释说明。", "《城乡规划法》")
    assert Petition.get_by_id(s.petition.id).status == "handled"


# -- (e), (f) many petitions at once ----------------------------------------------------------------------

def test_for_each_refers_the_accepted_and_skips_the_others_unchanged(new_petition, staff, land_bureau):
    petitions = [new_petition() for _ in range(30)]
    waiting = petitions[::6]  # 5 left registered
    for petition in petitions:
        if petition not in waiting:
            workflow.accept(petition, staff, at=AT["accept"])
    before = {p.id: Petition.get_by_id(p.id).__data__ for p in waiting}

    done, skipped = workflow.for_each(workflow.refer, petitions, land_bureau, staff, at=AT["refer"])

    assert len(done) == 25 and all(isinstance(referral, Referral) for referral in done)
    assert [p.id for p, _ in skipped] == [p.id for p in waiting]
    assert all(isinstance(error, NotAllowed) for _, error in skipped)
    assert {p.id: Petition.get_by_id(p.id).__data__ for p in waiting} == before
    assert not Referral.select().where(Referral.petition.in_([p.id for p in waiting])).exists()
    assert Petition.select().where(Petition.status == "referred").count() == 25


def test_bulk_referral_of_200_accepted_petitions(new_petition, staff, land_bureau):
    petitions = [workflow.accept(new_petition(), staff, at=AT["accept"]) for _ in range(200)]

    started = time.perf_counter()
    done, skipped = workflow.for_each(workflow.refer, petitions, land_bureau, staff, at=AT["refer"])
    elapsed = time.perf_counter() - started
    print("\nbulk referral of 200 petitions: %.2f s" % elapsed)

    assert (len(done), skipped) == (200, [])
    assert Petition.select().where(Petition.status == "referred").count() == 200
    assert Referral.select().where(Referral.department == land_bureau).count() == 200
    assert audit.verify_chain() is None


# -- (g) the steps offered in each status ------------------------------------------------------------------

AT_ANY_OPEN_STEP = ["classify", "convene", "form_group", "mediate", "void", "sign_off"]


@pytest.mark.parametrize("route, steps", [
    pytest.param("registered", ["accept", "reject"] + AT_ANY_OPEN_STEP, id="registered"),
    pytest.param("accepted", ["refer", "record_own_result", "extend"] + AT_ANY_OPEN_STEP, id="accepted"),
    pytest.param("extended", ["refer", "record_own_result"] + AT_ANY_OPEN_STEP, id="accepted-and-extended"),
    pytest.param("objected", ["refer", "record_own_result", "extend"] + AT_ANY_OPEN_STEP,
                 id="accepted-after-objection"),
    pytest.param("not_accepted", ["sign_off"], id="not_accepted"),
    pytest.param("referred", ["record_reply", "object", "extend"] + AT_ANY_OPEN_STEP, id="referred"),
    pytest.param("handled", ["answer", "extend"] + AT_ANY_OPEN_STEP, id="handled"),
    pytest.param("answered", ["follow_up", "request_review"] + AT_ANY_OPEN_STEP, id="answered"),
    pytest.param("followed_up", ["follow_up", "close", "request_review"] + AT_ANY_OPEN_STEP, id="followed_up"),
    pytest.param("closed", ["sign_off"], id="closed"),
    pytest.param("under_review", ["record_review"] + AT_ANY_OPEN_STEP, id="under_review"),
    pytest.param("reviewed", ["follow_up", "request_recheck"] + AT_ANY_OPEN_STEP, id="reviewed"),
    pytest.param("reviewed_followed_up", ["follow_up", "close"] + AT_ANY_OPEN_STEP, id="followed_up-after-review"),
    pytest.param("under_recheck", ["record_recheck"] + AT_ANY_OPEN_STEP, id="under_recheck"),
    pytest.param("rechecked", ["follow_up"] + AT_ANY_OPEN_STEP, id="rechecked"),
    pytest.param("void", [], id="void"),
    pytest.param("grouped", ["refer", "record_own_result", "extend", "classify", "convene", "mediate", "void", "sign_off"],
                 id="accepted-with-its-group"),
])
def test_allowed_steps_follow_the_status(story, route, steps):
    petition = story(route).petition
    assert workflow.allowed_steps(petition) == steps


def test_every_status_is_reached_by_a_route(story):
    assert set(ROUTES) >= {code for code, _ in STATUSES}
    for status, _ in STATUSES:
        assert story(status).petition.status == status


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_allowed_steps_and_check_agree_for_every_step_of_the_table(story, route):
    petition = story(route).petition
    offered = workflow.allowed_steps(petition)
    for step in workflow.ALLOWED:
        if step in offered:
            workflow.check(step, petition)
        else:
            with pytest.raises(NotAllowed):
                workflow.check(step, petition)


# -- (h) guards: the rules beyond the status, read from the table by check() and by the step alike ----------

@pytest.mark.parametrize("route, step", [
    pytest.param("extended", "extend", id="extend-once"),
    pytest.param("reviewed_followed_up", "request_review", id="request-review-once"),
    pytest.param("grouped", "form_group", id="one-1+3-group"),
])
def test_a_guard_refuses_with_the_same_message_through_check_and_the_step(story, route, step):
    s = story(route)
    guard, = workflow.ALLOWED[step].guards
    before = database_state(s.petition)
    with pytest.raises(NotAllowed) as by_check:
        workflow.check(step, s.petition)
    with pytest.raises(NotAllowed) as by_step:
        s.step(step, at=AT["follow_up"] + DAY)
    assert by_check.value.message == by_step.value.message == guard.refusal
    assert step not in workflow.allowed_steps(s.petition)
    assert database_state(s.petition) == before


def test_an_objection_is_a_step_of_the_table_recorded_once(story):
    s = story("referred")
    workflow.object_to_referral(s.referral, s.staff, "该事项不属于本单位职责范围。", at=AT["object"])
    records = list(StepRecord.select().where(StepRecord.step == "object"))
    assert [(r.status_before, r.status_after, r.note) for r in records] == [
        ("referred", workflow.LEADS_TO["object"], "该事项不属于本单位职责范围。")]
    entries = list(AuditEntry.select().where(AuditEntry.summary == "object"))
    assert len(entries) == 1 and entries[0].record_id == s.petition.id
    assert audit.verify_chain() is None


def test_an_objection_on_a_petition_no_longer_referred_is_refused_by_the_table(story):
    s = story("referred")
    workflow.void(s.petition, s.staff, "重复登记。", at=AT["refer"] + dt.timedelta(hours=1))
    before = database_state(s.petition)
    with pytest.raises(NotAllowed) as refused:
        s.step("object")
    assert refused.value.params["first"] == workflow.ALLOWED["object"].first
    assert Referral.get_by_id(s.referral.id).state == "sent"
    assert database_state(s.petition) == before


def test_every_step_a_role_may_take_is_a_step_of_the_table():
    from admin_app import permissions

    named = set().union(*(steps for steps in permissions.STEPS.values() if steps is not None))
    assert named <= set(workflow.STEPS)


def test_every_step_has_a_label_and_a_status_it_leads_to_or_keeps():
    statuses = {code for code, _ in STATUSES}
    for step, label in workflow.STEPS.items():
        assert label and label[0].isupper(), step
        assert (step in workflow.LEADS_TO) != (step in rules.KEEPS_STATUS), step
    assert set(workflow.LEADS_TO) | set(rules.KEEPS_STATUS) == set(workflow.STEPS)
    assert set(workflow.LEADS_TO.values()) <= statuses
    # every step starts from the table, but registering (from nothing) and the steps on other records
    assert set(workflow.ALLOWED) == set(workflow.STEPS) - {"register"} - set(rules.RECORD_STEPS)
    assert all(set(allowed.statuses) <= statuses for allowed in workflow.ALLOWED.values())
