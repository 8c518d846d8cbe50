"""Demo data: a fictional county's towns, departments, representatives, petitioners, petitions and visits.

seed_demo() fills an empty database through the models (so every record passes clean()), in one
transaction, and gives the same data for the same `today` (random.Random(SEED)). All people are made up.
"""
import datetime as dt
import random

from .casework import VISIT_KINDS, VisitLog, VisitRepresentative
from .db import database, now
from .errors import N_, NotAllowed
from .organisation import Category, Department
from .people import REPRESENTATIVE_KINDS, Petitioner, Representative, Team
from .petition import CoPetitioner, Petition
from .validation import id_check_character

SEED = 20221209
REGIONS = ("371526",) * 9 + ("371502",)  # the county, and now and then a neighbouring district
CASE_AT = dt.datetime(2022, 12, 9, 9, 30)  # the county's case: 刘某, roving reception
CASE_SUBJECT = "宅基地及共用道路纠纷"

TOWNS = (("城关街道", "城关"), ("东城街道", "东城"), ("高桥镇", "高桥"), ("柳林镇", "柳林"), ("河西镇", "河西"),
         ("石桥镇", "石桥"), ("杨集镇", "杨集"), ("梁庄镇", "梁庄"), ("清河镇", "清河"), ("新店镇", "新店"),
         ("马集乡", "马集"), ("南湖乡", "南湖"))
DEPARTMENTS = (("县信访局", "高信访"), ("县自然资源局", "高自然资源"), ("县人社局", "高人社"), ("县住建局", "高住建"),
               ("县生态环境分局", "高环"), ("县民政局", "高民政"), ("县农业农村局", "高农业农村"), ("县公安局", "高公"),
               ("县司法局", "高司"), ("县法院", "高法"))
VILLAGES = ("王庄村", "李楼村", "前进村", "后屯村", "张营村", "刘堤口村", "赵寨村", "孙店村", "大杨村", "小胡庄村",
            "东关社区", "西关社区", "北街社区", "南苑社区")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾田董袁潘于蒋蔡杜程魏吕丁任姚姜崔"
MALE = ("建国", "志强", "春生", "国庆", "振华", "德胜", "明亮", "保国", "永刚", "长河", "晓东", "俊杰", "新民", "福林", "立新")
FEMALE = ("秀英", "桂兰", "玉梅", "海燕", "丽华", "淑珍", "红梅", "金凤", "凤英", "玉兰", "爱华", "翠花", "秋菊", "春燕", "美玲")
MOBILE_PREFIXES = ("138", "139", "135", "150", "151", "152", "158", "159", "186", "187", "133", "153", "177", "199")
COMPANIES = ("鑫源纺织有限公司", "宏达机械厂", "金丰食品有限公司", "华盛建筑工程公司", "绿野农业科技公司", "恒通物流有限公司")
ESTATES = ("锦绣花园", "阳光名苑", "康泰小区", "翰林府")
LEADERS = ("副县长 张某某", "副县长 赵某某", "县委常委、政法委书记 李某某", "县人大常委会副主任 孙某某")
STAFF = ("接访员 陈某", "接访员 周某", "接访员 郑某", "信访局副局长 韩某")
REP_PROFILES = (  # sector, work unit, post
    ("农业界", "{t}{v}党支部", "党支部书记"), ("教育界", "县第一中学", "教师"), ("法律界", "明正律师事务所", "律师"),
    ("医药卫生界", "县人民医院", "副院长"), ("经济界", "{c}", "董事长"), ("社会福利界", "{t}{v}", "居委会主任"),
    ("农业界", "{t}{v}", "村委会主任"), ("工商联界", "县个体劳动者协会", "副会长"))
REP_NAMES = ("王春月", "李明华", "张淑芬", "刘振东", "陈立平", "杨海峰", "赵玉霞", "黄德明", "周丽萍", "吴建军",
             "徐桂芝", "孙志远", "马秀云", "朱卫国", "胡晓燕", "郭长青", "何文静", "高建设", "林玉洁", "罗永生")

