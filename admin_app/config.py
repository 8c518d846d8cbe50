"""Settings from the environment; the secret key is generated once and kept under instance/.

The office's own settings (models/settings.py: issuing organ, 复查/复核机关, 联系人, the holiday calendar, 12345
column names) are edited on the 系统设置 page; an environment variable set for one of them (or a value passed to
create_app, as tests do) fixes it for the deployment, and the page shows it read-only."""
import datetime as dt
import os
import re
import secrets

from models import dates

INSTANCE_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "instance")


def default_database_url(instance_dir=INSTANCE_DIR):
    return "sqlite:///" + os.path.join(instance_dir, "petitions.db")


def load_secret_key(instance_dir=INSTANCE_DIR):
    """SECRET_KEY from the environment, else from instance/secret_key, created (mode 600) on first use."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    os.makedirs(instance_dir, exist_ok=True)
    path = os.path.join(instance_dir, "secret_key")
    if not os.path.exists(path):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    with open(path) as f:
        return f.read().strip()


def load_audit_key(instance_dir=INSTANCE_DIR):
    """AUDIT_KEY from the environment, else from instance/audit_key, created (mode 600) on first use.

    The key of the audit log's chain is kept apart from SECRET_KEY: changing the secret key (to end every
    session) must not make the log unverifiable."""
    if os.environ.get("AUDIT_KEY"):
        return os.environ["AUDIT_KEY"]
    return _key_file(instance_dir, "audit_key")


def _key_file(instance_dir, name):
    os.makedirs(instance_dir, exist_ok=True)
    path = os.path.join(instance_dir, name)
    if not os.path.exists(path):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    with open(path) as f:
        return f.read().strip()


def day_list(text):
    """Days written as 2026-10-01 (or 2026年10月1日), separated by commas, spaces or new lines; a file's path
    (@/etc/holidays.txt) is read. A value that is not a day stops the start with its name (a holiday silently lost
    would move every roster and deadline)."""
    text = (text or "").strip()
    if text.startswith("@"):
        with open(text[1:], encoding="utf-8") as f:
            text = re.sub(r"#.*", "", f.read())  # a comment after # on any line
    days = []
    for word in re.split(r"[\s,，、]+", text):
        if not word:
            continue
        try:
            days.append(dt.date.fromisoformat(word) if "-" in word else dates.parse_date(word))
        except ValueError:
            raise ValueError("HOLIDAYS / MAKEUP_WORKDAYS: %r is not a day (write 2026-10-01)" % word) from None
    return days


OFFICE_VARIABLES = {  # the environment variables that fix an office setting (models/settings.py), and how read
    "LETTER_ISSUER": str, "LETTER_REVIEW_ORGAN": str, "LETTER_RECHECK_ORGAN": str, "LETTER_CONTACT": str,
    "LETTER_CONTACT_PHONE": str, "HOTLINE_COLUMNS": str,  # JSON, read by models/imports/hotline.py
    # the working-day calendar: the year's holidays and make-up working days, as the State Council announces them
    "HOLIDAYS": lambda text: frozenset(day_list(text)), "MAKEUP_WORKDAYS": lambda text: frozenset(day_list(text)),
}


def office_settings(environ):
    """{key: value} of the office settings the environment sets (a variable set to an empty text is not set)."""
    return {key: read(environ[key]) for key, read in OFFICE_VARIABLES.items() if environ.get(key)}


def from_environment(overrides=None):
    """The configuration of a running office: environment variables, then overrides (tests pass theirs)."""
    settings = {
        "DATABASE_URL": os.environ.get("DATABASE_URL") or default_database_url(),
        "BABEL_DEFAULT_LOCALE": "zh_Hans_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "").lower() in ("1", "true", "yes"),
        "PAGE_SIZE": int(os.environ.get("PAGE_SIZE", "20")),
        "UPLOAD_MAX_MB": int(os.environ.get("UPLOAD_MAX_MB", "20")),  # a scan uploaded (a letter issued elsewhere)
        "LETTER_FONT": os.environ.get("LETTER_FONT"),  # a Chinese TrueType font to embed (e.g. simfang.ttf)
        "LETTER_TITLE_FONT": os.environ.get("LETTER_TITLE_FONT"),
        "SESSION_IDLE_MINUTES": int(os.environ.get("SESSION_IDLE_MINUTES", "30")),
        "LOCKOUT_ATTEMPTS": int(os.environ.get("LOCKOUT_ATTEMPTS", "5")),
        "LOCKOUT_MINUTES": int(os.environ.get("LOCKOUT_MINUTES", "15")),
        # failed logins from one client address within the window block that address for a while
        "LOGIN_ADDRESS_ATTEMPTS": int(os.environ.get("LOGIN_ADDRESS_ATTEMPTS", "30")),
        "LOGIN_ADDRESS_WINDOW_MINUTES": int(os.environ.get("LOGIN_ADDRESS_WINDOW_MINUTES", "15")),
        "LOGIN_ADDRESS_BLOCK_MINUTES": int(os.environ.get("LOGIN_ADDRESS_BLOCK_MINUTES", "15")),
        # the petitioner's look-up page as letters print it (查询码, QR code), e.g. https://xf.example.gov.cn/chaxun
        "PUBLIC_URL": os.environ.get("PUBLIC_URL", "").strip(),
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),  # reverse proxies in front (X-Forwarded-For)
        # the audit log's head, appended at the first audited write of each day and at each backup
        "AUDIT_ANCHORS": os.environ.get("AUDIT_ANCHORS") or os.path.join(INSTANCE_DIR, "audit-anchors.jsonl"),
        # 重件: a petition is a repeat when its petitioner had one of the same category within this many months
        "REPEAT_WINDOW_MONTHS": int(os.environ.get("REPEAT_WINDOW_MONTHS", "12")),
        # while this file exists every write is refused with 503 (restore sets it for its duration)
        "MAINTENANCE_FILE": os.environ.get("MAINTENANCE_FILE") or os.path.join(INSTANCE_DIR, "maintenance"),
    }
    settings.update(office_settings(os.environ))
    settings.update(overrides or {})
    if not settings.get("SECRET_KEY"):
        settings["SECRET_KEY"] = load_secret_key()
    if not settings.get("AUDIT_KEY"):
        settings["AUDIT_KEY"] = load_audit_key()
    return settings
