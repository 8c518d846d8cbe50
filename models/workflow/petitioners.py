"""The same petitioner: who on record a person is, decided one way for the petition form, the import of old
registers and the 12345 hotline.

    find_petitioner(id_number, phone, name) -> the Petitioner on record, or None

An ID number (GB 11643-1999, normalized: lower-case x, full-width digits, spaces) identifies a person: the
petitioner with that ID number, the oldest record first, whatever the name given. Without it on record, a phone
(normalized: 139-1234-5678 is 13912345678) together with the same name, among those without another ID number.
A phone alone is nobody: a family shares one. What to do when the ID number is on record under another name is
the caller's choice: the import and the form refuse (find_or_add), the hotline uses the match.

One person, one record: an ID number belongs to one petitioner among those not merged into another. The model
checks it in its clean() inside every save's transaction (Petitioner.check_id_number_free: models/ may not
import this module from people.py), so that a form, the hotline, an import or the API cannot make a second one;
the database's unique index (models/workflow/merge.py) backs it.
Records merged into another (stubs) are nobody's match. holder_details() says who has a number, for the forms.
"""
import re
import unicodedata

from .. import audit
from ..errors import N_, ValidationError
from ..hotline import id_number_key, phone_key
from ..people import ID_NUMBER_ON_RECORD, Petitioner
from ..validation import mask_id_number

LIVE = Petitioner.merged_into.is_null()  # not merged into another record

ON_RECORD = ID_NUMBER_ON_RECORD  # Petitioner.check_id_number_free, run by its clean() in every save
SAME_NAME_AND_PHONE = N_("A petitioner of the same name and phone is already on record: %(holder)s.")
NAME_DIFFERS = N_("The ID number %(id_number)s is on record for %(name)s: choose that petitioner, or correct the "
                  "ID number or the name.")


def name_key(name):
    """A name as compared: 王 英 (two-character names are often padded) and 王英 alike, full-width folded."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name or ""))


def find_petitioner(id_number=None, phone=None, name=None):
    """The petitioner on record who is this person (see the module's rule), or None. Values not valid as an ID
    number or a phone count as not given."""
    id_number = id_number_key(re.sub(r"\s+", "", id_number or ""))
    if id_number:
        found = (Petitioner.select().where((Petitioner.id_number == id_number) & LIVE)
                 .order_by(Petitioner.id).first())
        if found is not None:
            return found
    # an ID number on record that differs from the one given is another person (it was not found above)
    return same_name_and_phone(Petitioner(name=name, phone=phone, id_number=id_number))


def by_id_number(person, id_number):
    """True when `person` was found by the ID number given (not by name and phone)."""
    key = id_number_key(re.sub(r"\s+", "", id_number or ""))
    return bool(key) and person.id_number == key


def id_number_holder(id_number, excluding=None):
    """The petitioner not merged away who has this (normalized) ID number, other than `excluding`; or None."""
    return Petitioner.id_number_holder(id_number, excluding)


def holder_details(person):
    """刘德山（高桥镇后屯村，XF-2022-000123）: who a petitioner on record is (Petitioner.recognizable)."""
    return person.recognizable()


def same_name_and_phone(person):
    """Another record not merged away of the same name and phone, when neither ID number tells them apart (a
    warning for the clerk, not a refusal: a family may share a phone and a name); or None."""
    phone, name = phone_key(person.phone), name_key(person.name)
    if not (phone and name):
        return None
    query = Petitioner.select().where((Petitioner.phone == phone) & LIVE)
    if person.id is not None:
        query = query.where(Petitioner.id != person.id)
    for other in query.order_by(Petitioner.id):
        if name_key(other.name) == name and not (person.id_number and other.id_number
                                                 and person.id_number != other.id_number):
            return other
    return None


def same_name_warning(other, field="name"):
    """The warning (a ValidationError the form shows, with the 仍然新建 choice) that `other` has the same name and
    phone: said the same way on the petitioner form and the petition form's quick-add."""
    return ValidationError(SAME_NAME_AND_PHONE, field=field, holder=holder_details(other), holder_id=other.id)


def other_name(person, name):
    """True when the petitioner found (by ID number) is on record under another name than the one given."""
    return person is not None and bool(name_key(name)) and name_key(person.name) != name_key(name)


def add_petitioner(by, summary=None, **fields):
    """A new petitioner, saved (its clean() checks the ID number and phone) and recorded in the audit log; call it
    inside the transaction of the petition it comes with."""
    person = Petitioner(**fields)
    person.save(force_insert=True)
    audit.record("create", person, person.id, by=by, summary=summary, after=audit.snapshot(person))
    return person


USE, ASK, NEW = "use", "ask", "new"  # find_or_add: what a match by name and phone alone means


def find_or_add(by, name, id_number=None, phone=None, summary=None, name_differs=NAME_DIFFERS, same_name=USE,
                **details):
    """(petitioner, created): the one on record who is this person, else a new one with these details (audited).
    Raises ValidationError(name_differs) when the ID number is on record under another name: the person is not
    attached to someone else's record silently. A match by name and phone alone (not by ID number) is, by
    `same_name`: USE, the record on record (the import, the hotline); ASK, the same-name warning raised
    (same_name_warning, as the petitioner form does: a screen); NEW, another person (the clerk's 仍然新建)."""
    person = find_petitioner(id_number, phone, name)
    if other_name(person, name):
        raise ValidationError(name_differs, field="id_number", id_number=mask_id_number(person.id_number),
                              name=person.name, holder=holder_details(person), holder_id=person.id)
    if person is not None and same_name != USE and not by_id_number(person, id_number):
        if same_name == ASK:
            raise same_name_warning(person)
        person = None  # 仍然新建: the clerk says it is another person
    if person is not None:
        return person, False
    return add_petitioner(by, summary, name=name, id_number=id_number, phone=phone, **details), True