# category: (subject, facts, request, may be collective); {v} village, {t} town, {c} company, {e} estate,
# {n} a number, {y} a year
CATEGORIES = {
    "土地宅基地": (
        ("{v}宅基地界址争议", "信访人与邻居因宅基地界址发生争执，邻居翻建房屋时将院墙向信访人一侧外扩约{n}0厘米。", "请求依法确认界址，恢复原状。", False),
        ("反映{v}承包地被调整给他人耕种", "信访人家中{n}亩承包地于{y}年被村里调整给他人耕种，至今未得到任何补偿。", "请求返还承包地或给予合理补偿。", False),
        ("对{v}土地征收补偿标准有异议", "{v}部分土地被征收用于道路建设，群众认为地上附着物补偿标准偏低，与邻村不一致。", "请求公开补偿标准并重新核算。", True)),
    "邻里纠纷": (
        ("与邻居排水纠纷", "邻居建房后将雨水管直接排向信访人院内，雨天院内积水严重，双方多次争吵。", "请求协调邻居改造排水设施。", False),
        ("邻里积怨引发推搡", "信访人与邻居因琐事积怨多年，近日双方发生推搡，信访人受轻微伤。", "请求依法处理并调解双方矛盾。", False),
        ("邻居种树遮挡采光", "邻居在两家之间种植杨树十余棵，树冠遮挡信访人房屋采光，树根破坏院墙。", "请求协调邻居移栽树木。", False)),
    "劳动社保": (
        ("{c}拖欠工资", "信访人等在{c}务工，公司自{y}年起拖欠工资共计约{n}万元，多次讨要未果。", "请求督促公司支付拖欠工资。", True),
        ("养老保险缴费年限认定有异议", "信访人原在乡镇企业工作{n}年，办理退休时部分工龄未被认定为视同缴费年限。", "请求重新核定缴费年限。", False),
        ("工伤认定迟迟未办", "信访人在{c}工作时受伤，公司不承认存在劳动关系，工伤认定至今未办。", "请求协助确认劳动关系并认定工伤。", False)),
    "城乡建设": (
        ("{e}小区不动产权证迟迟未办", "信访人于{y}年购买{e}小区商品房，开发商至今未办理不动产权证书。", "请求督促开发商尽快办证。", True),
        ("旧城改造安置房未按期交付", "信访人房屋于{y}年纳入旧城改造，安置房逾期未交付，过渡费已停发{n}个月。", "请求尽快交付安置房并补发过渡费。", True),
        ("{v}主路破损严重", "{v}主路多年未修，雨后泥泞，群众出行困难，学生上学不便。", "请求将该路段纳入道路维修计划。", False)),
    "环境保护": (
        ("{c}夜间噪声扰民", "{c}夜间生产噪声大，附近居民长期无法正常休息。", "请求责令企业整改，限制夜间生产。", True),
        ("养殖场异味污染", "{v}附近一处生猪养殖场粪污直排，气味刺鼻，夏季尤为严重。", "请求依法查处并督促治理。", True),
        ("河道被倾倒建筑垃圾", "{v}东侧河道内近期被人倾倒大量建筑垃圾，影响行洪。", "请求查明倾倒者并清理河道。", False)),
    "涉法涉诉": (
        ("民事判决执行不到位", "信访人与他人民间借贷纠纷一案经县法院判决胜诉，对方至今未履行，{n}万元执行款未到位。", "请求加大执行力度。", False),
        ("对交通事故责任认定有异议", "信访人家属在交通事故中受伤，信访人认为事故责任认定不公。", "请求重新调查事故经过。", False)),
    "民政救助": (
        ("申请最低生活保障", "信访人家庭{n}口人，配偶长期患病，无固定收入，申请低保未获批准。", "请求重新审核低保资格。", False),
        ("残疾人两项补贴停发", "信访人系肢体残疾，自{y}年起残疾人两项补贴停发，原因不明。", "请求核实并恢复发放。", False),
        ("申请临时救助", "信访人家中遭遇火灾，房屋部分烧毁，生活陷入困难。", "请求给予临时救助。", False)),
    "农业农村": (
        ("耕地地力保护补贴少发", "信访人承包耕地{n}亩，{y}年耕地地力保护补贴发放面积少算。", "请求核实面积并补发。", False),
        ("{v}集体收支不公开", "群众认为{v}集体土地租金收支多年未公开。", "请求审计村集体账目并公开。", True),
        ("购买假种子造成减产", "信访人从镇上农资店购买的玉米种子出苗率低，{n}亩地减产严重。", "请求查处并赔偿损失。", False)),
    "其他": (
        ("咨询户籍迁移政策", "信访人子女在外地就业，咨询将户口迁回原籍的条件和流程。", "请求给予政策解答。", False),
        ("对窗口办事效率有意见", "信访人到县政务服务中心办理登记，因材料问题往返{n}次。", "请求一次性告知所需材料并改进服务。", False)),
}
HISTORY = ("信访人称此前已多次向村委会反映，问题一直未得到解决。", "信访人称镇里组织过一次调解，双方未达成一致。",
           "信访人提供了现场照片和相关材料复印件。", "信访人称该问题已持续{n}年，影响家庭正常生活。")
CLOSINGS = ("信访人情绪较为激动，经接访人员疏导后趋于平稳。", "接访人员已告知信访人办理程序和时限。",
            "信访人表示愿意配合调查，希望尽快得到答复。")
