"""What each letter says, taken from the records: one function per kind builds the template's context.

Which letters a petition may have, and about which records, is models/workflow/letters.py.
"""
import re

from flask import current_app
from flask_babel import gettext

from models import deadlines, lookup, settings
from models.casework import (
    OUTCOMES, PARTICIPANT_ROLES, REFERRAL_MODES, Consultation, ConsultationParticipant, ConsultationPetition,
    ConsultationRepresentative, Mediation, OwnResult, Referral, parse_particulars,
)
from models.delivery import METHODS, TO_DEPARTMENT
from models.documents import KINDS, current
from models.errors import N_, NotAllowed
from models.people import REPRESENTATIVE_KINDS
from models.petition import CHANNELS, Petition
from models.supervision import GROUNDS, SUPERVISION_KINDS, Supervision
from models.workflow import own_result
from models.workflow.delivery import default_recipient
from models.workflow.letters import DEFAULT_HIGHER, handling_result, higher_organs, recorded_opinion

from .. import i18n


def defaults():
    """(复查机关, 复核机关) when a department's record names none: the settings, so each county names its own."""
    config = current_app.config
    return (settings.value("LETTER_REVIEW_ORGAN", config) or DEFAULT_HIGHER[0],
            settings.value("LETTER_RECHECK_ORGAN", config) or DEFAULT_HIGHER[1])


def contact():
    """(联系人, 电话) the 交办单 names: the only place they are read (LETTER_CONTACT, LETTER_CONTACT_PHONE), so the
    系统设置 page can take them over here. Empty strings when unset."""
    config = current_app.config
    return ((settings.value("LETTER_CONTACT", config) or "").strip(),
            (settings.value("LETTER_CONTACT_PHONE", config) or "").strip())


def request_of(petition):
    """The 信访请求 a letter states: the short summary asked for at registration; for a petition registered
    before there was one, its subject (事由). Never the whole content, which may run to pages."""
    return (petition.request_summary or "").strip() or petition.subject


def organs(petition, office):
    """The 复查 and 复核 organs a petition's letters name: the handling organ's (models.workflow.letters)."""
    review, recheck = higher_organs(petition, office, *defaults())
    return {"review_organ": review, "recheck_organ": recheck}


def limit_text(name):
    """A statutory limit as a letter states it: 60日, or 60个工作日 where working days are counted."""
    days, kind, _article = deadlines.LIMITS[name]
    if kind == "counted":
        kind = deadlines.COUNTING["counted"]
    return "%d%s" % (days, "个工作日" if kind == "working" else "日")


def sentence(text):
    """A recorded text as a sentence of a letter: stripped, ending with a full stop when it has none."""
    text = (text or "").strip()
    if text and text[-1] not in "。！？；：.!?;:”’）)》":
        text += "。"
    return text


def cn_time(value):
    """2022年12月9日9时30分 (no leading zeros; 9时 on the hour)."""
    if not value:
        return ""
    return "%s%d时%s" % (i18n.cn_date(value), value.hour, "%d分" % value.minute if value.minute else "")


def split_parties(text):
    """The parties of a mediation, one per line or separated by ；."""
    return [part.strip() for part in re.split(r"[\n；;]+", text or "") if part.strip()]


def context(kind, petition, record_id=None, office=None):
    """The template's context for a letter of this kind about this petition (and record); office: the Department
    that issues the office's letters (whose 复查/复核 organs its own results name)."""
    person = petition.petitioner
    base = {
        "petition": petition, "petitioner": person.name, "number_of_petition": petition.number,
        "received": i18n.cn_date(petition.received_at), "channel": i18n.choice_label(CHANNELS, petition.channel),
        "subject": petition.subject, "request": request_of(petition), "limit_text": limit_text, "sentence": sentence,
        **organs(petition, office),
    }
    if kind in lookup.PRINTED_ON:
        base.update(lookup_lines(petition))
    build = BUILDERS.get(kind)
    return dict(base, **(build(petition, record_id) if build else {}))


def public_address():
    """The look-up page's address as letters print it: PUBLIC_URL (e.g. https://xf.example.gov.cn/chaxun), else
    the page's path only."""
    return (current_app.config.get("PUBLIC_URL") or "").strip() or "/chaxun"


