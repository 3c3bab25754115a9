"""`renovation user …`: manage the accounts people log in with, and the embedded demo accounts."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from shared.actor import ROLE_LABELS_ZH, Role
from shared.auth.identity import IdentityStore, parse_role, valid_roles_zh
from shared.errors import InvalidCommand, NotFound
from shared.settings import KernelSettings

# Printed by the launcher of the embedded default; in deployment, accounts come from `user add`.
DEMO_PASSWORD = "demo-pass-2026"

user_app = typer.Typer(
    help="管理登录账号：新增、列出、停用、启用、修改密码。", no_args_is_help=True
)

_console = Console()


def demo_username(role: Role) -> str:
    """The predictable name of the demo account of a role, e.g. `demo-street-office`."""
    return f"demo-{role.value.replace('_', '-')}"


def ensure_demo_users(store: IdentityStore) -> list[tuple[str, str, Role]]:
    """Create the missing demo account of each role; (username, password, role) of all of them."""
    accounts = []
    for role in Role:
        username = demo_username(role)
        # Existing accounts are left as they are, password included: the launcher runs this often.
        if store.get(username) is None:
            store.add_user(
                username=username,
                password=DEMO_PASSWORD,
                role=role,
                display_name=f"演示账号·{ROLE_LABELS_ZH[role]}",
            )
        accounts.append((username, DEMO_PASSWORD, role))
    return accounts


def _store() -> IdentityStore:
    store = IdentityStore.from_url(KernelSettings().identity_database_url)
    store.create_schema()
    return store


@contextmanager
def _refusal_as_bad_parameter(param_hint: str | None = None) -> Iterator[None]:
    # BadParameter makes typer print the zh-CN reason and exit with the usage-error code 2.
    try:
        yield
    except (InvalidCommand, NotFound) as error:
        raise typer.BadParameter(error.message, param_hint=param_hint) from None


def _role(value: str) -> Role:
    with _refusal_as_bad_parameter():
        return parse_role(value)


def _read_password(*, from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt("密码", hide_input=True, confirmation_prompt="再输入一次密码")


Username = Annotated[str, typer.Argument(help="登录名（不区分大小写）", show_default=False)]
PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="从标准输入读取一行作为密码（供脚本使用）")
]


@user_app.command(help="新增账号。不加 --password-stdin 时两次隐藏输入密码（至少 8 个字符）。")
def add(
    username: Username,
    role: Annotated[
        Role,
        typer.Option(
            "--role",
            "-r",
            parser=_role,
            metavar="ROLE",
            help=f"角色：{valid_roles_zh()}",
            show_default=False,
        ),
    ],
    display_name: Annotated[
        str | None, typer.Option("--display-name", help="显示的姓名或单位名，默认同登录名")
    ] = None,
    password_stdin: PasswordStdin = False,
) -> None:
    """Create an account."""
    store = _store()
    # Refuse a bad or taken name before asking for a password the person would type in vain.
    with _refusal_as_bad_parameter(param_hint="USERNAME"):
        store.check_new_username(username)
    password = _read_password(from_stdin=password_stdin)
    with _refusal_as_bad_parameter():
        user = store.add_user(
            username=username, password=password, role=role, display_name=display_name
        )
    _console.print(f"已创建账号 {user.username}（{ROLE_LABELS_ZH[user.role]}，{user.display_name}）")


@user_app.command("list", help="列出所有账号。")
def list_users() -> None:
    """Print every account."""
    accounts = _store().list_users()
    if not accounts:
        _console.print("还没有账号。用 renovation user add 新增。")
        return
    table = Table("登录名", "显示名", "角色", "创建时间（UTC）", "状态")
    for user in accounts:
        table.add_row(
            user.username,
            user.display_name,
            f"{ROLE_LABELS_ZH[user.role]}（{user.role.value}）",
            f"{user.created_at:%Y-%m-%d %H:%M}",
            "已停用" if user.disabled else "正常",
        )
    _console.print(table)


@user_app.command(help="停用账号：不能再登录，已发出的令牌也随即失效。")
def disable(username: Username) -> None:
    """Disable an account."""
    with _refusal_as_bad_parameter(param_hint="USERNAME"):
        _store().disable(username=username)
    _console.print(f"已停用账号 {username}")


@user_app.command(help="重新启用被停用的账号。")
def enable(username: Username) -> None:
    """Enable a disabled account."""
    with _refusal_as_bad_parameter(param_hint="USERNAME"):
        _store().enable(username=username)
    _console.print(f"已启用账号 {username}")


@user_app.command(help="修改账号密码。不加 --password-stdin 时两次隐藏输入新密码。")
def passwd(username: Username, password_stdin: PasswordStdin = False) -> None:
    """Set an account's password."""
    store = _store()
    # Refuse an unknown account before asking for a password the person would type in vain.
    with _refusal_as_bad_parameter(param_hint="USERNAME"):
        store.require(username)
    password = _read_password(from_stdin=password_stdin)
    with _refusal_as_bad_parameter():
        store.set_password(username=username, password=password)
    _console.print(f"已修改账号 {username} 的密码")



@user_app.command("set-role", help="修改账号的角色：此前发出的令牌随即失效，需重新登录。")
def set_role(
    username: Username,
    role: Annotated[
        Role,
        typer.Option("--role", "-r", parser=_role, metavar="ROLE", help=f"新角色：{valid_roles_zh()}",
                     show_default=False),
    ],
) -> None:
    """Give an account another role."""
    with _refusal_as_bad_parameter(param_hint="USERNAME"):
        user = _store().set_role(username=username, role=role)
    _console.print(f"账号 {user.username} 的角色已改为{ROLE_LABELS_ZH[user.role]}，原有登录凭证已失效")
