"""The shared page shell: Jinja2 templates with zh-CN/English catalogs, login, offline API docs."""

from shared.web.docs import install_api_docs
from shared.web.i18n import DEFAULT_LOCALE, LOCALES, load_translations, request_locale
from shared.web.navigation import NavLink, role_label, service_nav
from shared.web.shell import TOKEN_COOKIE, LoginResult, install_shell, safe_next
from shared.web.templates import Templates, create_environment

__all__ = [
    "DEFAULT_LOCALE",
    "LOCALES",
    "TOKEN_COOKIE",
    "LoginResult",
    "NavLink",
    "Templates",
    "create_environment",
    "install_api_docs",
    "install_shell",
    "load_translations",
    "request_locale",
    "role_label",
    "safe_next",
    "service_nav",
]
