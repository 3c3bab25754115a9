"""Page translations: .po catalogs compiled in memory, merged per service, chosen per request."""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO
from pathlib import Path
from urllib.parse import urlencode

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from starlette.requests import Request
from starlette.responses import Response

SHELL_LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"

# Page language tag (BCP 47, as in <html lang>) → catalog directory name (gettext style).
LOCALES: dict[str, str] = {"zh-CN": "zh_CN", "en": "en"}
DEFAULT_LOCALE = "zh-CN"
LANG_PARAM = "lang"
LANG_COOKIE = "renovation_lang"
LANG_COOKIE_MAX_AGE = 365 * 24 * 3600

_ALIASES = {"zh": "zh-CN", "zh-cn": "zh-CN", "zh_cn": "zh-CN", "zh-hans": "zh-CN", "en": "en"}


def normalise_locale(value: str | None) -> str | None:
    """The supported page language a `lang` value names, or None if it names none."""
    if not value:
        return None
    return _ALIASES.get(value.strip().lower())


def compile_po(po_path: Path, catalog_dir: str) -> Translations:
    """Compile one .po file into translations in memory, so no binary .mo is ever committed."""
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=catalog_dir, domain=DOMAIN)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


def load_translations(
    locale: str, locale_dirs: Sequence[Path] = ()
) -> NullTranslations | Translations:
    """The shell's catalog for `locale`, with each service catalog merged over it (later wins)."""
    catalog_dir = LOCALES[locale]
    merged: Translations | None = None
    for base in (SHELL_LOCALE_DIR, *locale_dirs):
        po_path = Path(base) / catalog_dir / "LC_MESSAGES" / f"{DOMAIN}.po"
        if not po_path.is_file():
            continue
        translations = compile_po(po_path, catalog_dir)
        merged = translations if merged is None else merged.merge(translations)
    return merged if merged is not None else NullTranslations()


def request_locale(request: Request) -> str:
    """The page language of a request: `?lang=` first, then the remembered cookie, else zh-CN."""
    return (
        normalise_locale(request.query_params.get(LANG_PARAM))
        or normalise_locale(request.cookies.get(LANG_COOKIE))
        or DEFAULT_LOCALE
    )


def remember_locale(request: Request, response: Response) -> None:
    """Keep a `?lang=` choice in a cookie so the following pages stay in that language."""
    chosen = normalise_locale(request.query_params.get(LANG_PARAM))
    if chosen and chosen != normalise_locale(request.cookies.get(LANG_COOKIE)):
        response.set_cookie(
            LANG_COOKIE, chosen, max_age=LANG_COOKIE_MAX_AGE, path="/", samesite="lax"
        )


def switch_locale_url(request: Request, locale: str) -> str:
    """A same-page relative link that switches to `locale` and keeps the other query values."""
    query = [(k, v) for k, v in request.query_params.multi_items() if k != LANG_PARAM]
    query.append((LANG_PARAM, locale))
    return f"{request.url.path}?{urlencode(query)}"
