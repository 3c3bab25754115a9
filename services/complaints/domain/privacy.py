"""Personal data: phone numbers validated and normalised, masked for those who may not see them whole."""

from __future__ import annotations

import phonenumbers

from shared.errors import InvalidCommand

# Who sees a complainant's name and phone whole: hotline staff (and the complainant, by the secret link).
WHOLE = frozenset({"hotline_operator", "admin"})
ERASED = "（个人信息已删除）"


def normalise_phone(raw: str) -> str:
    """The number in E.164 (+8613812345678), or a 422 saying why it is not a reachable number."""
    text = (raw or "").strip()
    if not text:
        raise InvalidCommand("请填写联系电话", code="phone_missing")
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        raise InvalidCommand(f"“{text[:30]}”不是电话号码", code="phone_invalid") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidCommand(f"“{text[:30]}”不是有效的电话号码（手机 11 位，座机请带区号）", code="phone_invalid")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str) -> str:
    """How hotline staff read it: 138 1234 5678, or 024 2345 6789 for a landline."""
    number = phonenumbers.parse(e164, "CN")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def mask_phone(e164: str) -> str:
    """138****5678: enough for a contractor to tell callers apart, not to call them."""
    digits = str(phonenumbers.parse(e164, "CN").national_number)
    return digits[:3] + "*" * max(len(digits) - 7, 1) + digits[-4:]


def mask_name(name: str) -> str:
    """张* / 欧阳** : the family name only."""
    name = name.strip()
    if not name:
        return ""
    keep = 2 if len(name) >= 4 else 1
    return name[:keep] + "*" * (len(name) - keep)


def redact_numbers(text: str) -> str:
    """Phone numbers a resident typed into the text, replaced before anything is recorded or shown."""
    out, last = [], 0
    for match in phonenumbers.PhoneNumberMatcher(text, "CN", leniency=phonenumbers.Leniency.POSSIBLE):
        out += [text[last:match.start], "[电话已隐去]"]
        last = match.end
    return "".join(out) + text[last:]


def contact_for(role: str | None, contact: dict | None, *, own: bool = False) -> dict:
    """The contact as `role` may see it: whole, masked, or erased."""
    if contact is None:
        return {"name": ERASED, "phone": ERASED, "masked": True, "erased": True}
    if own or role in WHOLE:
        phone = contact.get("phone")
        return {"name": contact.get("name", ""), "phone": display_phone(phone) if phone else "",
                "masked": False, "erased": False}
    phone = contact.get("phone")
    return {"name": mask_name(contact.get("name", "")), "phone": mask_phone(phone) if phone else "",
            "masked": True, "erased": False}