def qr_png(text):
    """A QR code of text as a PNG data URI (segno: pure Python, nothing fetched)."""
    import base64
    import io

    import segno

    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="png", scale=4, border=2)
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def lookup_lines(petition):
    """查询码 on the 受理告知书 and the 转送（交办）告知书: the code (read afresh: issuing gives a petition accepted
    before codes existed its code in the same transaction), where to look it up, and a QR code of the page's
    address with the code when PUBLIC_URL is set. A draft of a petition with no code yet says it comes at issue."""
    code = Petition.select(Petition.query_code).where(Petition.id == petition.id).scalar()
    address = public_address()
    text = gettext("Query code: %(code)s. With it and the last 4 digits of your phone number (or ID number) you can "
                   "look up the progress of this petition at %(address)s and, once answered, evaluate its handling.",
                   code=code or gettext("(given when the letter is issued)"), address=address)
    qr = None
    if code and (current_app.config.get("PUBLIC_URL") or "").strip():
        qr = qr_png("%s?code=%s" % (address, code))
    return {"lookup_text": text, "lookup_qr": qr, "query_code": code}


def _acceptance(petition, record_id):
    return {"accepted": i18n.cn_date(petition.accepted_at), "handling_due": i18n.cn_date(petition.handling_due)}


def _rejection(petition, record_id):
    return {"reason": petition.rejection_reason, "legal_basis": petition.rejection_basis}


def _referral(petition, record_id):
    referral = Referral.get_by_id(record_id)
    return {"referral": referral, "department": referral.department.name,
            "mode": i18n.choice_label(REFERRAL_MODES, referral.mode), "sent": i18n.cn_date(referral.sent_at),
            "due": i18n.cn_date(referral.due_on), "instructions": referral.instructions or "",
            "address": petition.petitioner.address or ""}


def _transfer(petition, record_id):
    """转送函: the department handles the matter and answers the petitioner itself (第二十二条); no 办结报告."""
    return dict(_referral(petition, record_id), handling_limit=limit_text("handling"))


# 附件 of a 交办单: what goes to the department with it, by the channel the petition came in.
ORIGINALS = {"letter": "信访人来信", "online": "网上信访材料", "fax": "信访人来信（传真件）", "phone": "来电记录",
             "hotline": "12345热线工单"}


def attachments(petition):
    """The petition's materials sent with a 交办单, one a line: the 登记表 and what the petitioner handed in (the
    letter, the online form, the ticket) or the record of the visit or call."""
    original = ORIGINALS.get(petition.channel, "来访登记记录")
    return ["信访事项登记表（%s）" % petition.number, "%s（复印件）" % original if petition.channel in (
        "letter", "fax") else original]


def _assignment(petition, record_id):
    """交办单: the deadline, the 办结报告, the office's 联系人 and phone, 附件 and the 版记 (抄送, 印发机关, 印发日期).
    Refused (nothing issued) while the 联系人 or the phone is not set: a 交办单 the department cannot call back on
    is not sent."""
    name, phone = contact()
    if not (name and phone):
        raise NotAllowed(N_("The assignment sheet names the office's contact person and phone: fill both in on the "
                            "office settings page, then issue it again. Nothing was issued."))
    return dict(_referral(petition, record_id), contact=name, contact_phone=phone,
                attachments=attachments(petition), copy_to=copy_to(petition, Referral.get_by_id(record_id)))


def copy_to(petition, referral):
    """抄送 of a 交办单: the department's parent and the petition's town (属地), when not the department itself."""
    department = referral.department
    names = [organ.name for organ in (department.parent if department.parent_id else None,
                                      petition.town if petition.town_id else None)
             if organ is not None and organ.id != department.id]
    return "，".join(dict.fromkeys(names))


def _extension(petition, record_id):
    original = deadlines.handling_due(petition.accepted_at) if petition.accepted_at else None
    return {"days": petition.extension_days, "reason": petition.extension_reason,
            "accepted": i18n.cn_date(petition.accepted_at), "original_due": i18n.cn_date(original),
            "handling_due": i18n.cn_date(petition.handling_due)}


