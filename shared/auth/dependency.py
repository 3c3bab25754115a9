"""FastAPI dependencies that turn a request's token into the Actor an endpoint acts for."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.security import OAuth2PasswordBearer
from fastapi.security.utils import get_authorization_scheme_param

from shared.actor import ROLE_LABELS_ZH, Actor, Role
from shared.auth.identity import IdentityStore, User
from shared.auth.secret import signing_secret
from shared.auth.token import TokenService
from shared.errors import Forbidden, RenovationError, Unauthenticated
from shared.settings import KernelSettings

TOKEN_COOKIE = "renovation_token"

# Optional so a page's cookie may stand in for it; declaring it puts it in /docs.
_bearer = OAuth2PasswordBearer(tokenUrl="/auth/token", scheme_name="Bearer", auto_error=False)


def cookie_name_for(service: str) -> str:
    """The token cookie of one service: its own, as cookies do not keep the services' ports apart."""
    return f"renovation_{service}_token"


@dataclass(frozen=True)
class Login:
    """A successful login: the account, its fresh token and how many seconds the token lives."""

    user: User
    token: str
    expires_in: int


class Auth:
    """Who may log in and what their tokens say: one per service, kept on `app.state.auth`."""

    def __init__(self, *, store: IdentityStore, tokens: TokenService, cookie_name: str = TOKEN_COOKIE):
        self.store = store
        self.tokens = tokens
        self.cookie_name = cookie_name

    @classmethod
    def from_settings(cls, settings: KernelSettings, *, service: str | None = None) -> Auth:
        """The auth of the identity database and token settings every service shares."""
        store = IdentityStore.from_url(settings.identity_database_url)
        store.create_schema()
        tokens = TokenService(
            secret=signing_secret(settings),
            issuer=settings.jwt_issuer,
            ttl=timedelta(minutes=settings.jwt_ttl_minutes),
        )
        return cls(store=store, tokens=tokens,
                   cookie_name=cookie_name_for(service) if service else TOKEN_COOKIE)

    def install(self, app: FastAPI) -> None:
        """Make this the auth that the dependencies of `app` use."""
        app.state.auth = self

    def login(self, *, username: str, password: str) -> Login:
        """A fresh token for the account, or Unauthenticated when the credentials do not match."""
        user = self.store.authenticate(username=username, password=password)
        if user is None:
            raise Unauthenticated(
                "登录失败：用户名或密码错误（如确认无误，请联系管理员确认账号未被停用）",
                code="invalid_credentials",
            )
        return Login(user=user, token=self.token_for(user),
                     expires_in=int(self.tokens.ttl.total_seconds()))

    def token_for(self, user: User | str) -> str:
        """A fresh token for an existing account (the CLI and tests use it; login after the password)."""
        account = self.store.require(user) if isinstance(user, str) else user
        return self.tokens.issue(username=account.username, role=account.role,
                                 display_name=account.display_name,
                                 generation=account.token_generation)

    def actor(self, token: str) -> Actor:
        """The actor of a valid token, in the role its account has NOW (never the token's claim)."""
        claims = self.tokens.verify(token)
        # One primary-key read per request, no cache: disabling an account, changing its role
        # or its password takes effect on the very next request, in every service.
        user = self.store.get(claims.username)
        if user is None or user.disabled:
            raise Unauthenticated(
                f"账号“{claims.username}”已停用或已不存在，请联系管理员", code="account_disabled"
            )
        if claims.generation != user.token_generation:
            raise Unauthenticated(
                "登录凭证已失效：账号的密码或角色在此凭证签发后已更改，请重新登录",
                code="token_revoked",
            )
        return user.actor

    def page_actor(self, request: Request) -> Actor | None:
        """The actor of a request's Bearer header or cookie, or None (the shell's current user)."""
        scheme, bearer = get_authorization_scheme_param(request.headers.get("Authorization"))
        token = bearer if scheme.lower() == "bearer" else None
        return self.actor_or_none(token or request.cookies.get(self.cookie_name))

    def sign_out(self, request: Request) -> None:
        """End every token of the request's account: its sign-in in all four services' cookies."""
        actor = self.page_actor(request)
        if actor is not None:
            self.store.revoke_tokens(username=actor.id)

    def handoff_code(self, request: Request, *, to_service: str) -> str | None:
        """A one-minute code carrying this request's sign-in to another service, or None."""
        actor = self.page_actor(request)
        if actor is None:
            return None
        user = self.store.require(actor.id)
        return self.tokens.issue_handoff(username=user.username, generation=user.token_generation,
                                         audience=f"handoff:{to_service}")

    def accept_handoff(self, code: str, *, service: str) -> Login | None:
        """A fresh login for the account a hand-over code carries to `service`, or None."""
        try:
            claims = self.tokens.verify_handoff(code, audience=f"handoff:{service}")
        except Unauthenticated:
            return None
        user = self.store.get(claims.username)
        if user is None or user.disabled or user.token_generation != claims.generation:
            return None
        return Login(user=user, token=self.token_for(user), expires_in=int(self.tokens.ttl.total_seconds()))

    def actor_or_none(self, token: str | None) -> Actor | None:
        """The actor of a token, or None when there is none or it is no longer valid."""
        if not token:
            return None
        try:
            return self.actor(token)
        except RenovationError:
            return None  # an expired cookie just means the page shows the login prompt


