"""The identity store: user accounts with argon2 password hashes in their own database."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel, ConfigDict
from sqlalchemy.engine import Engine
from sqlalchemy.schema import CreateTable

from shared.actor import ROLE_LABELS_ZH, SYSTEM_ROLE, Actor, Role
from shared.errors import InvalidCommand, NotFound

MIN_PASSWORD_LENGTH = 8

# Usernames become actor ids in every event envelope: keep them short and printable.
_USERNAME = re.compile(r"[\w.@-]{1,64}")

metadata = sa.MetaData()

users = sa.Table(
    "users",
    metadata,
    # Stored case-folded, so the primary key makes usernames unique case-insensitively.
    sa.Column("username", sa.String(64), primary_key=True),
    sa.Column("display_name", sa.String(100), nullable=False),
    sa.Column("role", sa.String(32), nullable=False),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
    # Raised by a password or role change: tokens carrying an older generation are refused.
    sa.Column("token_generation", sa.Integer, nullable=False, server_default="0"),
)


class User(BaseModel):
    """An account as the rest of the system sees it (never its password hash)."""

    model_config = ConfigDict(frozen=True)

    username: str
    display_name: str
    role: Role
    created_at: datetime
    disabled: bool = False
    token_generation: int = 0

    @property
    def actor(self) -> Actor:
        """The actor this account's actions are recorded under."""
        return Actor(id=self.username, role=self.role)


def normalize_username(username: str) -> str:
    """The stored form of a username: trimmed and case-folded."""
    return username.strip().casefold()


def valid_roles_zh() -> str:
    """Every role with its zh-CN label, for error messages and help texts."""
    return "、".join(f"{role.value}（{ROLE_LABELS_ZH[role]}）" for role in Role)


def parse_role(value: Role | str) -> Role:
    """The Role named by `value`, or InvalidCommand listing the valid ones."""
    try:
        return Role(str(value).strip().lower())
    except ValueError:
        raise InvalidCommand(
            f"角色“{value}”不存在。可选角色：{valid_roles_zh()}", code="role_unknown"
        ) from None


