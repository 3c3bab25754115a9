"""Authentication for every service: accounts, tokens, and the FastAPI dependencies using them."""

from shared.auth.dependency import (
    TOKEN_COOKIE,
    Auth,
    AuthDep,
    CurrentActor,
    Login,
    OptionalActor,
    current_actor,
    get_auth,
    optional_actor,
    require_roles,
)
from shared.auth.identity import IdentityStore, User, users
from shared.auth.router import TokenRead, UserRead, auth_router
from shared.auth.token import TokenService

__all__ = [
    "TOKEN_COOKIE",
    "Auth",
    "AuthDep",
    "CurrentActor",
    "IdentityStore",
    "Login",
    "OptionalActor",
    "TokenRead",
    "TokenService",
    "User",
    "UserRead",
    "auth_router",
    "current_actor",
    "get_auth",
    "optional_actor",
    "require_roles",
    "users",
]
