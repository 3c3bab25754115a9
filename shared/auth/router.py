"""The login endpoints every service mounts: exchange a password for a token, ask who I am."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from shared.actor import ROLE_LABELS_ZH, Role
from shared.auth.dependency import AuthDep, CurrentActor


class TokenRead(BaseModel):
    """A freshly issued token, in the OAuth2 password-flow shape."""

    access_token: str
    token_type: str = "bearer"
    expires_in: int
    role: Role


class UserRead(BaseModel):
    """The logged-in account, as a page shows it."""

    username: str
    display_name: str
    role: Role
    role_label: str


def issue_token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], auth: AuthDep
) -> TokenRead:
    """Exchange username and password for a Bearer token."""
    login = auth.login(username=form.username, password=form.password)
    return TokenRead(
        access_token=login.token, expires_in=login.expires_in, role=login.user.role
    )


def read_me(actor: CurrentActor, auth: AuthDep) -> UserRead:
    """The account the request's token belongs to."""
    user = auth.store.require(actor.id)
    return UserRead(
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        role_label=ROLE_LABELS_ZH[user.role],
    )


def auth_router() -> APIRouter:
    """POST /auth/token (OAuth2 password form) and GET /auth/me."""
    router = APIRouter(prefix="/auth", tags=["auth"])
    router.add_api_route("/token", issue_token, methods=["POST"], response_model=TokenRead,
                         responses={401: {"description": "用户名或密码错误 Wrong user name or password"}})
    router.add_api_route("/me", read_me, methods=["GET"], response_model=UserRead)
    return router
