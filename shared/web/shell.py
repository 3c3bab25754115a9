"""The one call each service makes for the shared page shell: static files, docs, login, logout."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.staticfiles import StaticFiles

from shared.actor import Actor
from shared.web.docs import SpecificationSource, install_api_docs
from shared.auth.dependency import TOKEN_COOKIE
from shared.web.navigation import NavLink
from shared.web.templates import CurrentUser, Templates, root_path

SHELL_STATIC_DIR = Path(__file__).parent / "static"


@dataclass(frozen=True)
class LoginResult:
    """A successful sign-in: the token to keep in the cookie and who it belongs to."""

    token: str
    actor: Actor
    # seconds the cookie lives; None makes it a session cookie. Match the token's lifetime.
    max_age: int | None = None


LoginFn = Callable[[str, str], "LoginResult | None | Awaitable[LoginResult | None]"]


@dataclass(frozen=True)
class Handoff:
    """Carrying a sign-in from this service's pages to another service's (each has its own cookie).

    `issue(request, to_service)` gives a one-minute code for the request's signed-in account (or
    None); `accept(code)` turns a code meant for this service into a login (or None).
    """

    issue: Callable[[Request, str], str | None]
    accept: Callable[[str], LoginResult | None]


HANDOFF_PATH = "/login/handoff"


def safe_next(target: str | None, *, default: str = "/") -> str:
    """`target` if it is a path on this site, else `default`: no open redirects to other hosts."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return default
    # browsers read "\" as "/" and drop tabs and newlines, turning "/\evil" into "//evil"
    if "\\" in target or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


def install_shell(
    app: FastAPI,
    *,
    service: str,
    title_zh: str,
    nav: Sequence[NavLink],
    login: LoginFn,
    current_user: CurrentUser,
    asyncapi: SpecificationSource | None = None,
    title_en: str | None = None,
    template_dirs: Sequence[Path] = (),
    locale_dirs: Sequence[Path] = (),
    static_dir: Path | None = None,
    cookie_name: str = TOKEN_COOKIE,
    handoff: Handoff | None = None,
    sign_out: Callable[[Request], None] | None = None,
) -> Templates:
    """Mount /static, /docs, /asyncapi(.json), /login, /logout (POST) on `app`; return its renderer."""
    templates = Templates(
        service=service,
        title_zh=title_zh,
        title_en=title_en,
        nav=nav,
        current_user=current_user,
        template_dirs=template_dirs,
        locale_dirs=locale_dirs,
    )
    # a service's own assets first: the shell's /static mount would otherwise swallow the path
    if static_dir is not None:
        app.mount(f"/static/{service}", StaticFiles(directory=static_dir), name=f"static-{service}")
    app.mount("/static", StaticFiles(directory=SHELL_STATIC_DIR), name="static")
    install_api_docs(app, title=title_zh, asyncapi=asyncapi)
    templates.handoff = handoff is not None
    app.include_router(_auth_router(templates, login, cookie_name, sign_out))
    if handoff is not None:
        app.include_router(_handoff_router(templates, handoff, cookie_name))
    return templates


def _set_token_cookie(request: Request, response: Response, result: LoginResult, cookie_name: str) -> None:
    response.set_cookie(cookie_name, result.token, max_age=result.max_age, path="/", httponly=True,
                        samesite="lax", secure=request.url.scheme == "https")


def _auth_router(templates: Templates, login: LoginFn, cookie_name: str,
                 sign_out: Callable[[Request], None] | None) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def login_page(
        request: Request,
        *,
        next_path: str,
        username: str = "",
        error: str | None = None,
        status_code: int = 200,
    ) -> HTMLResponse:
        context = {
            "next": next_path,
            "username": username,
            "error": error,
            "page_title": templates.translate(request, "Log in"),
        }
        return templates.render(request, "login.html", context, status_code=status_code)

    @router.get("/login")
    async def show_login(request: Request, next: str | None = None) -> HTMLResponse:
        return login_page(request, next_path=safe_next(next, default=f"{root_path(request)}/"))

    @router.post("/login")
    async def submit_login(
        request: Request,
        username: Annotated[str, Form()] = "",
        password: Annotated[str, Form()] = "",
        next: Annotated[str, Form()] = "",
    ) -> Response:
        next_path = safe_next(next, default=f"{root_path(request)}/")
        username = username.strip()
        if not username or not password:
            error = templates.translate(request, "Please enter your user name and password.")
            return login_page(
                request, next_path=next_path, username=username, error=error, status_code=400
            )
        result = await _call_login(login, username, password)
        if result is None:
            error = templates.translate(request, "Incorrect user name or password.")
            return login_page(
                request, next_path=next_path, username=username, error=error, status_code=401
            )
        response = RedirectResponse(next_path, status_code=303)
        _set_token_cookie(request, response, result, cookie_name)
        return response

    @router.get("/logout")
    async def confirm_logout(request: Request) -> HTMLResponse:
        # Leaving is a POST (a link on another site must not sign anyone out); a bookmarked
        # GET gets the button.
        return templates.render(request, "logout.html",
                                {"page_title": templates.translate(request, "Log out")})

    @router.post("/logout")
    async def logout(request: Request) -> Response:
        if sign_out is not None:
            # Each service has its own cookie: the tokens behind all of them end here.
            await run_in_threadpool(sign_out, request)
        response = RedirectResponse(f"{root_path(request)}/login", status_code=303)
        response.delete_cookie(cookie_name, path="/", httponly=True, samesite="lax")
        return response

    return router


def _handoff_router(templates: Templates, handoff: Handoff, cookie_name: str) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    # "strict-origin": the other service must see where the hand-over comes from (no-referrer sends Origin: null)
    private = {"Cache-Control": "no-store", "Referrer-Policy": "strict-origin"}

    @router.get(HANDOFF_PATH)
    async def hand_over(request: Request, to: str = "", next: str | None = None) -> Response:
        target = None
        for link in templates.nav:
            if link.key == to and link.key != templates.service:
                target = link
        if target is None:
            return RedirectResponse(f"{root_path(request)}/", status_code=303)
        next_link = safe_next(next, default="/")
        code = await run_in_threadpool(handoff.issue, request, target.key)
        if code is None:  # not signed in here: the other service asks for the password itself
            return RedirectResponse(target.url, status_code=303)
        context = {"page_title": target.label(templates.locale(request)), "target": target,
                   "action": target.url.rstrip("/") + HANDOFF_PATH, "code": code, "next": next_link}
        return templates.render(request, "handoff.html", context, headers=private)

    @router.post(HANDOFF_PATH)
    async def take_over(request: Request, code: Annotated[str, Form()] = "",
                        next: Annotated[str, Form()] = "") -> Response:
        next_path = safe_next(next, default=f"{root_path(request)}/")
        result = await run_in_threadpool(handoff.accept, code) if code else None
        if result is None:
            return RedirectResponse(f"{root_path(request)}/login?next={quote(next_path)}", status_code=303)
        response = RedirectResponse(next_path, status_code=303)
        _set_token_cookie(request, response, result, cookie_name)
        return response

    return router


async def _call_login(login: LoginFn, username: str, password: str) -> LoginResult | None:
    # password hashing is slow on purpose: a plain function must not block the event loop
    if inspect.iscoroutinefunction(login):
        return await login(username, password)
    result = await run_in_threadpool(login, username, password)
    return await result if inspect.isawaitable(result) else result
