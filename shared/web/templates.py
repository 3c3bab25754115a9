"""The Jinja2 environments of the pages (one per language) and the `Templates` that render them."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from babel.support import NullTranslations
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from shared.actor import Actor
from shared.web.i18n import (
    LOCALES,
    load_translations,
    remember_locale,
    request_locale,
    switch_locale_url,
)
from shared.web.navigation import NavLink, role_label

SHELL_TEMPLATE_DIR = Path(__file__).parent / "templates"

CurrentUser = Callable[[Request], Actor | None]


def create_environment(
    locale: str,
    *,
    template_dirs: Sequence[Path] = (),
    locale_dirs: Sequence[Path] = (),
    translations: NullTranslations | None = None,
) -> Environment:
    """A Jinja2 environment for one page language; a service's templates shadow the shell's."""
    if translations is None:
        translations = load_translations(locale, locale_dirs)
    env = Environment(
        loader=FileSystemLoader([*template_dirs, SHELL_TEMPLATE_DIR]),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # newstyle gettext escapes its %-arguments, so `_("…%(name)s", name=x)` is safe in HTML.
    env.install_gettext_translations(translations, newstyle=True)
    env.globals["locale"] = locale
    return env


def root_path(request: Request) -> str:
    """The path prefix the app is served under (empty unless behind a proxy with a prefix)."""
    return request.scope.get("root_path", "").rstrip("/")


def login_url(request: Request) -> str:
    """The login page, asking to come back to the current page afterwards."""
    root = root_path(request)
    if request.url.path == f"{root}/login":
        return f"{root}/login"
    back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"{root}/login?{urlencode({'next': back})}"


class Templates:
    """Renders a service's pages inside the shared shell (navigation, user, language, title)."""

    def __init__(
        self,
        *,
        service: str,
        title_zh: str,
        nav: Sequence[NavLink],
        current_user: CurrentUser,
        title_en: str | None = None,
        template_dirs: Sequence[Path] = (),
        locale_dirs: Sequence[Path] = (),
    ) -> None:
        self.service = service
        self.titles = {"zh-CN": title_zh, "en": title_en or title_zh}
        self.nav = list(nav)
        self.current_user = current_user
        # Set by install_shell when links to the other services carry the sign-in over.
        self.handoff = False
        self.translations = {locale: load_translations(locale, locale_dirs) for locale in LOCALES}
        self.environments = {
            locale: create_environment(
                locale, template_dirs=template_dirs, translations=translations
            )
            for locale, translations in self.translations.items()
        }

    def locale(self, request: Request) -> str:
        """The page language of this request."""
        return request_locale(request)

    def translate(self, request: Request, message: str, **variables: Any) -> str:
        """`message` (an English msgid) in the request's language, %-formatted with `variables`."""
        text = self.translations[self.locale(request)].gettext(message)
        return text % variables if variables else text

    def context(self, request: Request) -> dict[str, Any]:
        """What every page can use: the request, language, service, title, navigation and user."""
        locale = self.locale(request)
        root = root_path(request)
        user = self.current_user(request)
        return {
            "request": request,
            "locale": locale,
            "html_lang": locale,
            "service": self.service,
            "title": self.titles[locale],
            "nav": self.nav,
            "user": user,
            "user_role_label": role_label(user.role, locale) if user else None,
            "root": root,
            "static": lambda path: f"{root}/static/{path.lstrip('/')}",
            "login_url": login_url(request),
            "logout_url": f"{root}/logout",
            "nav_url": lambda link: self.nav_url(request, link, signed_in=user is not None),
            "switch_locale_url": lambda target: switch_locale_url(request, target),
        }

    def nav_url(self, request: Request, link: NavLink, *, signed_in: bool) -> str:
        """Where a navigation link goes: another service through the sign-in hand-over when signed in."""
        if self.handoff and signed_in and link.key != self.service:
            return f"{root_path(request)}/login/handoff?to={link.key}"
        return link.url

    def render(
        self,
        request: Request,
        name: str,
        context: Mapping[str, Any] | None = None,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> HTMLResponse:
        """Render template `name` in the request's language; the page's own context wins."""
        page = self.context(request) | dict(context or {})
        template = self.environments[page["locale"]].get_template(name)
        response = HTMLResponse(template.render(page), status_code=status_code, headers=headers)
        remember_locale(request, response)
        return response

    def render_error(
        self, request: Request, status_code: int, message: str | None = None
    ) -> HTMLResponse:
        """The shell's error page for `status_code`, with an optional, already translated message."""
        return self.render(
            request,
            "error.html",
            {"status_code": status_code, "message": message},
            status_code=status_code,
        )
