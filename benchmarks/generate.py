"""Fill a database with N realistic petitions, for the scale benchmarks (benchmarks/pages.py).

    .venv/bin/python benchmarks/generate.py 1000000 [--database sqlite:////tmp/bench-1m.db] [--seed 7]

The rows go in through the project's own models (Model.insert_many in batches, one transaction each), into a
database the schema module created or upgraded: N petitions over ten years ending today, N/3 petitioners
with valid ID numbers and mobile phones, 40 towns, 40 departments, the categories of the demo. Content is
about 315 Chinese characters made from many phrase templates (models/demo_texts.py and the ones below) with
names, villages, companies, sums and years filled in; states follow a petition's age (old ones closed, recent
ones in every open state) with deadlines counted by models.deadlines, so overdue and due-soon lists are
realistic. Numbers are XF-year-sequence as registration gives them, and the number series are set after.
The default database is a new SQLite file benchmarks/data/petitions-N.db (an existing one is refused).
"""
import argparse
import datetime as dt
import multiprocessing
import os
import random
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from models import deadlines, schema  # noqa: E402
from peewee import PostgresqlDatabase  # noqa: E402

from models.db import connect, database  # noqa: E402
from models.demo_texts import (  # noqa: E402
    CATEGORIES, CLOSINGS, COMPANIES, ESTATES, FEMALE, HISTORY, MALE, MOBILE_PREFIXES, SURNAMES, VILLAGES,
)
from models.organisation import Category, Department  # noqa: E402
from models.people import Petitioner, Team  # noqa: E402
from models.petition import NUMBER_PREFIX, NumberSeries, Petition  # noqa: E402
from models.validation import id_check_character  # noqa: E402

BATCH = 2000
YEARS = 10
TOWN_NAMES = ("城关", "东城", "西城", "南关", "北关", "高桥", "柳林", "河西", "河东", "石门", "新集", "大王庄", "双庙", "龙泉",
              "白马", "黄河", "青山", "杨集", "马店", "古城", "朱楼", "李家", "周庄", "永安", "太平", "兴隆", "长岭", "桃园",
              "梨园", "清泉", "凤凰", "金鸡", "银杏", "红旗", "团结", "和平", "前进", "胜利", "光明", "幸福")
DEPARTMENT_NAMES = ("信访局", "自然资源局", "人社局", "住建局", "生态环境分局", "农业农村局", "民政局", "公安局", "司法局",
                    "交通运输局", "水利局", "卫健委", "教体局", "市场监管局", "应急管理局", "城管局", "财政局", "审计局",
                    "退役军人事务局", "医保局", "税务局", "供电公司", "自来水公司", "燃气公司", "房产服务中心",
                    "不动产登记中心", "征收办", "人民法院", "人民检察院", "政务服务中心", "统计局", "林业局", "文旅局",
                    "商务局", "发改局", "工信局", "残联", "妇联", "总工会", "团县委")
