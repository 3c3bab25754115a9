"""Unit tests of password hashing and login tokens: round trip, expiry, tampering, wrong issuer."""

import base64
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from pydantic import SecretStr
from sqlalchemy.pool import StaticPool

from shared.actor import Role
from shared.auth import IdentityStore, TokenService, require_roles, users
from shared.auth.token import TokenClaims
from shared.errors import Unauthenticated

SECRET = SecretStr("unit-test-secret-with-at-least-32-characters")
# The cheapest argon2 parameters: the tests check behaviour, not hashing cost.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture
def tokens() -> TokenService:
    return TokenService(secret=SECRET, issuer="renovation", ttl=timedelta(hours=12))


@pytest.fixture
def store() -> IdentityStore:
    engine = sa.create_engine("sqlite://", poolclass=StaticPool)
    identity = IdentityStore(engine, hasher=FAST_HASHER)
    identity.create_schema()
    return identity


def _stored_hash(store: IdentityStore, username: str) -> str:
    with store.engine.connect() as conn:
        return conn.execute(
            sa.select(users.c.password_hash).where(users.c.username == username)
        ).scalar_one()


def _reason(tokens: TokenService, token: str) -> Unauthenticated:
    with pytest.raises(Unauthenticated) as refused:
        tokens.verify(token)
    return refused.value


class TestPasswordHashing:
    def test_the_password_is_stored_as_an_argon2id_hash_not_in_clear(self, store):
        store.add_user(username="li.na", password="correct horse", role=Role.INSPECTOR)

        stored = _stored_hash(store, "li.na")

        assert stored.startswith("$argon2id$")
        assert "correct horse" not in stored

    def test_the_right_password_logs_in_and_a_wrong_one_does_not(self, store):
        store.add_user(username="li.na", password="correct horse", role=Role.INSPECTOR)

        assert store.authenticate(username="li.na", password="correct horse").role is Role.INSPECTOR
        assert store.authenticate(username="li.na", password="wrong horse") is None

    def test_an_unknown_user_costs_a_hash_verification_like_a_known_one(self, store):
        calls = []

        class CountingHasher(PasswordHasher):
            def verify(self, hash, password):  # argon2's own parameter name
                calls.append(hash)
                return super().verify(hash, password)

        counting = IdentityStore(store.engine, hasher=CountingHasher(1, 8, 1))

        assert counting.authenticate(username="nobody", password="whatever1") is None
        assert len(calls) == 1

    def test_a_hash_made_with_weaker_parameters_is_upgraded_at_login(self, store):
        store.add_user(username="li.na", password="correct horse", role=Role.INSPECTOR)
        stronger = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
        upgraded = IdentityStore(store.engine, hasher=stronger)

        assert upgraded.authenticate(username="li.na", password="correct horse") is not None

        assert not stronger.check_needs_rehash(_stored_hash(store, "li.na"))
        assert upgraded.authenticate(username="li.na", password="correct horse") is not None


class TestTokens:
    def test_a_token_verifies_back_to_the_account_and_generation_it_was_issued_for(self, tokens):
        token = tokens.issue(username="zhang.wei", role=Role.OFFICIAL, display_name="张伟", generation=3)

        assert tokens.verify(token) == TokenClaims(username="zhang.wei", generation=3)

    def test_a_token_carries_name_role_issuer_and_its_lifetime(self, tokens):
        token = tokens.issue(username="zhang.wei", role=Role.OFFICIAL, display_name="张伟")

        claims = jwt.decode(token, options={"verify_signature": False})

        assert claims["sub"] == "zhang.wei"
        assert claims["role"] == "official"
        assert claims["name"] == "张伟"
        assert claims["iss"] == "renovation"
        assert claims["exp"] - claims["iat"] == 12 * 3600
        assert jwt.get_unverified_header(token)["alg"] == "HS256"

    def test_an_expired_token_is_refused_saying_when_it_expired(self, tokens):
        issued = datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
        token = tokens.issue(
            username="zhang.wei", role=Role.OFFICIAL, display_name="张伟", now=issued
        )

        refused = _reason(tokens, token)

        assert refused.code == "token_expired"
        assert "登录已过期" in refused.message
        assert "2026-03-01 20:00 北京时间" in refused.message  # 12 h after midnight UTC, at UTC+8

    def test_a_token_just_inside_its_lifetime_is_still_accepted(self, tokens):
        issued = datetime.now(UTC) - timedelta(hours=11, minutes=59)
        token = tokens.issue(username="a", role=Role.OFFICIAL, display_name="a", now=issued)

        assert tokens.verify(token).username == "a"

    def test_a_token_whose_role_was_edited_is_refused_as_tampered(self, tokens):
        token = tokens.issue(username="wang.fang", role=Role.RESIDENT, display_name="王芳")
        header, payload, signature = token.split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        claims["role"] = "admin"
        forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()

        refused = _reason(tokens, f"{header}.{forged}.{signature}")

        assert refused.code == "token_invalid"
        assert "签名校验失败" in refused.message

    def test_a_token_signed_with_another_secret_is_refused(self, tokens):
        other = TokenService(
            secret=SecretStr("another-environment-secret-32-chars!!"),
            issuer="renovation",
            ttl=timedelta(hours=1),
        )
        token = other.issue(username="a", role=Role.OFFICIAL, display_name="a")

        assert "签名校验失败" in _reason(tokens, token).message

    def test_a_token_from_another_issuer_is_refused_naming_both_issuers(self, tokens):
        other = TokenService(secret=SECRET, issuer="somebody-else", ttl=timedelta(hours=1))
        token = other.issue(username="a", role=Role.OFFICIAL, display_name="a")

        message = _reason(tokens, token).message

        assert "“somebody-else”" in message
        assert "“renovation”" in message

    @pytest.mark.parametrize("garbage", ["not-a-jwt", "a.b.c", ""])
    def test_a_malformed_token_is_refused_as_malformed(self, tokens, garbage):
        assert "格式不正确" in _reason(tokens, garbage).message

    def test_an_unsigned_token_is_refused(self, tokens):
        now = datetime.now(UTC)
        unsigned = jwt.encode(
            {"sub": "a", "role": "admin", "iat": now, "exp": now + timedelta(hours=1),
             "iss": "renovation"},
            key=None,
            algorithm="none",
        )

        assert "只接受 HS256" in _reason(tokens, unsigned).message

    def test_a_token_missing_its_expiry_is_refused_naming_the_claim(self, tokens):
        token = jwt.encode(
            {"sub": "a", "role": "official", "iat": datetime.now(UTC), "iss": "renovation"},
            SECRET.get_secret_value(),
            algorithm="HS256",
        )

        assert "exp" in _reason(tokens, token).message

    def test_a_lifetime_of_zero_is_refused(self):
        with pytest.raises(ValueError):
            TokenService(secret=SECRET, issuer="renovation", ttl=timedelta(0))


def test_an_endpoint_must_name_the_roles_it_allows():
    with pytest.raises(ValueError, match="name the roles"):
        require_roles()
