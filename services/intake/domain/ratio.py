"""Exact ratios for thresholds (never floats: exactly 2/3 must pass) and how they read on screen."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction


def parse_ratio(text: str | int | Decimal | Fraction) -> Fraction:
    """A ratio written "2/3", "0.5", "50%" or as a number, as an exact Fraction in [0, 1]."""
    if isinstance(text, Fraction):
        value = text
    elif isinstance(text, (int, Decimal)):
        value = Fraction(text)
    else:
        value = _parse_text(str(text).strip())
    if not 0 <= value <= 1:
        raise ValueError(f"a ratio must lie between 0 and 1, got {text!r}")
    return value


def _parse_text(text: str) -> Fraction:
    try:
        if text.endswith("%"):
            return Fraction(Decimal(text[:-1].strip())) / 100
        if "/" in text:
            numerator, denominator = text.split("/", 1)
            return Fraction(int(numerator), int(denominator))
        return Fraction(Decimal(text))
    except (ValueError, ZeroDivisionError, InvalidOperation) as error:
        raise ValueError(f"not a ratio: {text!r}") from error


def ratio_text(value: Fraction) -> str:
    """How a threshold is written in settings and events: "2/3", "1/2"."""
    return f"{value.numerator}/{value.denominator}"


def decimal_text(value: Fraction, places: int = 4) -> str:
    """A ratio as a decimal string rounded half-up, e.g. "0.6875" (for events and CSV)."""
    quantum = Decimal(1).scaleb(-places)
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return str(exact.quantize(quantum, rounding=ROUND_HALF_UP))


def percent(value: Fraction, places: int = 1) -> str:
    """A ratio as a percentage rounded half-up, e.g. 61/90 → "67.8%"."""
    exact = Decimal(value.numerator * 100) / Decimal(value.denominator)
    return f"{exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)}%"


def compare_percent(value: Fraction, threshold: Fraction) -> tuple[str, str]:
    """Both as percentages, with as many places as it takes for unequal values to read unequal.

    Rounded to one place, 1333/2000 and 2/3 both read "66.7%"; a report saying
    "66.7% < 66.7%" would look wrong, so one more place is shown until they differ.
    """
    places = 1
    while value != threshold and percent(value, places) == percent(threshold, places) and places < 8:
        places += 1
    return percent(value, places), percent(threshold, places)


def share_figure(part: int, whole: int, threshold: Fraction) -> tuple[bool, str]:
    """Whether part/whole reaches the threshold, and the figure: "61/90 = 67.8% ≥ 66.7%"."""
    if whole <= 0:
        return False, f"{part}/{whole}：基数为 0，无法计算"
    value = Fraction(part, whole)
    passed = value >= threshold
    shown, needed = compare_percent(value, threshold)
    return passed, f"{part}/{whole} = {shown} {'≥' if passed else '<'} {needed}"
