"""Demo data: a fictional county's towns, departments, representatives, petitioners, petitions and visits.

seed_demo() fills an empty database through the models (so every record passes clean()) and the
petitions through models.workflow (so each has the steps, referrals, deadlines and audit entries of its
status), in one transaction, and gives the same data for the same `today` (random.Random(SEED)).
All people are made up.
"""
import datetime as dt
import itertools
import random

from . import workflow
from .audit import AuditEntry
from .casework import (
    FOLLOW_UP_METHODS, SESSIONS, VISIT_KINDS, Consultation, DutyShift, FollowUp, Mediation, Referral, ResolutionGroup,
    VisitLog, VisitRepresentative,
)
from .db import database, now
from .demo_texts import (
    APPROVER, CATEGORIES, CLOSINGS, COMMENTS, COMPANIES, DEPARTMENTS, ESTATES, FEMALE, HISTORY, HOTLINE_AREAS,
    HOTLINE_KEYWORDS, HOTLINE_KINDS, LAWYERS, LEADERS,
    LEGAL_BASES, MALE, MOBILE_PREFIXES, OUTCOMES, REJECTIONS, REPLIES, REP_NAMES, REP_PROFILES, STAFF, SURNAMES,
    TOWNS, VILLAGES, VISIT_PLACES, VISIT_SUMMARIES,
)
from .errors import N_, NotAllowed
from .hotline_mapping import HotlineMapping
from .organisation import Category, Department
from .people import REPRESENTATIVE_KINDS, Petitioner, Representative, Team
from .petition import IN_PERSON_CHANNELS, CoPetitioner, Petition, StepRecord
from .validation import id_check_character
from .workflow import TEAM_OF

SEED = 20221209
REGIONS = ("371526",) * 9 + ("371502",)  # the county, and now and then a neighbouring district
CASE_AT = dt.datetime(2022, 12, 9, 9, 30)  # the county's case: 刘某, roving reception
CASE_SUBJECT = "宅基地及共用道路纠纷"
CASE_CLOSED = dt.date(2023, 1, 12)  # the last step of the county's case

STATUS_WEIGHTS = {"registered": 6, "accepted": 6, "not_accepted": 3, "referred": 10, "handled": 8, "answered": 6,
                  "followed_up": 6, "closed": 40, "void": 1, "under_review": 2, "reviewed": 2, "under_recheck": 1,
                  "rechecked": 1}
# Days before today that a petition now in each status was received: open ones recent, finished ones older.
STATUS_AGE = {"registered": (0, 6), "accepted": (1, 14), "not_accepted": (3, 500), "referred": (5, 50),
              "handled": (20, 66), "answered": (25, 70), "followed_up": (30, 90), "closed": (60, 900),
              "void": (10, 500), "under_review": (35, 55), "reviewed": (60, 300), "under_recheck": (70, 90),
              "rechecked": (100, 600)}
# The workflow steps that lead to each status (classify, 1+3 group, 会诊, objection, extension, mediation are added).
HANDLING = ("accept", "refer", "record_reply", "answer")
REVIEWS = HANDLING + ("follow_up", "request_review", "record_review", "request_recheck", "record_recheck")
ROUTES = dict({"registered": (), "accepted": ("accept",), "not_accepted": ("reject",), "void": ("void",),
               "referred": HANDLING[:2], "handled": HANDLING[:3], "answered": HANDLING,
               "followed_up": HANDLING + ("follow_up",), "closed": HANDLING + ("follow_up", "close")},
              **{status: REVIEWS[:6 + i] for i, status in enumerate(("under_review", "reviewed", "under_recheck",
                                                                     "rechecked"))})
# Days after the step before: (fewest, most). Scaled down when a petition is too recent for them all.
GAPS = {"accept": (0, 2), "reject": (1, 6), "void": (1, 8), "classify": (0, 1), "form_group": (1, 2), "refer": (1, 5),
        "object": (1, 3), "convene": (2, 6), "extend": (20, 30), "mediate": (3, 10), "record_reply": (7, 30),
        "answer": (1, 4), "follow_up": (3, 10), "close": (0, 3), "request_review": (2, 10), "record_review": (10, 25),
        "request_recheck": (3, 12), "record_recheck": (10, 25)}