# More sentences of the kind petitions carry: {p} the petitioner, {v} village, {t} town, {c} company,
# {e} estate, {n} a number, {y} a year, {m} a month.
PHRASES = (
    "{p}称{y}年{m}月以来多次到{t}政府反映，均被告知正在研究处理。", "{v}党支部书记曾出面协调，但未形成书面意见。",
    "据{p}介绍，涉及群众约{n}0户，影响面较大。", "{p}提供了{y}年签订的合同原件及付款凭证复印件。",
    "{t}司法所于{y}年{m}月组织过调解，因补偿数额分歧较大未果。", "{p}认为有关部门答复敷衍，没有实质性解决问题。",
    "{c}负责人表示资金困难，承诺分期解决，但至今未兑现。", "{p}家中有{n}位老人需要赡养，经济压力较大。",
    "{e}小区业主委员会已就此事多次与物业公司交涉。", "{v}部分群众自发联名，共有{n}0余人签字。",
    "接访人员查阅了{t}的相关档案，发现登记信息存在出入。", "{p}表示如问题不能解决，将继续向上级反映。",
    "{p}要求有关部门出具书面答复，并说明政策依据。", "{t}农经站称{y}年的台账已经遗失，无法核对。",
    "现场查看发现，争议地块已被硬化，种植条件受到破坏。", "{p}反映的情况与{v}村委会提供的说法不一致。",
    "{c}已于{y}年停产，法定代表人下落不明。", "{p}称曾拨打12345热线反映，工单显示已办结，但问题依旧。",
    "{p}此前因同一事项到县里上访{n}次。", "{v}两委班子对此事意见不统一，迟迟未能拿出方案。",
    "{p}提出愿意接受调解，但要求由第三方评估损失。", "经了解，{t}已将该事项列入矛盾纠纷排查台账。",
    "{p}所在的{v}第{n}村民小组也有类似情况。", "{p}称其子女在外地务工，家中只有老人和孩子。",
    "律师在听访会上解释了相关法律规定，{p}表示理解。", "{p}对{y}年的处理结果不服，要求重新调查。",
    "{e}开发商称办证手续需等待规划验收完成。", "{t}城建办表示将协调施工单位尽快整改。",
    "{p}携带了医院诊断证明和费用清单共{n}张。", "代表委员建议由{t}牵头，相关部门联合现场办公。",
)


def village_of(rng):
    return rng.choice(VILLAGES)


def id_number(rng, born, male):
    first17 = "3715%02d%s%03d" % (rng.randint(1, 30), born.strftime("%Y%m%d"), rng.randint(0, 499) * 2 + (1 if male else 0))
    return first17 + id_check_character(first17)


def organs():
    """40 towns, 40 departments (信访局 with its document short name), the demo's categories."""
    if not Department.select().where(Department.kind == "town").exists():
        Department.insert_many([{"name": name + ("街道" if i < 4 else "镇"), "short_name": name, "kind": "town"}
                                for i, name in enumerate(TOWN_NAMES)]).execute()
        Department.insert_many([{"name": "县" + name, "short_name": "高" + name[:2], "kind": "county"}
                                for name in DEPARTMENT_NAMES]).execute()
    if not Category.select().exists():
        Category.insert_many([{"name": name, "position": i * 10} for i, name in enumerate(CATEGORIES, 1)]).execute()
    towns = [t.id for t in Department.select(Department.id).where(Department.kind == "town")]
    categories = {c.name: c.id for c in Category.select()}
    return towns, categories


def petitioners(rng, count, towns, today):
    """count petitioners; returns their (id, name, town, village)."""
    first = (Petitioner.select(Petitioner.id).order_by(Petitioner.id.desc()).scalar() or 0) + 1
    people, rows, taken = [], [], set()
    for i in range(count):
        male = rng.random() < 0.55
        name = rng.choice(SURNAMES) + rng.choice(MALE if male else FEMALE)
        number = None
        while number is None or number in taken:  # ID numbers are unique (schema v11): ~200 collide at 1M
            born = today - dt.timedelta(days=rng.randint(18 * 365, 85 * 365))
            number = id_number(rng, born, male)
        taken.add(number)
        town, village = rng.choice(towns), village_of(rng)
        rows.append((name, number, rng.choice(MOBILE_PREFIXES) + "%08d" % rng.randint(0, 99999999),
                     town, village, "%s%d号" % (village, rng.randint(1, 200))))
        people.append((first + i, name, town, village))
    fields = [Petitioner.name, Petitioner.id_number, Petitioner.phone, Petitioner.town, Petitioner.village,
              Petitioner.address]
    for start in range(0, len(rows), BATCH):
        insert_rows(Petitioner, fields, rows[start:start + BATCH])
    return people