def _handling(petition, record_id):
    """The result stated: a department's reply, or the office's own (the handling organ is then 本局/工作室)."""
    result = handling_result(petition)
    if isinstance(result, OwnResult):
        handler = own_result.label(result.handled_by, result.team)
    else:
        handler = result.department.name
    return {"department": handler, "facts": result.facts, "opinion": result.opinion,
            "outcome": i18n.choice_label(OUTCOMES, result.outcome), "legal_basis": result.legal_basis}


def _letter_number(kind, petition):
    document = current(kind, petition)
    return document.number if document else ""


def _review(petition, record_id):
    return {"opinion": recorded_opinion(petition, "record_review"), "answered": i18n.cn_date(petition.answered_at),
            "review_requested": i18n.cn_date(petition.review_requested_at),
            "handling_number": _letter_number("handling_opinion", petition)}


def _recheck(petition, record_id):
    return {"opinion": recorded_opinion(petition, "record_recheck"), "reviewed": i18n.cn_date(petition.reviewed_at),
            "recheck_requested": i18n.cn_date(petition.recheck_requested_at),
            "review_number": _letter_number("review_opinion", petition)}


CN_NUMERALS = "一二三四五六七八九十"
# a numbering the clerk typed: 一、 / 1. / 1、 / （一） / (1)
TYPED_NUMBER = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|\d+[.、．]|[（(][一二三四五六七八九十\d]+[)）])\s*")


def cn_numeral(n):
    """1 -> 一, 10 -> 十, 12 -> 十二, 20 -> 二十 (items of a letter are never a hundred)."""
    tens, units = divmod(n, 10)
    return ((CN_NUMERALS[tens - 1] if tens > 1 else "") + ("十" if tens else "")
            + (CN_NUMERALS[units - 1] if units else ""))


# items typed on one line: "一、…；二、…" (split before the next number)
NEXT_ITEM = re.compile(r"[；;]\s*(?=[一二三四五六七八九十]+、|\d+[.、．]|[（(][一二三四五六七八九十\d]+[)）])")


def items(text):
    """The lines (or numbered parts of a line) of a text as items, whatever numbering was typed taken off (the
    letter numbers them)."""
    parts = [part for line in (text or "").splitlines() for part in NEXT_ITEM.split(line)]
    return [TYPED_NUMBER.sub("", part).strip() for part in parts if part.strip()]


def party_line(row):
    """A party as the 人民调解协议书 states it: 刘某某，男，汉族，1970年5月3日出生，身份证号码：…，住址：…，联系电话：…
    (the letter is the parties' own: the ID number in full)."""
    parts = [row["name"], row["sex"]] + [row["ethnicity"]] * bool(row["ethnicity"])
    if row["born"]:
        parts.append(row["born"] if row["born"].endswith(("出生", "岁")) else row["born"] + "出生")
    labelled = (("身份证号码：", row["id_number"]), ("住址：", row["address"]), ("联系电话：", row["phone"]))
    return "，".join(parts + [label + value for label, value in labelled if value])


def _mediation(petition, record_id):
    """The 调解协议书 of the committee: the parties with their particulars (or, for a mediation recorded before
    they were asked for, as named), the facts, the matters in dispute, the terms numbered, who signs."""
    mediation = Mediation.get_by_id(record_id)
    rows = parse_particulars(mediation.party_particulars)
    parties = [party_line(row) for row in rows] or split_parties(mediation.parties)
    names = [row["name"] for row in rows] or split_parties(mediation.parties)
    terms = ["%s、%s" % (cn_numeral(n), sentence(term)) for n, term in enumerate(items(mediation.agreement), 1)]
    committee = mediation.committee or mediation.place
    return {"mediation": mediation, "signed": i18n.cn_date(mediation.signed_on),
            "closing_date": i18n.cn_date(mediation.signed_on), "parties": parties, "party_names": names,
            "committee": committee,
            "mediator": mediation.mediator, "lawyer": mediation.lawyer or "", "place": mediation.place,
            "dispute_facts": sentence(mediation.dispute_facts), "disputed_matters": sentence(mediation.disputed_matters),
            "terms": terms, "agreement": mediation.agreement}


