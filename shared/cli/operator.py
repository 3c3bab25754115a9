"""The operator's token for `renovation status` and `renovation dlq`: RENOVATION_TOKEN, or minted locally."""

from __future__ import annotations

import os

from shared.actor import Role
from shared.settings import KernelSettings


class NoOperator(RuntimeError):
    """No token given and none can be minted here; the message says what to do."""


def operator_headers(kernel: KernelSettings) -> dict[str, str]:
    """Bearer headers of an admin (or auditor) account.

    RENOVATION_TOKEN wins. Otherwise, in the embedded default, whoever can read var/
    (the identity database and the signing secret, both owner-only) runs the system: the
    CLI mints a token for its first enabled admin account, else auditor account.
    """
    token = os.environ.get("RENOVATION_TOKEN")
    if token:
        return {"Authorization": f"Bearer {token}"}
    if kernel.mode != "embedded":
        raise NoOperator("请设置 RENOVATION_TOKEN（管理员或审计员的登录凭证）")
    from shared.auth import Auth

    auth = Auth.from_settings(_local(kernel))
    accounts = [u for u in auth.store.list_users() if not u.disabled]
    for role in (Role.ADMIN, Role.AUDITOR):
        chosen = next((u for u in accounts if u.role == role), None)
        if chosen is not None:
            return {"Authorization": f"Bearer {auth.token_for(chosen)}"}
    raise NoOperator("没有管理员账号：先运行 renovation user add ops --role admin，或设置 RENOVATION_TOKEN")


def _local(kernel: KernelSettings) -> KernelSettings:
    # The launcher keeps the identity database under var/; the relative default means the same.
    if kernel.identity_database_url == "sqlite:///var/identity.db":
        path = (kernel.var_dir / "identity.db").resolve()
        return kernel.model_copy(update={"identity_database_url": f"sqlite:///{path}"})
    return kernel
