"""What every intake page form does: read the fields, run one command, say why it was refused."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from shared.errors import InvalidCommand, RenovationError

# The validation problems a form meets most, in zh-CN; others keep pydantic's text.
MESSAGES_ZH = {
    "missing": "必填", "string_too_short": "太短", "string_too_long": "太长", "int_parsing": "应为整数",
    "float_parsing": "应为数字", "greater_than_equal": "数值过小", "less_than_equal": "数值过大",
    "greater_than": "数值过小", "date_parsing": "应为日期（YYYY-MM-DD）", "date_from_datetime_parsing":
    "应为日期（YYYY-MM-DD）", "enum": "取值不在允许范围内", "literal_error": "取值不在允许范围内",
    "bool_parsing": "应为是或否", "extra_forbidden": "不允许的字段",
}


async def form_data(request: Request) -> dict[str, Any]:
    """The posted fields; a field sent more than once (checkboxes) becomes a list, blanks are dropped."""
    form = await request.form()
    data: dict[str, Any] = {}
    for key in form:
        values = [v for v in form.getlist(key) if isinstance(v, str) and v.strip() != ""]
        if values:
            data[key] = values if len(form.getlist(key)) > 1 or key.endswith("[]") else values[0].strip()
    return {k.removesuffix("[]"): v for k, v in data.items()}


# Read in an async dependency so the page handlers themselves stay plain functions, which
# FastAPI runs in its thread pool: their database work never blocks the event loop.
FormFields = Annotated[dict[str, Any], Depends(form_data)]


def attempt(run: Callable[[], Any]) -> tuple[Any, list[str]]:
    """Run a command; (its result, []) or (None, the zh-CN reasons it was refused)."""
    try:
        return run(), []
    except ValidationError as error:
        return None, [reason(e) for e in error.errors()]
    except RenovationError as error:
        return None, [error.message]


def reason(error: dict) -> str:
    """One validation problem as a person reads it."""
    where = ".".join(str(part) for part in error.get("loc", ()))
    message = MESSAGES_ZH.get(error.get("type", ""), str(error.get("msg", "")).removeprefix("Value error, "))
    return f"{where}：{message}" if where else message


def back(url: str, notice: str | None = None) -> RedirectResponse:
    """Back to a page after a form was taken (303: the browser then GETs it)."""
    separator = "&" if "?" in url else "?"
    return RedirectResponse(f"{url}{separator}done={notice}" if notice else url, status_code=303)


def may(actor, *roles: str) -> bool:
    """Whether the signed-in user holds one of the roles (to show a form only to who may use it)."""
    return actor is not None and actor.role in roles


def fen(text: str | None, *, field: str) -> int:
    """Yuan as typed ("1,800,000.50") to integer fen, exactly; more than 2 decimals is refused."""
    cleaned = (text or "0").replace(",", "").replace("，", "").replace("元", "").strip() or "0"
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise InvalidCommand(f"{field}：“{text}”不是金额", code="amount_invalid") from None
    cents = amount * 100
    if not amount.is_finite() or cents != cents.to_integral_value() or amount < 0:
        raise InvalidCommand(f"{field}：金额应为非负数，最多两位小数", code="amount_invalid")
    return int(cents)