CHANNEL_WEIGHTS = {"visit": 30, "online": 20, "letter": 8, "phone": 10, "fax": 1, "leader_reception": 5,
                   "appointment": 5, "downward_visit": 5, "roving_reception": 6, "hotline": 10}
CATEGORY_WEIGHTS = {"土地宅基地": 18, "邻里纠纷": 12, "劳动社保": 12, "城乡建设": 14, "环境保护": 10, "涉法涉诉": 8,
                    "民政救助": 10, "农业农村": 10, "其他": 5}
# 谁主管、谁负责: the organ each category goes to; None is the petitioner's own town (属地管理).
CATEGORY_DEPARTMENTS = {"土地宅基地": ("县自然资源局", None), "邻里纠纷": (None,), "劳动社保": ("县人社局",),
                        "城乡建设": ("县住建局",), "环境保护": ("县生态环境分局",), "涉法涉诉": ("县法院", "县司法局"),
                        "民政救助": ("县民政局",), "农业农村": ("县农业农村局", None), "其他": ("县公安局", None)}
OUTCOME_OF = {"reasonable": ("support",) * 4 + ("explain",), "unreasonable": ("explain", "reject"),
              "hardship": ("support",), "unlawful": ("explain",), "unclassified": ("explain",)}
EVALUATION_DRAW = ("satisfied",) * 7 + ("basically",) * 3  # 7 in 10 satisfied
UNCLASSIFIED = ("registered", "accepted", "not_accepted", "void")  # not yet (or never) classified


def _spread(rng, weights, n):
    """n codes: each code at least once, the rest drawn by weight, shuffled."""
    codes = list(weights)
    picks = codes + rng.choices(codes, weights=[weights[c] for c in codes], k=n - len(codes))
    rng.shuffle(picks)
    return picks


def _id_number(rng, born, male):
    first17 = "%s%s%02d%s" % (rng.choice(REGIONS), born.strftime("%Y%m%d"), rng.randint(0, 99),
                              rng.choice("13579" if male else "02468"))
    return first17 + id_check_character(first17)


def _mobile(rng):
    return rng.choice(MOBILE_PREFIXES) + "%08d" % rng.randint(0, 99999999)


def _resident(petitioner):
    return "村民" if petitioner.village.endswith("村") else "居民"


def _fill(rng, text, petitioner=None, **extra):
    town = petitioner.town.name if petitioner and petitioner.town_id else rng.choice(TOWNS)[0]
    values = dict(v=petitioner.village if petitioner else rng.choice(VILLAGES), t=town, c=rng.choice(COMPANIES),
                  e=rng.choice(ESTATES), n=rng.randint(2, 12), y=rng.randint(2015, 2023))
    values.update(extra)
    return text.format(**values)


def _organs(rng):
    for kind, rows in (("town", TOWNS), ("county", DEPARTMENTS)):
        for name, short in rows:
            Department.create(name=name, short_name=short, kind=kind, contact_person=rng.choice(SURNAMES) + "某",
                              phone="0635-%d" % rng.randint(2100000, 8999999))
    categories = {name: Category.create(name=name, position=i * 10) for i, name in enumerate(CATEGORIES, 1)}
    _hotline_mappings(categories)
    return list(Department.select().where(Department.kind == "town").order_by(Department.id)), categories


def _hotline_mappings(categories):
    """12345 对应关系: old and colloquial area names, the hotline's request types, a few telling keywords."""
    for source, town in HOTLINE_AREAS:
        HotlineMapping.create(kind="area", source=source, town=Department.get(Department.name == town))
    for kind, rows in (("kind", HOTLINE_KINDS), ("keyword", HOTLINE_KEYWORDS)):
        for i, (source, category) in enumerate(rows, 1):
            HotlineMapping.create(kind=kind, source=source, category=categories[category], position=i * 10)


