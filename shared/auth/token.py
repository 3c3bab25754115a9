"""Signed login tokens: HS256 JWTs that carry who the bearer is and which role they act in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

import jwt
from pydantic import SecretStr

from shared.actor import Role
from shared.errors import Unauthenticated

ALGORITHM = "HS256"

# Services in deployment run on different hosts; tolerate their clocks disagreeing a little.
LEEWAY = timedelta(seconds=30)

# China keeps one time zone without daylight saving: expiry times are shown in it.
_BEIJING = timezone(timedelta(hours=8), "北京时间")

_RELOGIN = "请重新登录"

# How long a sign-in hand-over from one service's page to another's may take.
HANDOFF_TTL = timedelta(seconds=60)


@dataclass(frozen=True)
class TokenClaims:
    """What a verified token says that counts: whose it is and which generation of theirs."""

    username: str
    generation: int


class TokenService:
    """Issues and verifies the tokens every service accepts."""

    def __init__(self, *, secret: SecretStr, issuer: str, ttl: timedelta):
        if ttl <= timedelta(0):
            raise ValueError("token lifetime must be positive")
        self._secret = secret
        self._issuer = issuer
        self._ttl = ttl

    @property
    def ttl(self) -> timedelta:
        """How long an issued token stays valid."""
        return self._ttl

    def issue(
        self, *, username: str, role: Role | str, display_name: str, now: datetime | None = None,
        generation: int = 0,
    ) -> str:
        """A signed token for this account, valid for `ttl` from `now`.

        `role` and `name` are for the client's display only: every request takes the role from
        the account. `gen` is the account's token generation; raising it revokes this token.
        """
        issued_at = now or datetime.now(UTC)
        claims = {
            "sub": username,
            "role": str(Role(role)),
            "name": display_name,
            "gen": generation,
            "iat": issued_at,
            "exp": issued_at + self._ttl,
            "iss": self._issuer,
        }
        return jwt.encode(claims, self._secret.get_secret_value(), algorithm=ALGORITHM)

    def issue_handoff(self, *, username: str, generation: int, audience: str,
                      ttl: timedelta = HANDOFF_TTL) -> str:
        """A one-minute code carrying a sign-in over to another service (`audience`).

        It has an audience, so it is never accepted where a login token is expected.
        """
        now = datetime.now(UTC)
        claims = {"sub": username, "gen": generation, "aud": audience, "iat": now, "exp": now + ttl,
                  "iss": self._issuer}
        return jwt.encode(claims, self._secret.get_secret_value(), algorithm=ALGORITHM)

    def verify_handoff(self, code: str, *, audience: str) -> TokenClaims:
        """Whose sign-in a hand-over code carries; Unauthenticated when invalid, expired or not for us."""
        try:
            claims = jwt.decode(code, self._secret.get_secret_value(), algorithms=[ALGORITHM],
                                issuer=self._issuer, audience=audience, leeway=LEEWAY,
                                options={"require": ["sub", "gen", "aud", "exp", "iss"]})
        except jwt.PyJWTError as error:
            raise Unauthenticated(f"登录交接无效或已过期（{type(error).__name__}），{_RELOGIN}",
                                  code="handoff_invalid") from None
        return TokenClaims(username=str(claims["sub"]), generation=int(claims["gen"]))

    def verify(self, token: str) -> TokenClaims:
        """Whose token it is and its generation; Unauthenticated with the reason when not valid."""
        try:
            claims = jwt.decode(
                token,
                self._secret.get_secret_value(),
                algorithms=[ALGORITHM],
                issuer=self._issuer,
                leeway=LEEWAY,
                options={"require": ["sub", "iat", "exp", "iss"]},
            )
        except jwt.PyJWTError as error:
            raise Unauthenticated(self._reason(error, token), code=_code(error)) from None
        generation = claims.get("gen", 0)
        if not isinstance(generation, int) or isinstance(generation, bool):
            raise Unauthenticated(f"登录凭证无效：字段 gen 不是整数，{_RELOGIN}", code="token_invalid")
        return TokenClaims(username=str(claims["sub"]), generation=generation)

    def _reason(self, error: jwt.PyJWTError, token: str) -> str:
        # Order matters: several of these subclass DecodeError or InvalidTokenError.
        match error:
            case jwt.ExpiredSignatureError():
                return f"登录已过期（凭证有效期至 {_expiry(token)}），{_RELOGIN}"
            case jwt.InvalidSignatureError():
                return f"登录凭证无效：签名校验失败，凭证可能被篡改或由其他环境签发，{_RELOGIN}"
            case jwt.InvalidAlgorithmError():
                return f"登录凭证无效：只接受 {ALGORITHM} 签名的凭证，{_RELOGIN}"
            case jwt.InvalidIssuerError():
                return (
                    f"登录凭证无效：签发方是“{_unverified(token).get('iss')}”，"
                    f"本系统只接受“{self._issuer}”签发的凭证，{_RELOGIN}"
                )
            case jwt.MissingRequiredClaimError():
                return f"登录凭证无效：缺少必需的字段 {error.claim}，{_RELOGIN}"
            case jwt.ImmatureSignatureError():
                return "登录凭证尚未生效：签发时间晚于服务器当前时间，请检查服务器时钟"
            case jwt.DecodeError():
                return f"登录凭证格式不正确：不是有效的 JWT，{_RELOGIN}"
            case _:
                return f"登录凭证无效（{type(error).__name__}），{_RELOGIN}"


def _code(error: jwt.PyJWTError) -> str:
    return "token_expired" if isinstance(error, jwt.ExpiredSignatureError) else "token_invalid"


def _unverified(token: str) -> dict:
    # Only called once the signature has been checked: PyJWT verifies it before any claim.
    return jwt.decode(token, options={"verify_signature": False})


def _expiry(token: str) -> str:
    expires = datetime.fromtimestamp(_unverified(token)["exp"], tz=_BEIJING)
    return f"{expires:%Y-%m-%d %H:%M} 北京时间"