def insert_rows(model, fields, rows):
    """Model.insert_many's statement for these rows, in one transaction, without peewee writing out thousands of
    values first (3/4 of the time): on SQLite its statement for one row is run for every row (executemany), on
    PostgreSQL psycopg2 writes the rows into its VALUES (execute_values)."""
    sql, params = model.insert_many(rows[:1], fields=fields).sql()
    defaults = tuple(params[len(fields):])  # the fields' defaults peewee adds after the given ones
    assert list(params[:len(fields)]) == [f.db_value(v) for f, v in zip(fields, rows[0])]
    rows = [tuple(row) + defaults for row in rows]
    with database.atomic():
        if isinstance(database.obj, PostgresqlDatabase):
            from psycopg2.extras import execute_values

            statement = sql.split(" VALUES ", 1)[0] + " VALUES %s"  # without RETURNING: nothing to read back
            execute_values(database.cursor(), statement, rows, page_size=len(rows))
        else:
            database.cursor().executemany(sql, rows)


TEMPLATES = [(category, subject, facts, request, collective)
             for category, items in CATEGORIES.items() for subject, facts, request, collective in items]
OPEN_STATES = ("registered", "accepted", "referred", "referred", "handled", "answered", "followed_up")
TEAMS = {"reasonable": "reasonable_claims", "unreasonable": "unreasonable_claims", "hardship": "hardship_assistance"}


def state(rng, received, today):
    """Status, classification and the dates that go with them, by the petition's age."""
    age = (today - received.date()).days
    if rng.random() < 0.01:
        return {"status": "void"}
    if age > 120 or (age > 20 and rng.random() < 0.5):
        status = rng.choice(("closed",) * 8 + ("not_accepted", "rechecked"))
    else:
        status = rng.choice(OPEN_STATES)
    values = {"status": status}
    if status == "not_accepted":
        values["closed_at"] = received + dt.timedelta(days=rng.randint(3, 14))
        return values
    if status == "registered":
        values["due_on"] = deadlines.referral_due(received)
        return values
    accepted = received + dt.timedelta(days=rng.randint(0, 5), hours=rng.randint(0, 4))
    values["accepted_at"] = accepted
    values["handling_due"] = deadlines.handling_due(accepted)
    values["classification"] = rng.choice(("reasonable", "reasonable", "unreasonable", "hardship"))
    if status in ("closed", "rechecked"):
        values["closed_at"] = accepted + dt.timedelta(days=rng.randint(15, 70))
    elif status != "accepted":
        values["due_on"] = values["handling_due"]
    else:
        values["due_on"] = deadlines.referral_due(received)
    return values


def content_of(rng, person, template, fill):
    _, _, facts, request, _ = template
    parts = ["信访人%s（%s）反映：" % (person[1], person[3]), facts.format(**fill)]
    while sum(map(len, parts)) < 255:
        parts.append(rng.choice(PHRASES).format(**fill))
    parts += [rng.choice(HISTORY).format(**fill), request, rng.choice(CLOSINGS)]
    return "".join(parts)


CHANNEL_WEIGHTS = ("visit",) * 30 + ("online",) * 20 + ("letter",) * 8 + ("phone",) * 10 + ("hotline",) * 12 + (
    "leader_reception", "appointment", "downward_visit", "roving_reception", "fax")
FIELDS = ("number", "channel", "received_at", "petitioner", "is_collective", "head_count", "subject", "content",
          "category", "town", "village", "status", "classification", "team", "due_on", "handling_due",
          "accepted_at", "closed_at", "created_at", "updated_at")
_shared = {}  # what every batch needs, handed to the process that makes them


def _share(people, categories, teams, today):
    _shared.update(people=people, categories=categories, teams=teams, today=today)


def _batch(task):
    """The rows of one batch (seed, moments received), numbers left to the writer, who counts them in order."""
    seed, moments = task
    rng, people, today = random.Random(seed), _shared["people"], _shared["today"]
    rows = []
    for received in moments:
        person = rng.choice(people)
        template = rng.choice(TEMPLATES)
        fill = dict(p=person[1], v=person[3], t=rng.choice(TOWN_NAMES), c=rng.choice(COMPANIES), e=rng.choice(ESTATES),
                    n=rng.randint(2, 12), y=rng.randint(received.year - 8, received.year), m=rng.randint(1, 12))
        values = state(rng, received, today)
        collective = template[4] and rng.random() < 0.3
        classification = values.get("classification", "unclassified")
        rows.append((
            None, rng.choice(CHANNEL_WEIGHTS), received, person[0], collective,
            rng.randint(5, 40) if collective else 1, template[1].format(**fill)[:100],
            content_of(rng, person, template, fill), _shared["categories"][template[0]], person[2], person[3],
            values["status"], classification, _shared["teams"].get(TEAMS.get(classification)), values.get("due_on"),
            values.get("handling_due"), values.get("accepted_at"), values.get("closed_at"), received,
            values.get("closed_at") or received))
    return rows