def _representatives(rng, towns):
    teams = list(Team.select().order_by(Team.id))
    kinds = [code for code, _ in REPRESENTATIVE_KINDS]
    reps = []
    for i, name in enumerate(REP_NAMES):
        sector, unit, post = REP_PROFILES[i % len(REP_PROFILES)]
        reps.append(Representative.create(
            name=name, kind=kinds[i % 3], level="county" if i % 7 else ("city", "province")[i // 7 % 2],
            sector=sector, work_unit=_fill(rng, unit, t=rng.choice(towns).name), post=post,
            phone=_mobile(rng), team=teams[i // 3 % 3] if i < 18 else None))
    return reps


def _petitioners(rng, towns):
    names, town_names = set(), {town.id: town.name for town in towns}
    town_of = _spread(rng, {town.id: 1 for town in towns}, 60)
    people = []  # the first is the county's case, 刘某
    for i, town_id in enumerate(town_of):
        male = rng.random() < 0.55
        name = "刘某某" if i == 0 else rng.choice(SURNAMES) + rng.choice(MALE if male else FEMALE)
        while name in names:
            name = rng.choice(SURNAMES) + rng.choice(MALE if male else FEMALE)
        names.add(name)
        born = dt.date(rng.randint(1945, 2002), 1, 1) + dt.timedelta(days=rng.randint(0, 364))
        village = "后屯村" if i == 0 else rng.choice(VILLAGES)
        people.append(Petitioner.create(
            name=name, alias="刘某" if i == 0 else (name[0] + "某" if i % 3 == 0 else None),
            id_number=_id_number(rng, born, male), phone=_mobile(rng), town=town_id, village=village,
            address="%s%s%d号" % (town_names[town_id], village, rng.randint(1, 120)),
            hardship=i % 6 == 5))
    return people


def _received(rng, cap, age, channel):
    """A received time in office hours, `age` (fewest, most) days before cap; visits on working days."""
    day = cap.date() - dt.timedelta(days=rng.randint(*age))
    while channel in IN_PERSON_CHANNELS and day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    at = dt.datetime.combine(day, dt.time(rng.randint(8, 16), rng.choice((0, 10, 20, 30, 40, 50))))
    if at > cap:  # today, before the office opened: earlier still
        at = cap - dt.timedelta(minutes=rng.randint(10, 60))
    if at <= CASE_AT:  # a demo whose today is soon after the county's case: spread over the days since
        at = min(CASE_AT + dt.timedelta(days=rng.randint(0, (cap - CASE_AT).days), hours=rng.randint(1, 6)), cap)
    return at


def _schedule(rng, start, cap, names):
    """Times for the steps `names` after `start`: in order, on working days where there is room, none after cap."""
    gaps = [rng.randint(*GAPS[name]) for name in names]
    room, total = max((cap.date() - start.date()).days - 1, 0), sum(gaps)
    times, last, offset = [], start, 0
    for gap in gaps:
        offset += gap
        day = max(start.date() + dt.timedelta(days=offset * room // total if total > room else offset), last.date())
        while day.weekday() >= 5 and (day - start.date()).days < room:
            day += dt.timedelta(days=1)
        at = dt.datetime.combine(day, dt.time(rng.randint(8, 16), rng.choice((0, 15, 30, 45))))
        last = min(max(at, last + dt.timedelta(minutes=rng.randint(10, 40))), cap)
        times.append(last)
    return times


def _steps(row):
    """The workflow steps that bring the row to its status, with the optional ones the row was given."""
    steps = list(ROUTES[row["status"]])

    def after(step, *extra):
        i = len(steps) - steps[::-1].index(step)
        steps[i:i] = extra

    if row["classification"] != "unclassified":
        after("accept", "classify")
    for key, extra in (("group", ("form_group",)), ("objected", ("object", "refer")), ("mediated", ("mediate",)),
                       ("extended", ("extend",)), ("convened", ("convene",))):
        if row.get(key):
            after("classify" if key == "group" else "refer", *extra)
    return steps


def _group(rng, row, reps, town):
    """A "1+3" group: a representative of the row's team, the town's petition officer, a mediator, a lawyer."""
    members = [rep for rep in reps if row["team"] and rep.team_id == row["team"].id] or reps
    row.update(rep=rng.choice(members), officer="%s信访办 %s" % (town.name, town.contact_person),
               mediator="%s人民调解委员会 %s某" % (town.name, rng.choice(SURNAMES)), lawyer=rng.choice(LAWYERS))


def _take(rng, step, petition, row, at, by, cap):
    """One workflow step of a demo petition, with plausible texts."""
    town, category = petition.town, row["category"].name
    if step == "accept":
        workflow.accept(petition, by, at=at)
    elif step == "reject":
        workflow.reject(petition, by, *rng.choice(REJECTIONS), at=at)
    elif step == "void":
        workflow.void(petition, by, "同一事项重复登记，已并入在办信访事项。", at=at)
    elif step == "classify":
        workflow.classify(petition, by, row["classification"], at=at)
    elif step == "form_group":
        workflow.form_group(petition, by, row["rep"], row["officer"], row["mediator"], row["lawyer"], at=at)
    elif step == "refer":
        department = row.pop("wrong", None) or row["department"]
        row["referral"] = workflow.refer(petition, department, by, mode=row["mode"], at=at,
                                         instructions="请依法调查处理，按时报送办结报告。")
    elif step == "object":
        workflow.object_to_referral(row["referral"], by, "该事项不属于本单位职责范围，建议交%s办理。"
                                    % row["department"].name, at=at)
    elif step == "convene":
        place = "涉法涉诉一站式协调中心" if category == "涉法涉诉" else "%s一站式矛调中心" % town.name
        consultation = workflow.convene([petition], by, at, place, "研究“%s”的化解方案。" % petition.subject,
                                        [row["rep"], row["convened"]], [(row["department"].contact_person or "张某",
                                                                 "department_staff", row["department"].name),
                                                                (row["lawyer"], "lawyer", None)])
        workflow.conclude(consultation, by, "明确由%s牵头办理，%s配合，1+3化解小组跟进，限期化解。"
                          % (row["department"].name, town.name), minutes="与会人员逐一发表意见，形成一致意见。",
                          follow_up_tasks="十五日内反馈办理进展。", at=min(at + dt.timedelta(hours=2), cap))
    elif step == "extend":
        workflow.extend(petition, by, rng.choice((15, 20, 30)), rng.choice(
            ("案情复杂，需会同多个部门现场勘测核实。", "涉及历史遗留问题，需调取档案资料。")), APPROVER, at=at)
    elif step == "mediate":
        workflow.mediate(petition, by, "%s；被反映人%s某某" % (petition.petitioner.name, rng.choice(SURNAMES)),
                         row["mediator"], "%s一站式矛调中心" % town.name,
                         "双方就“%s”自愿达成调解协议，约定三十日内履行完毕，协议自双方签字之日起生效。" % petition.subject,
                         at.date(), lawyer=row["lawyer"], at=at, committee="%s人民调解委员会" % town.name)
    elif step == "record_reply":
        workflow.record_reply(row["referral"], by, row["outcome"], *REPLIES[row["outcome"]], LEGAL_BASES[category],
                              at=at)
    elif step == "answer":
        workflow.answer(petition, by, at=at)
    elif step == "follow_up":
        evaluation = "dissatisfied" if "request_review" in ROUTES[row["status"]] else rng.choice(EVALUATION_DRAW)
        workflow.follow_up(petition, by, at.date(), rng.choice([code for code, _ in FOLLOW_UP_METHODS]), evaluation,
                           COMMENTS[evaluation], at=at)
    elif step == "close":
        workflow.close(petition, by, at=at)
    elif step in ("request_review", "request_recheck"):
        getattr(workflow, step)(petition, by, at=at)
    elif step == "record_review":
        workflow.record_review(petition, by, "经复查，原处理意见认定事实清楚、适用依据正确，予以维持。", at=at)
    elif step == "record_recheck":
        workflow.record_recheck(petition, by, "经复核，复查意见认定事实清楚、程序合法，予以维持。", at=at)


def _rows(rng, people, categories, reps, cap):
    """The 99 petitions besides the county's case: what they say, when they came, how far they have gone."""
    n = 99
    channels, cats, statuses = (_spread(rng, CHANNEL_WEIGHTS, n), _spread(rng, CATEGORY_WEIGHTS, n),
                                _spread(rng, STATUS_WEIGHTS, n))
    who = rng.sample(people[1:], len(people) - 1) + rng.choices(people[1:], k=n - len(people) + 1)  # 刘某: one case
    departments = {d.name: d for d in Department.select()}
    teams = {team.code: team for team in Team.select()}
    classes = iter(_spread(rng, {"reasonable": 10, "unreasonable": 5, "hardship": 3, "unlawful": 1},
                           sum(status not in UNCLASSIFIED for status in statuses)))
    rows = []
    for channel, cat, petitioner, status in zip(channels, cats, who, statuses):
        subject, facts, request, collective = rng.choice(CATEGORIES[cat])
        collective = collective and rng.random() < 0.5
        head_count = rng.randint(5, 60) if collective else 1
        opening = ("信访人代表%s等%d人反映：" % (petitioner.name, head_count) if collective else
                   "信访人%s，%s%s%s。" % (petitioner.name, petitioner.town.name, petitioner.village, _resident(petitioner)))
        content = "".join((opening, _fill(rng, facts, petitioner), _fill(rng, rng.choice(HISTORY), petitioner),
                           request, rng.choice(CLOSINGS)))
        classification = "unclassified" if status in UNCLASSIFIED else next(classes)
        organ = "县公安局" if classification == "unlawful" else rng.choice(CATEGORY_DEPARTMENTS[cat])
        rows.append(dict(
            petitioner=petitioner, channel=channel, received_at=_received(rng, cap, STATUS_AGE[status], channel),
            category=categories[cat], subject=_fill(rng, subject, petitioner), content=content,
            is_collective=collective, head_count=head_count, status=status, classification=classification,
            team=teams.get(TEAM_OF.get(classification)), department=departments[organ] if organ else petitioner.town,
            mode="transfer" if cat == "涉法涉诉" or classification == "unlawful" else "assign",
            outcome=rng.choice(OUTCOME_OF[classification])))
    hard = [row for row in rows if row["is_collective"] or row["status"] in REVIEWS]
    for row in rng.sample(hard, min(5, len(hard))):
        row["leader_in_charge"] = rng.choice(LEADERS)
    referred = [row for row in rows if "record_reply" in ROUTES[row["status"]] and row["classification"] in TEAM_OF]
    grouped = rng.sample(referred, 6)
    for row in grouped:
        row["group"] = True
        _group(rng, row, reps, row["petitioner"].town)
    for row in rng.sample(grouped, 3):
        row["mediated"] = True
    for row in rng.sample(grouped, 2):  # 会诊: the group's representative and one more
        row["convened"] = rng.choice([rep for rep in reps if rep != row["rep"]])
    others = [row for row in referred if row not in grouped]
    for row in rng.sample(others, 3):
        row["extended"] = True
    late = [row for row in rows if row["status"] in ("referred", "handled") and not row.get("extended")]
    for row in rng.sample(late, 2):  # a couple the office is late with: past the 60 days (已超期)
        row["received_at"] = _received(rng, cap, (66, 75), row["channel"])
    objected = rng.choice([row for row in others if not row.get("extended")])
    objected["objected"] = True
    objected["wrong"] = departments["县住建局" if objected["department"].name != "县住建局" else "县民政局"]
    return rows


def _county_case(case, reps, by):
    """刘某's homestead and shared-road dispute, from the roving reception on 9 December 2022 to its closing."""
    town, bureau = case.town, Department.get(Department.name == "县自然资源局")
    wang = next(rep for rep in reps if rep.name == "王春月")
    officer, mediator = "%s信访办 %s" % (town.name, town.contact_person), "%s人民调解委员会 赵某" % town.name
    lawyer = LAWYERS[0]

    def at(month, day, hour, minute=0):
        return dt.datetime(2022 if month == 12 else 2023, month, day, hour, minute)

    workflow.classify(case, by, "reasonable", at=at(12, 9, 10))
    workflow.accept(case, by, at=at(12, 9, 10, 30))
    workflow.form_group(case, by, wang, officer, mediator, lawyer, at=at(12, 12, 9))
    referral = workflow.refer(case, bureau, by, mode="assign", at=at(12, 12, 10),
                              instructions="请会同%s现场核实宅基地界址及共用道路现状，依法处理并报送办结报告。" % town.name)
    consultation = workflow.convene(
        [case], by, at(12, 15, 9), "%s一站式矛调中心" % town.name, "研究刘某宅基地及共用道路纠纷的化解方案。",
        [wang] + [rep for rep in reps if rep.name == "李明华"],
        [(bureau.contact_person, "department_staff", bureau.name), (lawyer, "lawyer", None),
         (mediator, "mediator", town.name)])
    workflow.conclude(consultation, by, "由县自然资源局现场勘测确认界址，%s牵头组织调解，恢复共用道路通行。" % town.name,
                      minutes="与会人员查看了现场照片和宅基地使用证，一致认为应以原界址为准。",
                      follow_up_tasks="12月20日前组织双方调解。", at=at(12, 15, 11))
    workflow.mediate(case, by, "刘某某（信访人）；张某某（原邻居）", mediator, "%s一站式矛调中心" % town.name,
                     "一、张某某于2023年1月5日前拆除外扩院墙，按原界址重建；二、两家共用道路保持三米宽通行，任何一方不得占用；"
                     "三、双方不再就此事发生争执。", dt.date(2022, 12, 20), lawyer=lawyer, at=at(12, 20, 15),
                     committee="%s人民调解委员会" % town.name, dispute_facts="原邻居翻建房屋时院墙外扩，占用两家共用道路。",
                     disputed_matters="宅基地界址及共用道路的通行。")
    workflow.record_reply(referral, by, "support", "经现场勘测，原邻居翻建房屋时院墙外扩约四十厘米，占用共用道路属实。",
                          "支持信访人确认宅基地界址、恢复共用道路通行的请求。", "《中华人民共和国民法典》第二百八十八条",
                          at=at(12, 28, 10))
    workflow.answer(case, by, at=at(12, 30, 9))
    workflow.follow_up(case, by, dt.date(2023, 1, 10), "home", "satisfied", "外扩院墙已拆除，道路恢复通行，信访人表示满意。",
                       at=at(1, 10, 10))
    workflow.close(case, by, at=at(1, 12, 9))


def _petitions(rng, people, categories, reps, admin_user, cap):
    """Register the petitions in the order received (their numbers follow it) and take each one's steps."""
    case = dict(petitioner=people[0], channel="roving_reception", received_at=CASE_AT, category=categories["土地宅基地"],
                subject=CASE_SUBJECT, content=(
                    "信访人刘某，%s%s%s。信访人与原邻居因宅基地界址及两家共用道路的使用发生纠纷。原邻居翻建房屋时将院墙外扩，"
                    "占用两家共用道路，致使信访人家中农用车辆无法通行。双方经村委会多次调解未果，矛盾逐步激化。"
                    "信访人在县信访局巡回接访时到场反映，请求依法确认宅基地界址，恢复共用道路通行。"
                ) % (people[0].town.name, people[0].village, _resident(people[0])))
    fields = ("petitioner", "channel", "received_at", "category", "subject", "content", "is_collective", "head_count",
              "leader_in_charge")
    for row in sorted(_rows(rng, people, categories, reps, cap) + [case], key=lambda row: row["received_at"]):
        petition = workflow.register(Petition(
            town=row["petitioner"].town, village=row["petitioner"].village, registered_by=admin_user,
            created_at=row["received_at"], **{name: row[name] for name in fields if name in row}), admin_user)
        if row.get("is_collective") or rng.random() < 0.05:
            same_town = [p for p in people if p.town_id == row["petitioner"].town_id and p.id != row["petitioner"].id]
            wanted = rng.randint(2, 4) if row.get("is_collective") else 1  # at most 5 come in person
            for other in rng.sample(same_town, min(len(same_town), wanted)):
                CoPetitioner.create(petition=petition, petitioner=other)
        if row is case:
            _county_case(petition, reps, admin_user)
            continue
        steps = _steps(row)
        for step, at in zip(steps, _schedule(rng, row["received_at"], cap, steps)):
            _take(rng, step, petition, row, at, admin_user, cap)


def _visits(rng, petitions, reps, towns, cap):
    case = next(p for p in petitions if p.received_at == CASE_AT and p.subject == CASE_SUBJECT)
    wang = next(rep for rep in reps if rep.name == "王春月")
    visit = VisitLog.create(
        visited_at=CASE_AT, kind="reception", place="%s一站式矛调中心" % case.town.name, petition=case,
        petitioner=case.petitioner, staff=STAFF[3],
        summary="县信访局到%s巡回接访，代表委员王春月接待信访人刘某，听取其关于宅基地及共用道路纠纷的诉求，查看了相关材料。"
                % case.town.name, outcome="登记信访事项，拟会同%s和县自然资源局现场核实界址。" % case.town.name)
    for rep in (wang, rng.choice([rep for rep in reps if rep is not wang])):
        VisitRepresentative.create(visit=visit, representative=rep)
    petitions, used = [p for p in petitions if p.id != case.id], {kind: 0 for kind, _ in VISIT_KINDS}
    for kind in _spread(rng, {kind: 1 for kind, _ in VISIT_KINDS}, 39):
        places = VISIT_PLACES[kind]
        place, used[kind] = places[used[kind] % len(places)], used[kind] + 1
        if kind == "return_visit":
            pool = [p for p in petitions if p.answered_at is not None]
        elif kind == "reception":
            pool = [p for p in petitions if p.channel in IN_PERSON_CHANNELS]
        elif kind in ("on_duty", "outreach"):
            pool = []
        else:
            pool = [p for p in petitions if p.status not in ("registered", "void")]
        petition = rng.choice(pool) if pool else None
        if petition is None:
            at = _received(rng, cap, (1, 700), "visit")
        elif kind == "reception":
            at = petition.received_at
        else:
            after, days = (petition.answered_at, 10) if kind == "return_visit" else (petition.received_at, 45)
            at = dt.datetime.combine(after.date() + dt.timedelta(days=rng.randint(1, days)),
                                     dt.time(rng.randint(9, 16), rng.choice((0, 30))))
        town = petition.town if petition else rng.choice(towns)
        summary = VISIT_SUMMARIES[kind].format(n=rng.randint(2, 15), s=petition.subject if petition else "",
                                               t=town.name, v=petition.village if petition else rng.choice(VILLAGES))
        visit = VisitLog.create(visited_at=min(at, cap), kind=kind, place=place, petition=petition,
                                petitioner=petition.petitioner if petition else None, staff=rng.choice(STAFF),
                                summary=summary, outcome=rng.choice(OUTCOMES))
        chosen = rng.sample(reps, rng.randint(1, 3))
        if petition and petition.lead_representative and petition.lead_representative not in chosen:
            chosen.append(petition.lead_representative)
        for rep in chosen:
            VisitRepresentative.create(visit=visit, representative=rep)


def _duty_shifts(reps, today):
    """坐诊: this week's and next week's working days (and today, whatever day it is), morning and afternoon,
    one representative each, in turn, at 联合接访大厅."""
    monday = today - dt.timedelta(days=today.weekday())
    days = sorted({monday + dt.timedelta(days=i) for i in range(14) if i % 7 < 5} | {today})
    turn = itertools.cycle(reps)
    for day in days:
        for session, _ in SESSIONS:
            DutyShift.create(representative=next(turn), on_date=day, session=session, place="联合接访大厅")


def seed_demo(admin_user=None, today=None):
    """Fill an empty database with the demo county; return counts. Raise NotAllowed if it holds data.

    today (default date.today()) is the last day anything happens; it cannot lie after the real date
    (nothing may be received in the future) nor before the county's case was closed (2023-1-12): ValueError.
    Every petition gets to its status through models.workflow, so its steps, referrals, follow-ups,
    deadlines and audit entries are those the office would have; duty shifts cover this week and next.
    """
    today = today or dt.date.today()
    if not CASE_CLOSED <= today <= dt.date.today():
        raise ValueError("today must lie between %s and the real date" % CASE_CLOSED)
    if Department.select().exists() or Petition.select().exists() or Petitioner.select().exists():
        raise NotAllowed(N_("The demo data goes only into an empty database."))
    rng = random.Random(SEED)
    cap = min(dt.datetime.combine(today, dt.time(17, 30)), now())
    with database.atomic():
        towns, categories = _organs(rng)
        reps = _representatives(rng, towns)
        people = _petitioners(rng, towns)
        _petitions(rng, people, categories, reps, admin_user, cap)
        _visits(rng, list(Petition.select().order_by(Petition.id)), reps, towns, cap)
        _duty_shifts(reps, today)
    counted = (Department, Category, Representative, Petitioner, Petition, CoPetitioner, VisitLog, VisitRepresentative,
               StepRecord, Referral, Consultation, ResolutionGroup, Mediation, FollowUp, DutyShift, AuditEntry)
    return {model._meta.table_name: model.select().count() for model in counted}
