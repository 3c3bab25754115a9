"""Cross-origin request protection for every service, in the manner of Go 1.25's CrossOriginProtection.

A browser tells where a request comes from: `Sec-Fetch-Site` (all current browsers), else
`Origin`. An unsafe request (POST, PUT, PATCH, DELETE) is refused with 403 unless it comes from
this service's own pages, from a trusted origin for the paths it is trusted on, or from a
client that is not a browser (neither header). A request carrying a Bearer token and no token
cookie is not affected: a page on another origin cannot attach that header without CORS, which
no service grants.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def origin_of(url: str) -> str:
    """The origin (scheme://host:port) of a URL, as a browser writes it in `Origin`."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class CrossOriginProtection:
    """ASGI middleware refusing cross-origin unsafe requests with a zh-CN reason."""

    def __init__(self, app: ASGIApp, *, cookie_name: str,
                 trusted: Mapping[str, Iterable[str]] | None = None) -> None:
        self.app = app
        self.cookie_name = cookie_name
        # path suffix -> origins trusted to post there (the sign-in hand-over between services)
        self.trusted = {path: frozenset(origin_of(o) for o in origins) for path, origins in (trusted or {}).items()}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        problem = None if self._bearer_only(scope, headers) else self.problem(scope, headers)
        if problem is None:
            await self.app(scope, receive, send)
            return
        response = refusal(Request(scope), problem, headers)
        await response(scope, receive, send)

    def _bearer_only(self, scope: Scope, headers: Headers) -> bool:
        scheme, _, token = headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and bool(token) and self.cookie_name not in Request(scope).cookies

    def problem(self, scope: Scope, headers: Headers) -> str | None:
        """Why this unsafe request is refused, or None when it may go on."""
        origin = headers.get("origin")
        if origin and origin.lower() in self._trusted_for(scope["path"]):
            return None
        site = headers.get("sec-fetch-site")
        if site is not None:
            if site in ("same-origin", "none"):
                return None
            return f"请求来自其他网站（Sec-Fetch-Site: {site}，Origin: {origin or '未提供'}）"
        if not origin:
            return None  # not a browser, or one that sends neither header on same-origin requests
        if urlsplit(origin).netloc.lower() == headers.get("host", "").lower():
            return None
        return f"请求来自其他网站（Origin: {origin}，本服务: {headers.get('host', '未知')}）"

    def _trusted_for(self, path: str) -> frozenset[str]:
        found: frozenset[str] = frozenset()
        for suffix, origins in self.trusted.items():
            if path.endswith(suffix):
                found |= origins
        return found


def refusal(request: Request, problem: str, headers: Headers) -> JSONResponse:
    """403 with the reason: the shell's error page for a browser, else the JSON error body."""
    message = (f"跨站请求已拒绝：{problem}。为防止其他网站冒用您的登录提交表单，"
               "只接受从本服务自己的页面提交的操作；如确是您本人操作，请回到本服务的页面重新提交。")
    templates = getattr(request.app.state, "templates", None) if "app" in request.scope else None
    if templates is not None and "text/html" in headers.get("accept", ""):
        return templates.render_error(request, 403, message)
    return JSONResponse({"error": "cross_origin_refused", "detail": message,
                         "details": {"origin": headers.get("origin"),
                                     "sec_fetch_site": headers.get("sec-fetch-site")}}, status_code=403)