def petitions(rng, count, people, towns, categories, today):
    """count petitions received over YEARS years, in order. A second process makes the rows (most of the
    Python time) while this one numbers and writes them."""
    teams = {t.code: t.id for t in Team.select()}
    start = dt.datetime.combine(today - dt.timedelta(days=365 * YEARS), dt.time(8))
    span = (dt.datetime.combine(today, dt.time(8)) - start).total_seconds()
    moments = sorted((start + dt.timedelta(seconds=rng.random() * span)).replace(microsecond=0)
                     for _ in range(count))
    tasks = [(rng.getrandbits(64), moments[i:i + BATCH]) for i in range(0, count, BATCH)]
    columns = [Petition._meta.fields[name] for name in FIELDS]
    series = {}
    # fork: the worker inherits the modules and never touches the database connection
    with multiprocessing.get_context("fork").Pool(1, _share, (people, categories, teams, today)) as pool:
        for rows in pool.imap(_batch, tasks):
            for i, row in enumerate(rows):
                year = row[2].year
                series[year] = series.get(year, 0) + 1
                rows[i] = ("%s-%d-%06d" % (NUMBER_PREFIX, year, series[year]),) + row[1:]
            insert_rows(Petition, columns, rows)
    with database.atomic():
        for year, last in series.items():
            updated = NumberSeries.update(last=NumberSeries.last + last).where(
                (NumberSeries.prefix == NUMBER_PREFIX) & (NumberSeries.year == year)).execute()
            if not updated:
                NumberSeries.create(prefix=NUMBER_PREFIX, year=year, last=last)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("count", type=int, help="how many petitions")
    parser.add_argument("--database", help="a database URL (default: a new SQLite file under benchmarks/data/)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    url = args.database
    if url is None:
        folder = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, "petitions-%d.db" % args.count)
        if os.path.exists(path):
            sys.exit("错误：%s 已存在；请先删除它。" % path)
        url = "sqlite:///" + path
    connect(url)
    if url.startswith("sqlite"):
        database.execute_sql("PRAGMA synchronous = OFF")  # a benchmark's data: no need to survive a power cut
        database.execute_sql("PRAGMA cache_size = -1000000")  # 1 GB for building the indexes
    else:
        database.execute_sql("SET synchronous_commit = off")  # the same: no wait for the disk at each batch
        database.execute_sql("SET maintenance_work_mem = '1GB'")  # for building the indexes after the load
    schema.upgrade(database.obj)
    if Petition.select().exists() and "--database" in (argv or sys.argv):
        print("the database already holds petitions: adding", args.count)
    rng = random.Random(args.seed)
    today = dt.date.today()
    began = time.perf_counter()
    towns, categories = organs()
    people = petitioners(rng, max(1, args.count // 3), towns, today)
    mid = time.perf_counter()
    with schema.bulk_load(database.obj):
        petitions(rng, args.count, people, towns, categories, today)
        done = time.perf_counter()
    if isinstance(database.obj, PostgresqlDatabase):
        # as autovacuum would, later: pages marked all-visible, so that counts read the indexes alone
        database.execute_sql("VACUUM (ANALYZE) petition, petitioner")
    end = time.perf_counter()
    print("%d petitions, %d petitioners in %s: petitioners %.1f s, petitions %.1f s, indexes (search, list, "
          "statistics) and the planner's statistics %.1f s, in all %.1f s"
          % (args.count, len(people), url, mid - began, done - mid, end - done, end - began))


if __name__ == "__main__":
    main()
