"""苗头性问题: early signs flagged for the studio's 排访 (screening), and possible repeats at registration.

Framework-free. Each flag has a stable key, its reason (a msgid with parameters), and the records it rests
on (its evidence: p12 = petition 12, t5 = hotline ticket 5). A flag dismissed with a reason (FlagDismissal)
disappears; it comes back only when a record it did not rest on joins it (a fourth ticket, a new petition).

The rules (thresholds are the module's constants):
- ticket_caller: a hotline ticket, not yet turned into a petition and called in the last 90 days, whose caller
  (phone or ID number) is the petitioner or a co-petitioner of an open petition;
- cluster: 3 or more tickets or petitions on the same category (a ticket's type named like the category) in
  the same place within 30 days (the place: a petition's town and village, a ticket's area, e.g. 梁庄镇张家村);
- repeat: a petitioner with 3 or more petitions in 12 months (重复信访), voided ones not counted;
- collective: an open collective petition (集体访).
"""
import datetime as dt
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from ..db import database, now
from ..errors import N_, ValidationError
from ..hotline import FlagDismissal, HotlineTicket, id_number_key, phone_key
from ..organisation import Category, Department
from ..people import Petitioner
from ..petition import CoPetitioner, Petition
from ..validation import mask_phone
from ..workflow import OPEN

CLUSTER_DAYS = 30
CLUSTER_MIN = 3
REPEAT_MONTHS = 12
REPEAT_MIN = 3
TICKET_DAYS = 90

KINDS = (
    ("ticket_caller", N_("Caller has an open petition")),
    ("cluster", N_("Cluster in one place")),
    ("repeat", N_("Repeated petitions")),
    ("collective", N_("Collective petition")),
)


@dataclass
class Flag:
    key: str
    kind: str
    reason: str  # msgid
    params: dict = field(default_factory=dict)
    evidence: list = field(default_factory=list)  # ["p12", "t5"]
    latest: dt.datetime = None  # the newest record it rests on

    @property
    def petition_ids(self):
        return [int(ref[1:]) for ref in self.evidence if ref.startswith("p")]

    @property
    def ticket_ids(self):
        return [int(ref[1:]) for ref in self.evidence if ref.startswith("t")]


def place_key(text):
    """A place as compared: no spaces, full-width folded."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def petition_place(petition, town_names):
    """梁庄镇张家村: the petition's town and village; only one of them when the other is missing."""
    town = town_names.get(petition.town_id, "") if petition.town_id else ""
    return place_key(town + (petition.village or ""))


def days_before(as_of, days):
    return as_of - dt.timedelta(days=days)


def year_before(as_of, months=REPEAT_MONTHS):
    """The same day `months` months earlier (28 February for 29 February)."""
    month = as_of.month - months
    year = as_of.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    day = as_of.day
    while True:
        try:
            return dt.date(year, month, day)
        except ValueError:
            day -= 1


def _start(day):
    return dt.datetime.combine(day, dt.time())


# -- the rules --------------------------------------------------------------------------------------

def open_petitions_by_person():
    """({phone: {petition ids}}, {id number: {petition ids}}) of the petitioners and co-petitioners of open
    petitions."""
    by_phone, by_id = defaultdict(set), defaultdict(set)
    main = (Petitioner.select(Petitioner.phone, Petitioner.id_number, Petition.id.alias("pid"))
            .join(Petition, on=(Petition.petitioner == Petitioner.id))
            .where(Petition.status.in_(OPEN)))
    co = (Petitioner.select(Petitioner.phone, Petitioner.id_number, CoPetitioner.petition.alias("pid"))
          .join(CoPetitioner, on=(CoPetitioner.petitioner == Petitioner.id))
          .join(Petition, on=(Petition.id == CoPetitioner.petition))
          .where(Petition.status.in_(OPEN)))
    for query in (main, co):
        for phone, id_number, pid in query.tuples():
            if phone:
                by_phone[phone].add(pid)
            if id_number:
                by_id[id_number].add(pid)
    return by_phone, by_id


