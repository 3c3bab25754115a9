"""Schemathesis over all four services' OpenAPI documents: no input gives a 5xx, every answer matches the document."""

from __future__ import annotations

import importlib
import tempfile
import time
from pathlib import Path

import pytest
import schemathesis
from argon2 import PasswordHasher
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import checks
from schemathesis.specs.openapi import checks as openapi_checks

from shared.actor import Role
from shared.auth import IdentityStore
from shared.embedded import EmbeddedBroker, free_port
from shared.settings import KernelSettings

# Small on purpose: every operation of four services, within about two minutes on two cores.
MAX_EXAMPLES = 6
CHECKS = [checks.not_a_server_error, openapi_checks.status_code_conformance,
          openapi_checks.response_schema_conformance, openapi_checks.content_type_conformance]
_APPS: dict[str, object] = {}
TIMES: dict[str, float] = {}  # seconds per operation, for whoever tunes MAX_EXAMPLES


def _identity(folder: Path) -> str:
    url = f"sqlite:///{folder / 'identity.db'}"
    store = IdentityStore.from_url(url, hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    store.create_schema()
    for role in Role:
        store.add_user(username=f"as-{role.value}", password="contract-pass-1", role=role)
    return url


def service_app(name: str):
    """The real app of one service (SQLite, local evidence, broker unreachable), built once."""
    if name not in _APPS:
        folder = Path(tempfile.mkdtemp(prefix=f"contract-{name}-"))
        kernel = KernelSettings(var_dir=folder, evidence_dir=folder / "evidence",
                                identity_database_url=_identity(folder), kafka_bootstrap_servers=_broker())
        bootstrap = importlib.import_module(f"services.{name}.bootstrap")
        settings_class = getattr(bootstrap, f"{name.capitalize()}Settings", None) or getattr(
            importlib.import_module(f"services.{name}.settings"), f"{name.capitalize()}Settings")
        _APPS[name] = bootstrap.create_app(settings_class(database_url=f"sqlite:///{folder / 'service.db'}"), kernel)
    return _APPS[name]


def _broker() -> str:
    # A real embedded broker: the audit pages read the topics, and an unreachable broker is no contract.
    if "broker" not in _APPS:
        broker = EmbeddedBroker(port=free_port(), log_path=Path(tempfile.mkdtemp(prefix="contract-broker-")) / "b.log")
        broker.start()
        _APPS["broker"] = broker
    return _APPS["broker"].bootstrap_servers


@pytest.fixture(scope="module", autouse=True)
def _stop_broker():
    yield
    broker = _APPS.pop("broker", None)
    if broker is not None:
        broker.stop()


def _headers(app, operation) -> dict[str, str]:
    roles = operation.definition.raw.get("x-roles") or ["official"]
    token = app.state.service.auth.token_for(f"as-{roles[0]}")
    return {"Authorization": f"Bearer {token}"}


def _run(app, case) -> None:
    case.call_and_validate(headers=_headers(app, case.operation), checks=CHECKS)


def _problems(name: str) -> list[str]:
    """Every operation of the service, a few generated requests each: what went wrong, one line each."""
    app = service_app(name)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    problems: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
        def run(case) -> None:
            case.call_and_validate(headers=_headers(app, case.operation), checks=CHECKS)

        began = time.monotonic()
        try:
            run()
        except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 - every failure is collected and reported together
            problems.append(f"{operation.method.upper()} {operation.path}: {_first_line(error)}")
        TIMES[f"{name} {operation.method.upper()} {operation.path}"] = time.monotonic() - began
    return problems


def _first_line(error: BaseException) -> str:
    text = " ".join(str(error).split()).replace("Schemathesis found 1 distinct failure - ", "")
    return text[:700]


@pytest.mark.parametrize("name", ["intake", "construction", "complaints", "acceptance"])
def test_every_operation_answers_as_its_document_says(name):
    problems = _problems(name)
    assert problems == [], f"{len(problems)} operations of {name} break their document:\n" + "\n".join(problems)