VISIT_PLACES = {"on_duty": ("联合接访大厅",), "interview": ("心理咨询室", "联合接访大厅"),
                "outreach": ("村（社区）现场", "企业现场"), "reception": ("联合接访大厅", "领导接访室"),
                "hearing": ("镇街一站式矛调中心",), "case_study": ("涉法涉诉一站式协调中心", "镇街一站式矛调中心"),
                "appointment": ("领导接访室",), "downward_visit": ("村（社区）现场", "镇街一站式矛调中心"),
                "return_visit": ("村（社区）现场",)}
VISIT_SUMMARIES = {
    "on_duty": "代表委员在工作室坐诊，接待来访群众{n}批次，现场解答政策咨询。",
    "interview": "与信访人深入交谈，了解“{s}”的来龙去脉，找准问题症结。",
    "outreach": "到{t}{v}出诊，走访群众{n}户，收集反映问题若干条。",
    "reception": "接待信访人，听取其关于“{s}”的诉求，查阅相关材料。",
    "hearing": "就“{s}”组织听访会，邀请群众代表和镇村干部参加，公开听取各方意见。",
    "case_study": "召集代表委员研究“{s}”一案，分析症结，提出化解思路。",
    "appointment": "约请信访人面谈，通报“{s}”的调查进展。",
    "downward_visit": "赴{t}{v}下访，入户了解“{s}”的情况，与村干部共同查看现场。",
    "return_visit": "对“{s}”进行回访，了解处理意见落实情况。",
}
OUTCOMES = ("已登记并转交有关部门办理。", "信访人表示理解，同意先行调解。", "约定两周后再次约访。",
            "信访人对处理结果表示满意。", "问题已现场答复，无需转办。", None)
STATUS_RANK = {"registered": 0, "accepted": 1, "not_accepted": 1, "referred": 2, "handled": 3, "answered": 4,
               "followed_up": 5, "closed": 6, "void": 6, "under_review": 7, "under_recheck": 8}
STATUS_WEIGHTS = {"registered": 6, "accepted": 6, "not_accepted": 3, "referred": 10, "handled": 8, "answered": 8,
                  "followed_up": 8, "closed": 40, "void": 1, "under_review": 3, "under_recheck": 1}
CHANNEL_WEIGHTS = {"visit": 30, "online": 20, "letter": 8, "phone": 10, "fax": 1, "leader_reception": 5,
                   "appointment": 5, "downward_visit": 5, "roving_reception": 6, "hotline": 10}
CATEGORY_WEIGHTS = {"土地宅基地": 18, "邻里纠纷": 12, "劳动社保": 12, "城乡建设": 14, "环境保护": 10, "涉法涉诉": 8,
                    "民政救助": 10, "农业农村": 10, "其他": 5}
UNCLASSIFIED = ("registered", "accepted", "not_accepted", "void")  # not yet (or never) classified
IN_PERSON = ("visit", "leader_reception", "appointment", "downward_visit", "roving_reception")
TEAM_OF = {"reasonable": "reasonable_claims", "unreasonable": "unreasonable_claims", "hardship": "hardship_assistance"}


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
    return list(Department.select().where(Department.kind == "town").order_by(Department.id)), categories


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


def _received(rng, today):
    day = today - dt.timedelta(days=rng.randint(1, 730))
    return dt.datetime.combine(day, dt.time(rng.randint(8, 17), rng.choice((0, 10, 20, 30, 40, 50))))


