"""Who may do what: one table of role × screen × operation (which rows each role may see is models/access.py).

Every screen, action, export, letter and custom page asks `allowed(role, endpoint, op)`; a screen
without an entry here is closed to everyone but the system administrator (and the matrix test fails).
Operations: read, create, edit, delete, step (workflow actions and step forms), letter (preview, issue,
print, download), export, personal (see full ID numbers and phones, logged).
"""
ROLES = ("admin", "staff", "representative", "department", "leader")
ALL = frozenset(("read", "create", "edit", "delete", "step", "letter", "export", "personal"))
READ = frozenset(("read",))
CASEWORK = frozenset(("read", "create", "edit", "delete", "step", "letter", "export", "personal"))

# endpoint: {role: operations}. The administrator may do everything everywhere.
MATRIX = {
    "admin": {"staff": READ, "representative": READ, "department": READ, "leader": READ},  # the home page
    "petition": {"staff": CASEWORK - {"delete"}, "representative": frozenset(("read", "step")),
                 "department": READ, "leader": frozenset(("read", "step", "export"))},
    "petitioner": {"staff": CASEWORK, "representative": READ, "leader": frozenset(("read", "export"))},
    "visitlog": {"staff": CASEWORK, "representative": frozenset(("read", "create", "edit")), "leader": READ},
    "referral": {"staff": CASEWORK, "department": frozenset(("read", "step", "letter")), "leader": READ},
    # 督办: the office starts them and issues the 督办单; a department replies to its own (reply_supervision)
    "supervision": {"staff": frozenset(("read", "create", "step", "letter", "export")),
                    "department": frozenset(("read", "step", "letter")), "leader": frozenset(("read", "export"))},
    "consultation": {"staff": CASEWORK, "representative": frozenset(("read", "step")), "leader": READ},
    "mediation": {"staff": CASEWORK, "representative": READ, "leader": READ},
    "followup": {"staff": CASEWORK, "representative": frozenset(("read", "create", "step")), "leader": READ},
    "document": {"staff": CASEWORK - {"delete"}, "department": frozenset(("read", "letter")),
                 "leader": frozenset(("read", "letter"))},
    "representative": {"staff": CASEWORK, "representative": READ, "leader": READ},
    "team": {"staff": frozenset(("read", "edit")), "representative": READ, "leader": READ},
    "dutyshift": {"staff": CASEWORK, "representative": READ, "leader": READ},
    "roster": {"staff": frozenset(("read", "create")), "representative": READ, "leader": READ},  # 坐诊日历, 按月排班
    "department": {"staff": CASEWORK, "leader": READ},
    "category": {"staff": CASEWORK, "leader": READ},
    "hotlinemapping": {"staff": frozenset(("read", "create", "edit", "delete")), "leader": READ},  # 12345对应关系
    "audit": {"staff": READ, "leader": READ},
    "user": {},  # the system administrator only
    "hotlineticket": {"staff": frozenset(("read", "create", "step", "export", "personal")),
                      "leader": frozenset(("read", "export"))},  # 12345工单: import (create), 转为信访事项 (step)
    "flags": {"staff": frozenset(("read", "create")), "representative": READ, "leader": READ},  # 排访: dismiss (create)
    "apiclient": {},  # the hotline API's clients and tokens: the system administrator only
    "petition_import": {"staff": frozenset(("read", "create"))},  # 导入信访事项 (views/petitions/imports.py)
    "officesettings": {},  # 系统设置 (views/settings.py): the system administrator only
    # 文书措辞 (views/wording.py): the system administrator only; to let clerks word the letters too, give staff
    # frozenset(("read", "edit")) here (edit: preview drafts, save versions, restore one).
    "wording": {},
}

# The workflow steps each role may take (on the petitions it may see).
STEPS = {
    "staff": None,  # all
    "representative": frozenset(("follow_up", "convene", "conclude")),
    "department": frozenset(("record_reply", "object", "reply_supervision")),
    "leader": frozenset(("sign_off",)),
}


def allowed(role, endpoint, op="read"):
    """May a user of this role do `op` on this screen?"""
    if role == "admin":
        return True
    return op in MATRIX.get(endpoint, {}).get(role, frozenset())


def may_take_step(role, step):
    if role == "admin":
        return True
    steps = STEPS.get(role, frozenset())
    return steps is None or step in steps


def sees_personal_data(role):
    """Full ID numbers and phones: shown on demand to staff, and logged (never to representatives)."""
    return role in ("admin", "staff")
