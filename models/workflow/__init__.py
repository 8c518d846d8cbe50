"""The steps of a petition's life, as plain functions (信访工作条例 and the studio's 六诊).

Each step checks where the petition stands, writes in one transaction, records who did it and when
(a StepRecord and an audit entry), and sets the petition's present deadline (due_on). A step that is
not allowed raises NotAllowed with a message that says why and what must happen first.

    registered ─accept→ accepted ─refer→ referred ─record_reply→ handled ─answer→ answered
        └reject→ not_accepted   │  ↑ object (not competent)┘      ↑                  │
                                └──────── record_own_result ──────┘ (自行办理)
    answered ─follow_up→ followed_up ─close→ closed;  answered/followed_up ─request_review→ under_review
    ─record_review→ reviewed ─request_recheck→ under_recheck ─record_recheck→ rechecked (final)
    extend, classify, convene, form_group, mediate: at open steps; void: anything not closed.
    conclude: on a consultation, reply_supervision: on a 督办 (RECORD_STEPS), no petition's status changes.

rules.py       the step table (STEPS, ALLOWED with its guards, LEADS_TO, RECORD_STEPS) and _apply, through
               which every petition step goes
petitions.py   the petition's own steps (受理 … 办结, 延期, 复查/复核, 分类, 签批, 作废)
referrals.py   分诊: refer, the department's objection and reply
own_result.py  自行办理: the office (or its studio) handles an accepted petition itself and records the result
studio.py      会诊 (corrected until concluded), the "1+3" group, 调解
hotline.py     a 12345 ticket made into a petition
repeats.py     初件/重件: the rule, kept on every save of a petition and by 同一事项 links
petitioners.py the same petitioner: find_petitioner (the ID number, else phone and name), find_or_add
letters.py     which letters a petition may have now, issue once, void, reissue; 答复 issues the 处理意见书
supervision.py 督办: start one on an overdue referral or a disputed petition, the department's reply
evaluation.py  评价: the petitioner evaluates the present 答复 on the public look-up page
recorded_letters.py  an opinion another organ issued, recorded with its 文号, date and scan instead of generated
"""
from .petitions import (
    accept, answer, classify, close, extend, follow_up, record_recheck, record_review, register, reject,
    request_recheck, request_review, sign_off, void,
)
from . import repeats  # 初件/重件: registers its hook on Petition.save
from .own_result import record_own_result
from .referrals import object_to_referral, record_reply, refer
from .rules import ALLOWED, CLOSED, LEADS_TO, OPEN, STEPS, TEAM_OF, allowed_for, allowed_steps, check, for_each
from .studio import conclude, convene, form_group, mediate, revise
from . import supervision  # 督办: supervision.start, supervision.reply

__all__ = [
    "ALLOWED", "CLOSED", "LEADS_TO", "OPEN", "STEPS", "TEAM_OF", "accept", "allowed_for", "allowed_steps", "answer",
    "check", "classify", "close", "conclude", "convene", "extend", "follow_up", "for_each", "form_group", "mediate",
    "object_to_referral", "record_own_result", "record_recheck", "record_reply", "record_review", "refer",
    "register", "reject", "request_recheck", "request_review", "revise", "sign_off", "void",
]