def ticket_caller_flags(at):
    by_phone, by_id = open_petitions_by_person()
    if not by_phone and not by_id:
        return []
    tickets = (HotlineTicket.select().where(HotlineTicket.petition.is_null(True)
                                            & (HotlineTicket.called_at >= at - dt.timedelta(days=TICKET_DAYS)))
               .order_by(HotlineTicket.called_at.desc()))
    flags = []
    numbers = {}
    for ticket in tickets:
        petition_ids = set(by_phone.get(phone_key(ticket.phone), ())) | set(
            by_id.get(id_number_key(ticket.caller_id_number), ()))
        if not petition_ids:
            continue
        missing = petition_ids - set(numbers)
        if missing:
            numbers.update(Petition.select(Petition.id, Petition.number).where(Petition.id.in_(list(missing)))
                           .tuples())
        ordered = sorted(petition_ids)
        flags.append(Flag(
            key="ticket_caller:%d" % ticket.id, kind="ticket_caller",
            reason=N_("Hotline ticket %(ticket)s: the caller %(caller)s (%(phone)s) already has open petition "
                      "%(petitions)s."),
            params={"ticket": ticket.number, "caller": ticket.caller or "", "phone": mask_phone(ticket.phone),
                    "petitions": "、".join(numbers[i] for i in ordered)},
            evidence=["t%d" % ticket.id] + ["p%d" % i for i in ordered], latest=ticket.called_at))
    return flags


def cluster_flags(as_of):
    """3 or more tickets or petitions of one category in one place within CLUSTER_DAYS days of as_of."""
    since = _start(days_before(as_of, CLUSTER_DAYS))
    until = _start(as_of + dt.timedelta(days=1))
    town_names = dict(Department.select(Department.id, Department.name).where(Department.kind == "town").tuples())
    categories = dict(Category.select(Category.id, Category.name).tuples())
    groups = defaultdict(list)  # (category, place) -> [(when, ref)]
    petitions = (Petition.select(Petition.id, Petition.received_at, Petition.category, Petition.town, Petition.village)
                 .where((Petition.received_at >= since) & (Petition.received_at < until)
                        & Petition.category.is_null(False) & (Petition.status != "void")))
    for petition in petitions:
        place = petition_place(petition, town_names)
        if place:
            groups[(place_key(categories[petition.category_id]), place)].append((petition.received_at,
                                                                                 "p%d" % petition.id))
    tickets = (HotlineTicket.select(HotlineTicket.id, HotlineTicket.called_at, HotlineTicket.kind, HotlineTicket.area)
               .where((HotlineTicket.called_at >= since) & (HotlineTicket.called_at < until)
                      & HotlineTicket.petition.is_null(True)))  # a ticket turned into a petition counts once
    for ticket in tickets:
        category, place = place_key(ticket.kind), place_key(ticket.area)
        if category and place:
            groups[(category, place)].append((ticket.called_at, "t%d" % ticket.id))
    flags = []
    for (category, place), events in groups.items():
        if len(events) < CLUSTER_MIN:
            continue
        events.sort()
        tickets_count = sum(1 for _, ref in events if ref.startswith("t"))
        flags.append(Flag(
            key="cluster:%s|%s" % (category, place), kind="cluster",
            reason=N_("%(place)s: %(num)s petitions or hotline tickets on %(category)s within %(days)s days "
                      "(%(petitions)s petitions, %(tickets)s tickets)."),
            params={"place": place, "num": len(events), "category": category, "days": CLUSTER_DAYS,
                    "petitions": len(events) - tickets_count, "tickets": tickets_count},
            evidence=[ref for _, ref in events], latest=events[-1][0]))
    return flags


def repeat_flags(as_of):
    """A petitioner (or co-petitioner) of REPEAT_MIN or more petitions received in the last 12 months."""
    since = _start(year_before(as_of))
    until = _start(as_of + dt.timedelta(days=1))
    window = (Petition.received_at >= since) & (Petition.received_at < until) & (Petition.status != "void")
    by_person = defaultdict(dict)  # petitioner -> {petition id: received}
    for pid, person, received in Petition.select(Petition.id, Petition.petitioner, Petition.received_at).where(
            window).tuples():
        by_person[person][pid] = received
    co = (CoPetitioner.select(CoPetitioner.petition, CoPetitioner.petitioner, Petition.received_at)
          .join(Petition, on=(Petition.id == CoPetitioner.petition)).where(window))
    for pid, person, received in co.tuples():
        by_person[person][pid] = received
    repeated = {person: petitions for person, petitions in by_person.items() if len(petitions) >= REPEAT_MIN}
    if not repeated:
        return []
    names = dict(Petitioner.select(Petitioner.id, Petitioner.name).where(Petitioner.id.in_(list(repeated))).tuples())
    flags = []
    for person, petitions in repeated.items():
        ordered = sorted(petitions, key=lambda pid: (petitions[pid], pid))
        flags.append(Flag(
            key="repeat:%d" % person, kind="repeat",
            reason=N_("Petitioner %(name)s: %(num)s petitions in %(months)s months (repeated petitioning)."),
            params={"name": names.get(person, ""), "num": len(petitions), "months": REPEAT_MONTHS},
            evidence=["p%d" % pid for pid in ordered], latest=petitions[ordered[-1]]))
    return flags