def _consultation(petition, record_id):
    """The 会诊纪要: who chaired (who convened it), 出席 (the representatives) and 列席 (the others, with their
    roles), what it was on, and the 议定事项 numbered: the conclusion's lines, then the follow-up tasks'."""
    consultation = Consultation.get_by_id(record_id)
    representatives = ["%s（%s%s）" % (link.representative.name,
                                      i18n.choice_label(REPRESENTATIVE_KINDS, link.representative.kind),
                                      "，" + link.representative.work_unit if link.representative.work_unit else "")
                       for link in consultation.representative_links.order_by(ConsultationRepresentative.id)]
    others = ["%s（%s%s）" % (p.name, i18n.choice_label(PARTICIPANT_ROLES, p.role), "，" + p.unit if p.unit else "")
              for p in consultation.participants.order_by(ConsultationParticipant.id)]
    petitions = ["%s（信访人%s，“%s”）" % (link.petition.number, link.petition.petitioner.name, link.petition.subject)
                 for link in consultation.petition_links.order_by(ConsultationPetition.id)]
    chair = consultation.convened_by
    decisions = items(consultation.conclusion) + items(consultation.follow_up_tasks)
    return {"consultation": consultation, "held": cn_time(consultation.held_at), "place": consultation.place,
            "chair": (chair.display_name or chair.username) if chair is not None else "",
            "representatives": "、".join(representatives), "others": "、".join(others),
            "petitions": "；".join(petitions), "agenda": consultation.agenda,
            "conclusion": consultation.conclusion or "", "minutes": consultation.minutes or "",
            "follow_up_tasks": consultation.follow_up_tasks or "",
            "decisions": ["（%s）%s" % (cn_numeral(n), sentence(item)) for n, item in enumerate(decisions, 1)]}


def _supervision(petition, record_id):
    """督办单: to the department of a 督办: why (the referral overdue since its deadline, the petitioner
    dissatisfied, a 复查 asked for), the kind, the office's 督办意见, the new deadline of the department's written
    reply, 提级督办 and its reason; the office's 联系人 and phone when they are set (the 督办单 is also sent
    without them: the department knows the office that supervises it)."""
    supervision = Supervision.get_by_id(record_id)
    referral = supervision.referral
    name, phone = contact()
    return {"supervision": supervision, "department": supervision.department.name,
            "grounds": supervision.grounds, "grounds_label": i18n.choice_label(GROUNDS, supervision.grounds),
            "supervision_kind": i18n.choice_label(SUPERVISION_KINDS, supervision.kind),
            "note": supervision.note, "due": i18n.cn_date(supervision.due_on),
            "referral_mode": i18n.choice_label(REFERRAL_MODES, referral.mode) if referral else "",
            "referral_sent": i18n.cn_date(referral.sent_at) if referral else "",
            "referral_due": i18n.cn_date(referral.due_on) if referral else "",
            "escalated": supervision.escalated, "escalation_reason": supervision.escalation_reason or "",
            "contact": name, "contact_phone": phone}


BUILDERS = {
    "acceptance_notice": _acceptance, "rejection_notice": _rejection, "referral_notice": _referral,
    "transfer_letter": _transfer, "assignment_sheet": _assignment, "extension_notice": _extension,
    "handling_opinion": _handling,
    "review_opinion": _review, "recheck_opinion": _recheck, "mediation_agreement": _mediation,
    "consultation_minutes": _consultation, "supervision_sheet": _supervision,
}


def title(kind):
    return gettext(KINDS[kind])


def receipt(document, delivery=None):
    """送达回证 of a letter: the letter, to whom and where, and (once delivered) how, by whom and when; the blanks
    are filled in by hand on the printed form."""
    petitioner = document.petition.petitioner if document.petition.petitioner_id else None
    to_petitioner = document.kind not in TO_DEPARTMENT
    return {
        "letter": "%s（%s）" % (title(document.kind), document.number),
        "recipient": delivery.recipient if delivery is not None else default_recipient(document),
        "place": (petitioner.address or "") if to_petitioner and petitioner is not None else "",
        "method": i18n.choice_label(METHODS, delivery.method) if delivery is not None else None,
        "methods": [gettext(label) for _, label in METHODS],  # to tick on a blank form
        "server": (delivery.recorded_by.display_name or delivery.recorded_by.username)
        if delivery is not None and delivery.recorded_by_id else "",
        "delivered_on": i18n.cn_date(delivery.delivered_at) if delivery is not None else "",
        "note": delivery.note if delivery is not None else "",
    }
