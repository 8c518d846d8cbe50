"""Checks of personal identifiers: the resident ID number (GB 11643-1999) and phone numbers."""
import datetime as dt
import re
import unicodedata

from .errors import N_, ValidationError

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"  # remainder 0..10 -> check character

MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
LANDLINE = re.compile(r"^0[0-9]{2,3}-?[0-9]{7,8}(-[0-9]{1,6})?$")


def id_check_character(first17):
    """The MOD 11-2 check character of the first 17 digits."""
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS)) % 11]


def normalize_id_number(value, today=None):
    """Return the ID number upper-cased; raise ValidationError if its format, birth date or check fails."""
    value = unicodedata.normalize("NFKC", value or "").strip().upper()  # full-width digits and X from Chinese IMEs
    if not re.fullmatch(r"[0-9]{17}[0-9X]", value):
        raise ValidationError(N_("An ID number has 18 characters: 17 digits and a digit or X."), field="id_number")
    try:
        born = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(N_("The birth date in the ID number does not exist."), field="id_number")
    if born < dt.date(1900, 1, 1) or born > (today or dt.date.today()):
        raise ValidationError(N_("The birth date in the ID number does not exist."), field="id_number")
    if id_check_character(value[:17]) != value[17]:
        raise ValidationError(N_("The check character of the ID number is wrong."), field="id_number")
    return value


def normalize_phone(value):
    """Return a mainland mobile (11 digits) or landline (0XXX-XXXXXXX) number; raise ValidationError."""
    value = re.sub(r"[\s()（）]", "", unicodedata.normalize("NFKC", value or ""))
    if value.startswith("+86"):
        value = value[3:]
    if MOBILE.match(value) or LANDLINE.match(value):
        return value
    raise ValidationError(
        N_("A phone number is an 11-digit mobile number or a landline such as 0530-1234567."), field="phone"
    )


def mask_id_number(value):
    """371526********1234: the region and the last four stay visible."""
    if not value:
        return ""
    return value[:6] + "*" * (len(value) - 10) + value[-4:] if len(value) > 10 else "*" * len(value)


def mask_phone(value):
    """138****5678 for a mobile; a landline keeps its area code and last four (0635-***4567)."""
    if not value:
        return ""
    if "-" in value:
        area, _, rest = value.partition("-")
        return "%s-%s%s" % (area, "*" * max(len(rest) - 4, 0), rest[-4:])
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
