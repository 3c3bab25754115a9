"""Free text people type: refused when it hides control or bidi-override characters."""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator

# Line breaks and tabs are ordinary in comments; everything else in Cc is not.
_ALLOWED_CONTROLS = {"\n", "\r", "\t"}
# Explicit bidi embeddings, overrides and isolates reorder what a reader sees (CVE-2021-42574).
_BIDI_CONTROLS = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


def check_text(value: str, *, multiline: bool = True) -> str:
    """The text unchanged, or ValueError naming the first forbidden character and its place."""
    for index, char in enumerate(value):
        if char in _BIDI_CONTROLS:
            raise ValueError(f"第 {index + 1} 个字符是双向文字控制符（U+{ord(char):04X}），不能使用")
        if unicodedata.category(char) in ("Cc", "Cs") and not (
                multiline and char in _ALLOWED_CONTROLS):
            raise ValueError(f"第 {index + 1} 个字符是控制字符（U+{ord(char):04X}），不能使用")
    return value


def _single_line(value: str) -> str:
    return check_text(value, multiline=False)


# A name, title or code on one line; and a comment or description that may span lines.
LineText = Annotated[str, AfterValidator(_single_line)]
FreeText = Annotated[str, AfterValidator(check_text)]