def get_auth(request: Request) -> Auth:
    """The auth installed on the app serving this request."""
    auth = getattr(request.app.state, "auth", None)
    if auth is None:
        raise RuntimeError("no Auth on app.state: call Auth.install(app) in the service bootstrap")
    return auth


AuthDep = Annotated[Auth, Depends(get_auth)]


def _presented_token(
    request: Request, auth: AuthDep, bearer: Annotated[str | None, Depends(_bearer)]
) -> str | None:
    # The header wins: API clients send it, pages only have the cookie.
    return bearer or request.cookies.get(auth.cookie_name)


def current_actor(
    auth: AuthDep, token: Annotated[str | None, Depends(_presented_token)]
) -> Actor:
    """The logged-in actor, whatever the role; Unauthenticated without a valid token."""
    if not token:
        raise Unauthenticated(
            "未登录：请求缺少登录凭证（请在 Authorization 头中携带 Bearer 令牌，"
            "或先在本服务的页面登录）"
        )
    return auth.actor(token)


def optional_actor(
    auth: AuthDep, token: Annotated[str | None, Depends(_presented_token)]
) -> Actor | None:
    """The logged-in actor for a page, or None when nobody (validly) is."""
    return auth.actor_or_none(token)


current_actor.logged_in = True  # read by shared.openapi: the endpoint may answer 401
CurrentActor = Annotated[Actor, Depends(current_actor)]
OptionalActor = Annotated[Actor | None, Depends(optional_actor)]


def require_roles(*roles: Role) -> Callable[[Actor], Actor]:
    """A dependency yielding the logged-in actor if their role is one of `roles`, else Forbidden."""
    if not roles:
        raise ValueError("name the roles allowed; use current_actor for any logged-in user")
    allowed = tuple(Role(role) for role in roles)

    def allowed_actor(actor: CurrentActor) -> Actor:
        if actor.role not in allowed:
            raise Forbidden(
                f"无权执行此操作：当前账号的角色是“{_label(actor.role)}”，"
                f"此操作仅限{'、'.join(_label(role) for role in allowed)}",
                details={"role": str(actor.role), "allowed": [role.value for role in allowed]},
            )
        return actor

    allowed_actor.roles = allowed  # read by shared.openapi: the document names the roles
    return allowed_actor


def _label(role: str) -> str:
    return ROLE_LABELS_ZH.get(role, role)
