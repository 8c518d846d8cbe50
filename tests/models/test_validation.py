"""ID numbers (GB 11643-1999), phone numbers and their masking."""
import datetime as dt

import pytest

from models.errors import ValidationError
from models.validation import (
    id_check_character, mask_id_number, mask_phone, normalize_id_number, normalize_phone,
)

STANDARD_EXAMPLE = "11010519491231002X"  # the example of GB 11643-1999 itself
VALID = "371526196503121238"


@pytest.mark.parametrize("first17, check", [
    pytest.param("11010519491231002", "X", id="remainder-2-gives-X"),
    pytest.param("37152619650312123", "8", id="county-example"),
    pytest.param("44052418800101001", "4", id="guangdong"),
])
def test_check_character_is_mod_11_2(first17, check):
    assert id_check_character(first17) == check


@pytest.mark.parametrize("value", [
    pytest.param(STANDARD_EXAMPLE, id="ends-in-X"),
    pytest.param(VALID, id="ends-in-digit"),
    pytest.param("  " + VALID + " ", id="surrounding-spaces"),
])
def test_valid_id_number_is_accepted(value):
    assert normalize_id_number(value) == value.strip()


def test_lower_case_x_is_normalised_to_upper_case():
    assert normalize_id_number(STANDARD_EXAMPLE.lower()) == STANDARD_EXAMPLE


@pytest.mark.parametrize("value", [
    pytest.param(VALID[:17] + "9", id="wrong-check-digit"),
    pytest.param(VALID[:17] + "X", id="X-where-digit-due"),
    pytest.param(STANDARD_EXAMPLE[:17] + "0", id="digit-where-X-due"),
])
def test_id_number_with_wrong_check_character_is_refused(value):
    with pytest.raises(ValidationError, match="check character"):
        normalize_id_number(value)


@pytest.mark.parametrize("born", [
    pytest.param("19490231", id="february-31"),
    pytest.param("19491301", id="month-13"),
    pytest.param("20230229", id="february-29-common-year"),
    pytest.param("18991231", id="before-1900"),
])
def test_id_number_birth_date_must_exist(born):
    first17 = "371526" + born + "123"
    with pytest.raises(ValidationError, match="birth date"):
        normalize_id_number(first17 + id_check_character(first17))


def test_id_number_birth_date_cannot_be_in_the_future():
    first17 = "37152620300101123"
    with pytest.raises(ValidationError, match="birth date"):
        normalize_id_number(first17 + id_check_character(first17), today=dt.date(2026, 1, 1))


def test_id_number_born_today_is_accepted():
    first17 = "37152620260101123"
    value = first17 + id_check_character(first17)
    assert normalize_id_number(value, today=dt.date(2026, 1, 1)) == value


def test_leap_day_birth_date_is_accepted():
    first17 = "37152620000229123"
    assert normalize_id_number(first17 + id_check_character(first17))


@pytest.mark.parametrize("value", [
    pytest.param(VALID[:17], id="17-chars"),
    pytest.param(VALID + "1", id="19-chars"),
    pytest.param("371526650312123", id="old-15-digit"),
    pytest.param("37152619650312123A", id="letter-not-X"),
    pytest.param("", id="empty"),
    pytest.param(None, id="none"),
])
def test_id_number_has_17_digits_and_a_digit_or_x(value):
    with pytest.raises(ValidationError, match="18 characters"):
        normalize_id_number(value)


def test_full_width_id_number_is_stored_in_ascii():
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in STANDARD_EXAMPLE)  # typed with a Chinese input method
    assert normalize_id_number(full_width) == STANDARD_EXAMPLE


def test_id_number_with_non_ascii_digits_is_refused():
    arabic_indic = "".join(chr(0x0660 + int(c)) for c in VALID[:17]) + VALID[17]
    with pytest.raises(ValidationError):
        normalize_id_number(arabic_indic)


@pytest.mark.parametrize("value, normalised", [
    pytest.param("13812345678", "13812345678", id="mobile"),
    pytest.param("199 1234 5678", "19912345678", id="mobile-with-spaces"),
    pytest.param("+8613812345678", "13812345678", id="mobile-with-country-code"),
    pytest.param("0635-1234567", "0635-1234567", id="landline"),
    pytest.param("(0635)1234567", "06351234567", id="landline-in-brackets"),
    pytest.param("（0635）1234567", "06351234567", id="landline-full-width-brackets"),
    pytest.param("010-12345678", "010-12345678", id="landline-3-digit-area"),
    pytest.param("0635-1234567-801", "0635-1234567-801", id="landline-extension"),
    pytest.param("１３８１２３４５６７８", "13812345678", id="full-width-mobile"),
])
def test_phone_is_a_mobile_or_a_landline(value, normalised):
    assert normalize_phone(value) == normalised


@pytest.mark.parametrize("value", [
    pytest.param("12812345678", id="mobile-second-digit-2"),
    pytest.param("1381234567", id="mobile-10-digits"),
    pytest.param("138123456789", id="mobile-12-digits"),
    pytest.param("1234567", id="landline-without-area-code"),
    pytest.param("0635-123", id="landline-too-short"),
    pytest.param("phone", id="letters"),
    pytest.param("", id="empty"),
])
def test_bad_phone_is_refused(value):
    with pytest.raises(ValidationError) as error:
        normalize_phone(value)
    assert error.value.field == "phone"


@pytest.mark.parametrize("value, masked", [
    pytest.param("371526196503121234", "371526********1234", id="id-number"),
    pytest.param("", "", id="empty"),
    pytest.param(None, "", id="none"),
    pytest.param("1234", "****", id="too-short-to-show-anything"),
])
def test_id_number_mask_shows_region_and_last_four(value, masked):
    assert mask_id_number(value) == masked


@pytest.mark.parametrize("value, masked", [
    pytest.param("13812345678", "138****5678", id="mobile"),
    pytest.param("", "", id="empty"),
    pytest.param("1234567", "*******", id="too-short-to-show-anything"),
])
def test_phone_mask_shows_first_three_and_last_four(value, masked):
    assert mask_phone(value) == masked