def collective_flags():
    flags = []
    collective = (Petition.is_collective == True) & Petition.status.in_(OPEN)  # noqa: E712
    for petition in (Petition.select(Petition.id, Petition.number, Petition.head_count, Petition.received_at)
                     .where(collective).order_by(Petition.received_at)):
        flags.append(Flag(
            key="collective:%d" % petition.id, kind="collective",
            reason=N_("Collective petition %(number)s (%(num)s people) is open."),
            params={"number": petition.number, "num": petition.head_count},
            evidence=["p%d" % petition.id], latest=petition.received_at))
    return flags


def all_flags(at=None):
    """Every flag as of `at` (now), dismissed or not."""
    at = at or now()
    return ticket_caller_flags(at) + cluster_flags(at.date()) + repeat_flags(at.date()) + collective_flags()


def dismissed(flags):
    """The keys of the flags a dismissal covers: dismissed with all the evidence they have now."""
    keys = [flag.key for flag in flags]
    covered = defaultdict(list)
    for start in range(0, len(keys), 500):
        for row in FlagDismissal.select(FlagDismissal.flag_key, FlagDismissal.evidence).where(
                FlagDismissal.flag_key.in_(keys[start:start + 500])):
            covered[row.flag_key].append(set(row.evidence.split()))
    return {flag.key for flag in flags if any(set(flag.evidence) <= seen for seen in covered.get(flag.key, ()))}


def current_flags(at=None):
    """The flags for 排访: every flag not dismissed, the newest first within each kind."""
    flags = all_flags(at)
    gone = dismissed(flags)
    order = {kind: i for i, (kind, _) in enumerate(KINDS)}
    live = [flag for flag in flags if flag.key not in gone]
    live.sort(key=lambda f: f.latest or dt.datetime.min, reverse=True)
    live.sort(key=lambda f: order[f.kind])  # stable: the newest first within each kind
    return live


GONE = N_("This sign is no longer raised; the list has been refreshed.")


def find_flag(key, at=None):
    """The flag raised now with this key, or None."""
    return next((flag for flag in all_flags(at) if flag.key == key), None)


def dismiss(flag, reason, by, summary=None):
    """Put a flag aside with a reason (FlagDismissal, audited); `flag` is a Flag or its key.
    Raises ValidationError for a flag no longer raised or a missing reason."""
    from .. import audit

    if isinstance(flag, str):
        flag = find_flag(flag)
    if flag is None:
        raise ValidationError(GONE, field="key")
    with database.atomic():
        record = FlagDismissal.create(flag_key=flag.key, kind=flag.kind, summary=(summary or "")[:300] or None,
                                      evidence=" ".join(flag.evidence), reason=reason,
                                      by=getattr(by, "id", None), at=now())
        audit.record("create", record, record.id, by=by, summary=(summary or flag.key)[:200],
                     after=audit.snapshot(record))
        return record


# -- at registration ----------------------------------------------------------------------------------

def possible_repeats(petitioner_id=None, village=None, category_id=None, town_id=None, exclude_id=None, limit=10):
    """Open petitions a new one may repeat, before it is saved: [(petition, why)], why being
    "same_petitioner" (an open petition of the same petitioner, of the same category when one is given)
    or "same_place" (an open petition of the same category in the same village, and town when given)."""
    found = {}
    if petitioner_id:
        co = CoPetitioner.select(CoPetitioner.petition).where(CoPetitioner.petitioner == petitioner_id)
        clause = ((Petition.petitioner == petitioner_id) | Petition.id.in_(co)) & Petition.status.in_(OPEN)
        if category_id:
            clause &= Petition.category == category_id
        for petition in Petition.select().where(clause).order_by(Petition.received_at.desc()).limit(limit):
            found.setdefault(petition.id, (petition, "same_petitioner"))
    village = place_key(village)
    if village and category_id:
        clause = (Petition.village == village) & (Petition.category == category_id) & Petition.status.in_(OPEN)
        if town_id:
            clause &= Petition.town == town_id
        for petition in Petition.select().where(clause).order_by(Petition.received_at.desc()).limit(limit):
            found.setdefault(petition.id, (petition, "same_place"))
    found.pop(exclude_id, None)
    ordered = sorted(found.values(), key=lambda item: (item[0].received_at, item[0].id), reverse=True)
    return ordered[:limit]


REPEAT_REASONS = {
    "same_petitioner": N_("Open petition of the same petitioner"),
    "same_place": N_("Open petition of the same category in the same village"),
}
