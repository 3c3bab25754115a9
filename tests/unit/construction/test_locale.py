"""Every message of construction's pages has its zh-CN translation."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import services.construction

HERE = Path(services.construction.__file__).parent
DYNAMIC = {"quality", "safety"}  # complaint categories shown with _(category)


def test_every_template_message_is_translated_to_chinese():
    found = {msg for _, _, msg, _, _ in extract_from_dir(
        HERE / "api" / "templates", method_map=[("**.html", "jinja2")],
        options_map={"**.html": {"extensions": "jinja2.ext.i18n"}})}
    with (HERE / "locale" / "zh_CN" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale="zh_CN")
    translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
    assert found - translated == set()
    assert translated >= DYNAMIC