def check_password(password: str) -> None:
    """Refuse a password too short to be worth hashing."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidCommand(
            f"密码太短：至少需要 {MIN_PASSWORD_LENGTH} 个字符，当前只有 {len(password)} 个",
            code="password_too_short",
        )


def _check_username(username: str) -> None:
    if not _USERNAME.fullmatch(username):
        raise InvalidCommand(
            f"账号名“{username}”无效：只能包含字母、数字、汉字和 . _ - @，长度 1–64 个字符",
            code="username_invalid",
        )
    if username == SYSTEM_ROLE:
        # "system" is the actor id of automatic reactions; a person must not be mistaken for one.
        raise InvalidCommand("账号名“system”保留给系统自动操作，请换一个", code="username_invalid")


def _not_found(username: str) -> NotFound:
    return NotFound(f"账号“{username}”不存在", code="user_not_found")


class IdentityStore:
    """User accounts: create, authenticate, list, change password, disable."""

    def __init__(self, engine: Engine, *, hasher: PasswordHasher | None = None):
        self._engine = engine
        self._hasher = hasher or PasswordHasher()

    @classmethod
    def from_url(cls, url: str, *, hasher: PasswordHasher | None = None) -> IdentityStore:
        """A store on the database at `url` (SQLite or PostgreSQL)."""
        parsed = sa.make_url(url)
        if parsed.get_backend_name() == "sqlite":
            return cls(_sqlite_engine(parsed), hasher=hasher)
        return cls(sa.create_engine(parsed, pool_pre_ping=True), hasher=hasher)

    @property
    def engine(self) -> Engine:
        """The engine the store runs on."""
        return self._engine

    def create_schema(self) -> None:
        """Create the users table unless it exists (safe when several services start at once)."""
        try:
            with self._engine.begin() as conn:
                conn.execute(CreateTable(users, if_not_exists=True))
        except sa.exc.IntegrityError:
            # PostgreSQL: two concurrent IF NOT EXISTS can collide on the table's row type;
            # the other service created it, which is all we wanted.
            with self._engine.connect() as conn:
                if not sa.inspect(conn).has_table(users.name):
                    raise
        self._add_token_generation()

    def _add_token_generation(self) -> None:
        # Identity databases from before token revocation lack the column: add it in place.
        if self._has_token_generation():
            return
        try:
            with self._engine.begin() as conn:
                schema = conn.get_execution_options().get("schema_translate_map", {}).get(None)
                table = conn.dialect.identifier_preparer.quote(users.name)
                if schema:
                    table = f"{conn.dialect.identifier_preparer.quote_schema(schema)}.{table}"
                conn.exec_driver_sql(
                    f"ALTER TABLE {table} ADD COLUMN token_generation INTEGER NOT NULL DEFAULT 0")
        except sa.exc.DBAPIError:
            if not self._has_token_generation():  # else another service added it meanwhile
                raise

    def _has_token_generation(self) -> bool:
        try:
            with self._engine.connect() as conn:
                conn.execute(sa.select(users.c.token_generation).limit(1)).all()
            return True
        except sa.exc.DBAPIError:
            return False

    def add_user(
        self, *, username: str, password: str, role: Role | str, display_name: str | None = None
    ) -> User:
        """Create an account; refuse a taken or invalid username, unknown role or short password."""
        key = normalize_username(username)
        self.check_new_username(key)
        valid_role = parse_role(role)
        check_password(password)
        user = User(
            username=key,
            display_name=(display_name or "").strip() or key,
            role=valid_role,
            created_at=datetime.now(UTC),
        )
        row = user.model_dump() | {"role": valid_role.value}
        row["password_hash"] = self._hasher.hash(password)
        try:
            with self._engine.begin() as conn:
                conn.execute(users.insert().values(**row))
        except sa.exc.IntegrityError:
            raise _taken(key) from None  # created by someone else since the check above
        return user

    def authenticate(self, *, username: str, password: str) -> User | None:
        """The account if the password matches and it is not disabled, else None."""
        row = self._row(username)
        if row is None:
            # Spend as long as a real check, so response times do not reveal which usernames exist.
            self._verify(self._dummy_hash, password)
            return None
        if not self._verify(row.password_hash, password):
            return None
        if self._hasher.check_needs_rehash(row.password_hash):
            self._update(row.username, password_hash=self._hasher.hash(password))
        # Checked after the hash so a disabled account answers as slowly as any other.
        return None if row.disabled else _user(row)

    def get(self, username: str) -> User | None:
        """The account with this username (any case), or None."""
        row = self._row(username)
        return None if row is None else _user(row)

    def require(self, username: str) -> User:
        """The account with this username, or NotFound."""
        user = self.get(username)
        if user is None:
            raise _not_found(normalize_username(username))
        return user

    def check_new_username(self, username: str) -> None:
        """Refuse a username that is malformed, reserved, or taken (in any case)."""
        key = normalize_username(username)
        _check_username(key)
        if self.get(key) is not None:
            raise _taken(key)

    def list_users(self) -> list[User]:
        """Every account, by username."""
        with self._engine.connect() as conn:
            rows = conn.execute(users.select().order_by(users.c.username)).all()
        return [_user(row) for row in rows]

    def set_password(self, *, username: str, password: str) -> None:
        """Replace an account's password; tokens issued before stop working."""
        check_password(password)
        self._update(username, password_hash=self._hasher.hash(password),
                     token_generation=users.c.token_generation + 1)

    def set_role(self, *, username: str, role: Role | str) -> User:
        """Give an account another role; tokens issued before stop working."""
        valid_role = parse_role(role)
        self._update(username, role=valid_role.value, token_generation=users.c.token_generation + 1)
        return self.require(username)

    def revoke_tokens(self, *, username: str) -> None:
        """Make every token issued to this account so far invalid (log out everywhere)."""
        self._update(username, token_generation=users.c.token_generation + 1)

    def disable(self, *, username: str) -> None:
        """Stop an account from logging in or using tokens it already holds."""
        self._update(username, disabled=True)

    def enable(self, *, username: str) -> None:
        """Let a disabled account log in again."""
        self._update(username, disabled=False)

    def _row(self, username: str) -> sa.Row | None:
        with self._engine.connect() as conn:
            return conn.execute(
                users.select().where(users.c.username == normalize_username(username))
            ).one_or_none()

    def _update(self, username: str, **values: object) -> None:
        key = normalize_username(username)
        with self._engine.begin() as conn:
            result = conn.execute(users.update().where(users.c.username == key).values(**values))
        if result.rowcount == 0:
            raise _not_found(key)

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    @cached_property
    def _dummy_hash(self) -> str:
        return self._hasher.hash("timing-equaliser-for-unknown-users")


def _taken(username: str) -> InvalidCommand:
    return InvalidCommand(f"账号“{username}”已存在（账号名不区分大小写）", code="username_taken")


def _user(row: sa.Row) -> User:
    created_at = row.created_at
    if created_at.tzinfo is None:
        # SQLite keeps no offset; everything is written in UTC.
        created_at = created_at.replace(tzinfo=UTC)
    return User(
        username=row.username,
        display_name=row.display_name,
        role=Role(row.role),
        created_at=created_at,
        disabled=row.disabled,
        token_generation=row.token_generation,
    )


def _sqlite_engine(url: sa.URL) -> Engine:
    database = url.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url)

    @sa.event.listens_for(engine, "connect")
    def _wal(dbapi_connection, _record) -> None:
        # Four services and the CLI share this file: WAL lets them read while one writes.
        dbapi_connection.execute("PRAGMA journal_mode=WAL")

    return engine