def _petitions(rng, people, categories, reps, admin_user, today):
    n = 99
    case = dict(petitioner=people[0], channel="roving_reception", received_at=CASE_AT, category=categories["土地宅基地"],
                status="registered", classification="unclassified", subject=CASE_SUBJECT, content=(
                    "信访人刘某，%s%s%s。信访人与原邻居因宅基地界址及两家共用道路的使用发生纠纷。原邻居翻建房屋时将院墙外扩，"
                    "占用两家共用道路，致使信访人家中农用车辆无法通行。双方经村委会多次调解未果，矛盾逐步激化。"
                    "信访人在县信访局巡回接访时到场反映，请求依法确认宅基地界址，恢复共用道路通行。"
                ) % (people[0].town.name, people[0].village, _resident(people[0])))
    channels = _spread(rng, CHANNEL_WEIGHTS, n)
    cats = _spread(rng, CATEGORY_WEIGHTS, n)
    who = rng.sample(people[1:], len(people) - 1) + rng.choices(people[1:], k=n - len(people) + 1)  # 刘某: one case
    rows = []
    for channel, cat, petitioner in zip(channels, cats, who):
        subject, facts, request, collective = rng.choice(CATEGORIES[cat])
        collective = collective and rng.random() < 0.5
        head_count = rng.randint(5, 60) if collective else 1
        opening = ("信访人代表%s等%d人反映：" % (petitioner.name, head_count) if collective else
                   "信访人%s，%s%s%s。" % (petitioner.name, petitioner.town.name, petitioner.village, _resident(petitioner)))
        content = "".join((opening, _fill(rng, facts, petitioner), _fill(rng, rng.choice(HISTORY), petitioner),
                           request, rng.choice(CLOSINGS)))
        received_at = _received(rng, today)
        while channel in IN_PERSON and received_at.weekday() >= 5:
            received_at -= dt.timedelta(days=1)
        rows.append(dict(petitioner=petitioner, channel=channel, received_at=received_at, category=categories[cat],
                         subject=_fill(rng, subject, petitioner), content=content, is_collective=collective,
                         head_count=head_count))
    rows.sort(key=lambda row: row["received_at"], reverse=True)  # newest first get the earliest statuses
    statuses = sorted(_spread(rng, STATUS_WEIGHTS, n), key=lambda s: STATUS_RANK[s] + rng.random() * 2)
    early = [s for s in statuses if s in UNCLASSIFIED]
    classes = iter(_spread(rng, {"reasonable": 10, "unreasonable": 5, "hardship": 3, "unlawful": 1}, n - len(early)))
    teams = {team.code: team for team in Team.select()}
    for row, status in zip(rows, statuses):
        row["status"] = status
        row["classification"] = "unclassified" if status in UNCLASSIFIED else next(classes)
        row["team"] = teams.get(TEAM_OF.get(row["classification"]))
        members = [rep for rep in reps if row["team"] and rep.team_id == row["team"].id]
        row["lead_representative"] = rng.choice(members) if members and rng.random() < 0.7 else None
    hard = [row for row in rows if row["is_collective"] or row["status"] in ("under_review", "under_recheck")]
    for row in rng.sample(hard, min(5, len(hard))):
        row["leader_in_charge"] = rng.choice(LEADERS)
    petitions = []
    for row in sorted(rows + [case], key=lambda row: row["received_at"]):  # numbers follow the received time
        petition = Petition(town=row["petitioner"].town, village=row["petitioner"].village, registered_by=admin_user,
                            created_at=row["received_at"], **row)
        petition.save()
        petitions.append(petition)
        if row.get("is_collective") or rng.random() < 0.05:
            same_town = [p for p in people if p.town_id == row["petitioner"].town_id and p.id != row["petitioner"].id]
            wanted = rng.randint(2, 4) if row.get("is_collective") else 1  # at most 5 come in person
            for other in rng.sample(same_town, min(len(same_town), wanted)):
                CoPetitioner.create(petition=petition, petitioner=other)
    return petitions


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
    petitions, used = [p for p in petitions if p is not case], {kind: 0 for kind, _ in VISIT_KINDS}
    for kind in _spread(rng, {kind: 1 for kind, _ in VISIT_KINDS}, 39):
        places = VISIT_PLACES[kind]
        place, used[kind] = places[used[kind] % len(places)], used[kind] + 1
        if kind == "return_visit":
            pool = [p for p in petitions if p.status in ("answered", "followed_up", "closed")]
        elif kind == "reception":
            pool = [p for p in petitions if p.channel in IN_PERSON]
        elif kind in ("on_duty", "outreach"):
            pool = []
        else:
            pool = [p for p in petitions if p.status not in ("registered", "void")]
        petition = rng.choice(pool) if pool else None
        if petition is None:
            at = _received(rng, cap.date())
        elif kind == "reception":
            at = petition.received_at
        else:
            at = dt.datetime.combine(petition.received_at.date() + dt.timedelta(days=rng.randint(1, 45)),
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


def seed_demo(admin_user=None, today=None):
    """Fill an empty database with the demo county; return counts. Raise NotAllowed if it holds data.

    today (default date.today()) is the last day anything happens; it cannot lie after the real date
    (nothing may be received in the future) nor before the county's case (2022-12-09): ValueError.
    """
    today = today or dt.date.today()
    if not CASE_AT.date() <= today <= dt.date.today():
        raise ValueError("today must lie between %s and the real date" % CASE_AT.date())
    if Department.select().exists() or Petition.select().exists() or Petitioner.select().exists():
        raise NotAllowed(N_("The demo data goes only into an empty database."))
    rng = random.Random(SEED)
    cap = min(dt.datetime.combine(today, dt.time(17, 30)), now())
    with database.atomic():
        towns, categories = _organs(rng)
        reps = _representatives(rng, towns)
        people = _petitioners(rng, towns)
        petitions = _petitions(rng, people, categories, reps, admin_user, today)
        _visits(rng, petitions, reps, towns, cap)
    counted = (Department, Category, Representative, Petitioner, Petition, CoPetitioner, VisitLog, VisitRepresentative)
    return {model._meta.table_name: model.select().count() for model in counted}
