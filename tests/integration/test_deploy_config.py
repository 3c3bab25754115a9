"""The deployment checked without Docker: compose file, images, init scripts, Prometheus, Grafana.

Tools: Debian's `docker-compose` (validates docker-compose.yml) and `prometheus` (promtool).
A missing tool skips its test with the reason; with CI set it fails instead. Everything else
is read statically or run against stand-ins (a fake `mc`, a fake `kafka-topics.sh`, a
loopback HTTP server), so the module runs in a few seconds.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from shared.audit.signing import AuditSettings
from shared.broker import all_topics, dlq_topic, topic_for
from shared.objectstore import ObjectStoreSettings
from shared.settings import DEFAULT_PORTS, SERVICE_NAMES, KernelSettings

try:
    import yaml
except ImportError:  # PyYAML comes with the test extras (through moto)
    if os.environ.get("CI"):
        raise
    pytest.skip("PyYAML is needed to read the deployment files", allow_module_level=True)

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = DEPLOY / ".env.example"
DOCKERFILE = DEPLOY / "Dockerfile"
PROMETHEUS_CONFIG = DEPLOY / "prometheus" / "prometheus.yml"
RULES = DEPLOY / "prometheus" / "rules" / "renovation.rules.yml"
RULE_TESTS = DEPLOY / "prometheus" / "tests" / "renovation.test.yml"
DASHBOARDS = DEPLOY / "grafana" / "dashboards"
DATASOURCES = DEPLOY / "grafana" / "provisioning" / "datasources" / "prometheus.yml"
DASHBOARD_PROVIDERS = DEPLOY / "grafana" / "provisioning" / "dashboards" / "renovation.yml"

# Secrets compose must refuse to run without, with values good enough for the checks.
SECRETS = {
    "POSTGRES_PASSWORD": "pg-test-password-0123456789",
    "RENOVATION_JWT_SECRET": "deploy-config-test-secret-0123456789abcdef",
    "MINIO_ROOT_USER": "minio-root",
    "MINIO_ROOT_PASSWORD": "minio-root-password-0123",
    "EVIDENCE_ACCESS_KEY": "renovation-evidence",
    "EVIDENCE_SECRET_KEY": "evidence-secret-0123456789",
    "GRAFANA_ADMIN_PASSWORD": "grafana-test-password",
    "COMPLAINTS_PHONE_PEPPER": "complaints-test-pepper-0123456789abcdef",
    "INTAKE_AUDIT_SIGNING_KEY": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
    "CONSTRUCTION_AUDIT_SIGNING_KEY": "AQECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
    "COMPLAINTS_AUDIT_SIGNING_KEY": "AgECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
    "ACCEPTANCE_AUDIT_SIGNING_KEY": "AwECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
}
# Debian package that ships each tool (the lead's Makefile installs them on CI).
DEBIAN_PACKAGE = {"docker-compose": "docker-compose", "promtool": "prometheus",
                  "bash": "bash", "sh": "dash"}
ONE_SHOT_SERVICES = {"kafka-init", "minio-init"}
# Environment variables the services get that KernelSettings does not read: the healthcheck's
# service name and the object store's own settings (shared/objectstore.py).
NOT_KERNEL_SETTINGS = {"RENOVATION_SERVICE"}
# Series Prometheus makes itself (not scraped from any service).
PROMETHEUS_SYNTHETIC = {"up", "ALERTS", "ALERTS_FOR_STATE", "scrape_duration_seconds",
                        "scrape_samples_scraped", "scrape_samples_post_metric_relabeling",
                        "scrape_series_added"}
TARGET_LABELS = {"job", "instance", "service", "alertname", "alertstate", "severity", "le"}


def run(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Run a command, capturing text output; the caller judges the exit code."""
    return subprocess.run(args, check=False, capture_output=True, text=True, timeout=120,
                          **kwargs)


def require_tool(name: str) -> str:
    """The tool's path; skips when it is missing, or fails on CI."""
    path = shutil.which(name)
    if path:
        return path
    reason = (f"{name} is not installed (Debian: apt-get install -y "
              f"{DEBIAN_PACKAGE.get(name, name)})")
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; on CI it must be installed")
    pytest.skip(reason)


def compose_command() -> list[str]:
    """docker-compose (Debian's v1), else the `docker compose` plugin when one is present."""
    if shutil.which("docker-compose"):
        return [shutil.which("docker-compose")]
    docker = shutil.which("docker")
    if docker and run([docker, "compose", "version"]).returncode == 0:
        return [docker, "compose"]
    return [require_tool("docker-compose")]


def run_compose(env_extra: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """Compose on our file with a clean environment: only PATH, HOME and `env_extra`."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp"),
           **env_extra}
    return run([*compose_command(), "--env-file", str(ENV_EXAMPLE), "-f", str(COMPOSE_FILE),
                "--project-directory", str(ROOT), *args], env=env, cwd=ROOT)


def run_promtool(*args: str) -> subprocess.CompletedProcess:
    return run([require_tool("promtool"), *args], cwd=ROOT)


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's ${VAR}, ${VAR:-default} and ${VAR:?message}, enough for our file."""

    def one(match: re.Match) -> str:
        name, op, arg = match.group(1), match.group(2), match.group(3)
        if env.get(name):
            return env[name]
        if op == ":?":
            raise KeyError(f"{name}: {arg}")
        return arg if op == ":-" else ""

    return re.sub(r"\$\{(\w+)(?:(:-|:\?)([^}]*))?\}", one, value)


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def compose_text() -> str:
    return COMPOSE_FILE.read_text()


# --------------------------------------------------------------------------- compose


def test_compose_file_is_valid_with_the_secrets_set():
    result = run_compose(SECRETS, "config", "-q")
    assert result.returncode == 0, result.stderr


def test_compose_refuses_to_run_without_the_secrets():
    result = run_compose({}, "config", "-q")
    assert result.returncode != 0
    assert any(f"{name} is required" in result.stderr for name in SECRETS), result.stderr


def test_every_secret_is_required_wherever_it_is_used(compose_text):
    for name in SECRETS:
        # ($${VAR} is the container's own variable, expanded by its shell, not by compose.)
        uses = re.findall(r"(?<!\$)\$\{" + name + r"([^}]*)\}", compose_text)
        assert uses, f"{name} is not used in docker-compose.yml"
        for rest in uses:
            assert rest.startswith(":?") and "required" in rest, (
                f"${{{name}{rest}}}: a secret must be ${{{name}:?<message>}}, with no default")


def test_env_example_lists_every_variable_and_holds_no_secret(compose_text):
    example = ENV_EXAMPLE.read_text()
    assigned = dict(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=(.*)$", example, re.MULTILINE))
    for name in set(re.findall(r"(?<!\$)\$\{(\w+)", compose_text)):
        assert name in assigned, f"{name} is used by docker-compose.yml but not in .env.example"
    for name in SECRETS:
        assert re.search(rf"^{name}=$", example, re.MULTILINE), f"{name} must be present and empty"


IMAGE_PINS = {
    "postgres": r"postgres:16\.\d+(-\w+)?",
    "kafka": r"apache/kafka:\d+\.\d+\.\d+",
    "kafka-init": r"apache/kafka:\d+\.\d+\.\d+",
    "minio": r"quay\.io/minio/minio:RELEASE\.\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ",
    "minio-init": r"quay\.io/minio/mc:RELEASE\.\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ",
    "prometheus": r"prom/prometheus:v\d+\.\d+\.\d+",
    "grafana": r"grafana/grafana:\d+\.\d+\.\d+",
}


def test_images_are_pinned(compose):
    services = compose["services"]
    assert set(IMAGE_PINS) | set(SERVICE_NAMES) == set(services)
    for name, pattern in IMAGE_PINS.items():
        assert re.fullmatch(pattern, services[name]["image"]), (name, services[name]["image"])
    assert services["kafka"]["image"] == services["kafka-init"]["image"]
    for name in SERVICE_NAMES:
        assert services[name]["build"] == {"context": ".", "dockerfile": "deploy/Dockerfile"}
    for name, service in services.items():
        assert ":latest" not in service.get("image", ""), name


def test_long_running_containers_have_healthchecks_and_wait_for_healthy_dependencies(compose):
    services = compose["services"]
    for name, service in services.items():
        if name in ONE_SHOT_SERVICES:
            assert service.get("restart") == "no", name
        else:
            assert service["healthcheck"]["test"], f"{name} has no healthcheck"
            assert service["restart"] == "unless-stopped", name
        for dependency, rule in service.get("depends_on", {}).items():
            assert isinstance(rule, dict), f"{name} → {dependency}: use condition:"
            if dependency in ONE_SHOT_SERVICES:
                assert rule["condition"] == "service_completed_successfully", (name, dependency)
            else:
                assert rule["condition"] == "service_healthy", (name, dependency)
                assert "healthcheck" in services[dependency], dependency
    for name in SERVICE_NAMES:
        assert set(services[name]["depends_on"]) >= {
            "postgres", "kafka", "kafka-init", "minio", "minio-init"}, name
    assert services["grafana"]["depends_on"] == {"prometheus": {"condition": "service_healthy"}}


def test_services_get_the_settings_they_read(compose, monkeypatch):
    services = compose["services"]
    for name in SERVICE_NAMES:
        service = services[name]
        prefix = name.upper()
        env = {k: interpolate(str(v), SECRETS) for k, v in service["environment"].items()}
        assert service["command"] == ["python", "-m", f"services.{name}"]
        assert env["RENOVATION_SERVICE"] == name
        assert env[f"{prefix}_HOST"] == "0.0.0.0"
        assert int(env[f"{prefix}_PORT"]) == DEFAULT_PORTS[name]
        assert env[f"{prefix}_DATABASE_URL"] == (
            f"postgresql+psycopg://renovation:{SECRETS['POSTGRES_PASSWORD']}@postgres:5432/{name}")
        port = DEFAULT_PORTS[name]
        assert service["ports"] == [f"${{PUBLISH_ADDRESS:-127.0.0.1}}:{port}:{port}"]
        # Every RENOVATION_* name is a kernel setting (a typo would be silently ignored).
        fields = {f"RENOVATION_{field.upper()}" for field in KernelSettings.model_fields}
        fields |= {f"RENOVATION_EVIDENCE_{field.upper()}" for field in ObjectStoreSettings.model_fields}
        fields |= {f"RENOVATION_AUDIT_{field.upper()}" for field in AuditSettings.model_fields}
        fields.add("KAFKA_BOOTSTRAP_SERVERS")
        unknown = {k for k in env if k.startswith(("RENOVATION_", "KAFKA_"))} - fields
        assert unknown <= NOT_KERNEL_SETTINGS, unknown
        # And the kernel accepts them in deployment mode.
        for key in list(os.environ):
            if key.startswith(("RENOVATION_", "KAFKA_", *(f"{s.upper()}_" for s in SERVICE_NAMES))):
                monkeypatch.delenv(key)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        kernel = KernelSettings()
        assert AuditSettings().signing_key.get_secret_value() == SECRETS[f"{prefix}_AUDIT_SIGNING_KEY"]
        assert kernel.mode == "deployment"
        assert kernel.kafka_bootstrap_servers == "kafka:9092"
        assert kernel.producer_idempotence is True
        assert kernel.log_format == "json"
        assert kernel.identity_database_url.endswith("@postgres:5432/identity")
        assert kernel.jwt_secret.get_secret_value() == SECRETS["RENOVATION_JWT_SECRET"]
        for other in SERVICE_NAMES:
            assert kernel.service_url(other) == f"http://localhost:{DEFAULT_PORTS[other]}"
        # And the service's own settings (env prefix <SERVICE>_) read host, port, database.
        bootstrap = importlib.import_module(f"services.{name}.bootstrap")
        own = getattr(bootstrap, f"{name.capitalize()}Settings")()
        assert (own.host, own.port, own.database_url) == (
            "0.0.0.0", DEFAULT_PORTS[name], env[f"{prefix}_DATABASE_URL"])


def test_kafka_is_a_single_kraft_node_with_topics_made_by_kafka_init(compose):
    kafka = compose["services"]["kafka"]["environment"]
    assert kafka["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert kafka["KAFKA_CONTROLLER_QUORUM_VOTERS"] == "1@kafka:9093"
    assert kafka["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    assert kafka["KAFKA_LOG_RETENTION_MS"] == -1
    for key in ("KAFKA_DEFAULT_REPLICATION_FACTOR", "KAFKA_MIN_INSYNC_REPLICAS",
                "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR",
                "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR"):
        assert kafka[key] == 1, key
    assert "PLAINTEXT://kafka:9092" in kafka["KAFKA_ADVERTISED_LISTENERS"]
    init = compose["services"]["kafka-init"]
    assert init["entrypoint"] == ["/bin/bash", "/deploy/kafka/create-topics.sh"]
    readme = (DEPLOY / "README.md").read_text()
    assert "replication 3" in readme and "min.insync.replicas=2" in readme


# --------------------------------------------------------------------------- init scripts


def _fake(tmp_path: Path, name: str) -> tuple[Path, Path]:
    """A stand-in command that appends its arguments, one call per line, to a log."""
    log = tmp_path / f"{name}.log"
    fake = tmp_path / "bin" / name
    fake.parent.mkdir(parents=True, exist_ok=True)
    fake.write_text(f'#!/bin/sh\necho "$*" >> "{log}"\n')
    fake.chmod(0o755)
    return fake, log


def test_topic_script_creates_every_topic_once_with_unlimited_retention(tmp_path):
    bash = require_tool("bash")
    script = DEPLOY / "kafka" / "create-topics.sh"
    assert run([bash, "-n", str(script)]).returncode == 0
    fake, log = _fake(tmp_path, "kafka-topics.sh")
    env = {"PATH": os.environ["PATH"], "KAFKA_TOPICS": str(fake),
           "KAFKA_BOOTSTRAP_SERVERS": "kafka:9092", "RENOVATION_TOPIC_PARTITIONS": "6"}
    result = run([bash, str(script)], env=env)
    assert result.returncode == 0, result.stderr
    created = {}
    for line in log.read_text().splitlines():
        args = line.split()
        assert args[:2] == ["--bootstrap-server", "kafka:9092"]
        if "--create" not in args:
            continue
        assert "--if-not-exists" in args
        topic = args[args.index("--topic") + 1]
        configs = {args[i + 1] for i, a in enumerate(args) if a == "--config"}
        assert {"retention.ms=-1", "retention.bytes=-1", "min.insync.replicas=1"} <= configs
        assert args[args.index("--replication-factor") + 1] == "1"
        created[topic] = int(args[args.index("--partitions") + 1])
    assert set(created) == set(all_topics())
    for service in SERVICE_NAMES:
        assert created[topic_for(service)] == 6
        assert created[dlq_topic(service)] == 1


def test_topic_script_refuses_min_insync_replicas_above_replication(tmp_path):
    bash = require_tool("bash")
    fake, log = _fake(tmp_path, "kafka-topics.sh")
    env = {"PATH": os.environ["PATH"], "KAFKA_TOPICS": str(fake),
           "TOPIC_REPLICATION_FACTOR": "1", "TOPIC_MIN_INSYNC_REPLICAS": "2"}
    result = run([bash, str(DEPLOY / "kafka" / "create-topics.sh")], env=env)
    assert result.returncode != 0 and "exceeds" in result.stderr
    assert not log.exists()


def _run_minio_init(tmp_path: Path, **extra: str) -> tuple[subprocess.CompletedProcess, list[str]]:
    sh = require_tool("sh")
    fake, log = _fake(tmp_path, "mc")
    env = {"PATH": f"{fake.parent}:{os.environ['PATH']}", "MINIO_ROOT_USER": "root",
           "MINIO_ROOT_PASSWORD": "root-password", "EVIDENCE_ACCESS_KEY": "renovation-evidence",
           "EVIDENCE_SECRET_KEY": "evidence-secret",
           "EVIDENCE_POLICY_FILE": str(DEPLOY / "minio" / "evidence-policy.json"), **extra}
    result = run([sh, str(DEPLOY / "minio" / "init.sh")], env=env)
    return result, (log.read_text().splitlines() if log.exists() else [])


def test_minio_init_makes_a_locked_bucket_with_default_governance_retention(tmp_path):
    result, calls = _run_minio_init(tmp_path)
    assert result.returncode == 0, result.stderr
    assert calls[0] == "alias set local http://minio:9000 root root-password"
    assert "mb --ignore-existing --with-lock local/evidence" in calls
    assert "retention set --default GOVERNANCE 3650d local/evidence" in calls
    assert calls.index("mb --ignore-existing --with-lock local/evidence") < calls.index(
        "retention set --default GOVERNANCE 3650d local/evidence")
    assert "admin user add local renovation-evidence evidence-secret" in calls
    assert "admin policy attach local renovation-evidence --user renovation-evidence" in calls


def test_minio_init_takes_the_retention_days_and_refuses_nonsense(tmp_path):
    result, calls = _run_minio_init(tmp_path, EVIDENCE_RETENTION_DAYS="30")
    assert result.returncode == 0, result.stderr
    assert "retention set --default GOVERNANCE 30d local/evidence" in calls
    for bad in ({"EVIDENCE_RETENTION_DAYS": "0"}, {"EVIDENCE_RETENTION_DAYS": "10y"},
                {"EVIDENCE_RETENTION_MODE": "LOOSE"}):
        result, calls = _run_minio_init(tmp_path / next(iter(bad.values())), **bad)
        assert result.returncode != 0 and calls == [], bad


def test_compose_wires_minio_init_to_the_script_and_governance(compose):
    init = compose["services"]["minio-init"]
    assert init["entrypoint"] == ["/bin/sh", "/deploy/minio/init.sh"]
    assert "./deploy/minio:/deploy/minio:ro" in init["volumes"]
    assert init["environment"]["EVIDENCE_RETENTION_MODE"] == "GOVERNANCE"
    assert init["environment"]["EVIDENCE_RETENTION_DAYS"] == "${EVIDENCE_RETENTION_DAYS:-3650}"


def test_evidence_policy_allows_writing_and_reading_but_never_deleting():
    policy = json.loads((DEPLOY / "minio" / "evidence-policy.json").read_text())
    actions = {a for statement in policy["Statement"] for a in statement["Action"]}
    resources = {r for statement in policy["Statement"] for r in statement["Resource"]}
    assert {"s3:PutObject", "s3:GetObject"} <= actions
    assert not [a for a in actions if "Delete" in a or "Bypass" in a or a.endswith("*")
                or "Put" in a and a != "s3:PutObject"]
    assert resources == {"arn:aws:s3:::evidence", "arn:aws:s3:::evidence/*"}


def test_postgres_init_creates_each_service_database_and_identity(compose):
    sql = (DEPLOY / "postgres" / "init-databases.sql").read_text()
    created = re.findall(r"CREATE DATABASE (\w+)'", sql)
    assert sorted(created) == sorted([*SERVICE_NAMES, "identity"])
    assert ("./deploy/postgres/init-databases.sql:/docker-entrypoint-initdb.d/"
            "10-init-databases.sql:ro") in compose["services"]["postgres"]["volumes"]


# --------------------------------------------------------------------------- image


def test_dockerfile_builds_a_non_root_image_with_a_healthcheck():
    text = DOCKERFILE.read_text()
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.11\.\d+-slim(-\w+)?$", text, re.MULTILINE)
    assert re.search(r"^FROM \$\{PYTHON_IMAGE\}", text, re.MULTILINE)
    assert "pip install ." in text
    users = re.findall(r"^USER (\S+)", text, re.MULTILINE)
    assert users and users[-1].split(":")[0] not in ("root", "0")
    assert re.search(r"^HEALTHCHECK .*renovation-healthcheck", text, re.MULTILINE | re.DOTALL)
    assert "COPY deploy/healthcheck.py /usr/local/bin/renovation-healthcheck" in text
    ignore = [line.strip() for line in (DEPLOY / "Dockerfile.dockerignore").read_text().splitlines()
              if line.strip() and not line.startswith("#")]
    assert ignore[0] == "*" and "!deploy/healthcheck.py" in ignore


class _Health(BaseHTTPRequestHandler):
    status = 200
    body = b'{"status": "ok", "service": "intake"}'

    def do_GET(self):
        self.send_response(self.status if self.path == "/health" else 404)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


@pytest.fixture
def health_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    _Health.status = 200


def _healthcheck(env: dict[str, str]) -> int:
    return run([sys.executable, str(DEPLOY / "healthcheck.py")],
               env={"PATH": os.environ["PATH"], **env}).returncode


def test_healthcheck_script_reads_the_service_port_and_status(health_server):
    port = str(health_server.server_address[1])
    assert _healthcheck({"RENOVATION_SERVICE": "intake", "INTAKE_PORT": port}) == 0
    _Health.status = 503
    assert _healthcheck({"RENOVATION_SERVICE": "intake", "INTAKE_PORT": port}) == 1
    assert _healthcheck({"RENOVATION_SERVICE": "nonsense", "INTAKE_PORT": port}) == 1
    health_server.shutdown()
    health_server.server_close()
    assert _healthcheck({"RENOVATION_SERVICE": "intake", "INTAKE_PORT": port}) == 1


# --------------------------------------------------------------------------- Prometheus


def test_prometheus_config_is_valid():
    result = run_promtool("check", "config", str(PROMETHEUS_CONFIG))
    assert result.returncode == 0, result.stdout + result.stderr


def test_alert_rules_are_valid():
    result = run_promtool("check", "rules", str(RULES))
    assert result.returncode == 0, result.stdout + result.stderr


def test_alert_rule_unit_tests_pass():
    result = run_promtool("test", "rules", str(RULE_TESTS))
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_is_tested_firing_and_not_firing():
    alerts = {rule["alert"] for group in yaml.safe_load(RULES.read_text())["groups"]
              for rule in group["rules"] if "alert" in rule}
    firing, quiet = set(), set()
    for case in yaml.safe_load(RULE_TESTS.read_text())["tests"]:
        for check in case.get("alert_rule_test", []):
            (firing if check.get("exp_alerts") else quiet).add(check["alertname"])
    assert {"RenovationTargetDown", "RenovationBrokerUnreachable", "RenovationRelayLagHigh",
            "RenovationConsumerLagHigh", "RenovationEventsDeadLettered",
            "RenovationHttp5xxRateHigh"} <= alerts
    assert alerts - firing == set(), "alerts never shown firing"
    assert alerts - quiet == set(), "alerts never shown quiet"


def test_prometheus_scrapes_the_four_services_by_name(compose):
    config = yaml.safe_load(PROMETHEUS_CONFIG.read_text())
    job = next(j for j in config["scrape_configs"] if j["job_name"] == "renovation")
    targets = {t["targets"][0]: t["labels"]["service"] for t in job["static_configs"]}
    assert targets == {f"{s}:{DEFAULT_PORTS[s]}": s for s in SERVICE_NAMES}
    assert job.get("metrics_path", "/metrics") == "/metrics"
    assert "./deploy/prometheus:/etc/prometheus:ro" in compose["services"]["prometheus"]["volumes"]


# --------------------------------------------------------------------------- metric names


@pytest.fixture(scope="module")
def known_metrics() -> tuple[set[str], set[str]]:
    """(series names, label names) a service exposes: kernel, HTTP and FastStream metrics."""
    from fastapi import FastAPI
    from faststream.kafka.prometheus import KafkaPrometheusMiddleware
    from prometheus_client import CollectorRegistry
    from prometheus_fastapi_instrumentator import Instrumentator

    from shared.metrics import KernelMetrics

    registry = CollectorRegistry()
    KernelMetrics(registry)
    KafkaPrometheusMiddleware(registry=registry, app_name="test")
    app = FastAPI()
    # As shared/service.py does: prometheus-fastapi-instrumentator's defaults.
    Instrumentator(registry=registry, excluded_handlers=["/metrics", "/health"]).instrument(
        app).expose(app, endpoint="/metrics")
    app.build_middleware_stack()  # the instrumentator's middleware registers its metrics
    suffixes = {"counter": ["_total", "_created"], "gauge": [""],
                "histogram": ["_bucket", "_count", "_sum", "_created"],
                "summary": ["", "_count", "_sum", "_created"], "info": ["_info"]}
    names = set(PROMETHEUS_SYNTHETIC)
    for family in registry.collect():
        names.update(family.name + suffix for suffix in suffixes.get(family.type, [""]))
    labels = set(TARGET_LABELS)
    for collector in list(getattr(registry, "_collector_to_names", {})):
        labels.update(getattr(collector, "_labelnames", ()))
    from services.acceptance.adapters.metrics import FAMILIES as ACCEPTANCE  # the service's own collector

    for name, kind, labelnames in ACCEPTANCE:
        names.update(name + suffix for suffix in suffixes[kind])
        labels.update(labelnames)
    from services.complaints.adapters.metrics import FAMILIES as COMPLAINTS

    for name, kind, labelnames in COMPLAINTS:
        names.update(name + suffix for suffix in suffixes[kind])
        labels.update(labelnames)
    return names, labels


GROUPING = r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)"
PROMQL_KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool",
                   "and", "or", "unless", "offset", "inf", "nan"}


def promql_names(expr: str) -> tuple[set[str], set[str]]:
    """(metric names, label names) an expression uses."""
    text = re.sub(r"\$\{?\w+\}?", "1m", expr)
    labels = set()
    for matchers in re.findall(r"\{([^}]*)\}", text):
        labels.update(re.findall(r"(\w+)\s*(?:=~|!~|!=|=)", matchers))
    for grouping in re.findall(GROUPING, text):
        labels.update(label.strip() for label in grouping.split(",") if label.strip())
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', text)
    text = re.sub(r"\{[^}]*\}|\[[^\]]*\]", "", text)
    text = re.sub(GROUPING, "", text)
    metrics = set()
    for word, call in re.findall(r"(?<![\w:.])([A-Za-z_:][\w:]*)\s*(\()?", text):
        if not call and word.lower() not in PROMQL_KEYWORDS:
            metrics.add(word)
    return metrics, labels


def dashboard_queries() -> list[tuple[str, str]]:
    """(where, expression) of every query in every provisioned dashboard."""
    queries = []
    for path in sorted(DASHBOARDS.glob("*.json")):
        dashboard = json.loads(path.read_text())
        panels = list(dashboard["panels"])
        for panel in panels:
            panels.extend(panel.get("panels", []))
            queries.extend((f"{path.name}: {panel['title']}", target["expr"]) for target in panel.get("targets", []))
        for variable in dashboard.get("templating", {}).get("list", []):
            query = variable.get("query")
            query = query.get("query") if isinstance(query, dict) else query
            inner = re.fullmatch(r"label_values\((.*),\s*\w+\)", query or "")
            if inner:
                queries.append((f"{path.name}: ${variable['name']}", inner.group(1)))
    return queries


def alert_queries() -> list[tuple[str, str]]:
    rules = yaml.safe_load(RULES.read_text())
    return [(f"alert {rule['alert']}", rule["expr"]) for group in rules["groups"]
            for rule in group["rules"]]


def test_promql_name_extraction():
    metrics, labels = promql_names(
        'sum by (service, status) (rate(http_requests_total{service=~"$service", status=~"4xx|5xx"}'
        '[$__rate_interval])) / ignoring (status) group_left sum by (service) '
        '(rate(http_requests_total[5m])) > 0.05 and on(job) up == 0')
    assert metrics == {"http_requests_total", "up"}
    assert labels == {"service", "status", "job"}


def test_dashboard_and_alerts_use_only_metrics_the_services_expose(known_metrics):
    names, label_names = known_metrics
    assert {"renovation_relay_lag_events", "http_requests_total",
            "http_request_duration_seconds_bucket",
            "faststream_received_processed_messages_total"} <= names
    problems = []
    for where, expr in dashboard_queries() + alert_queries():
        metrics, labels = promql_names(expr)
        if not metrics:
            problems.append(f"{where}: no metric in {expr!r}")
        problems += [f"{where}: unknown metric {m}" for m in sorted(metrics - names)]
        problems += [f"{where}: unknown label {label}" for label in sorted(labels - label_names)]
    assert problems == []


def test_dashboard_queries_are_valid_promql(tmp_path):
    rules = {"groups": [{"name": "dashboard", "rules": [
        {"record": f"dashboard:query_{i}",
         "expr": re.sub(r"\$__(rate_interval|interval|range)", "5m", expr).replace(
             "$service", ".*")}
        for i, (_, expr) in enumerate(dashboard_queries())]}]}
    path = tmp_path / "dashboard-queries.yml"
    path.write_text(yaml.safe_dump(rules, allow_unicode=True))
    result = run_promtool("check", "rules", str(path))
    assert result.returncode == 0, result.stdout + result.stderr


def test_dashboard_is_provisioned_and_laid_out(compose):
    datasource = yaml.safe_load(DATASOURCES.read_text())["datasources"][0]
    assert datasource["type"] == "prometheus" and datasource["url"] == "http://prometheus:9090"
    provider = yaml.safe_load(DASHBOARD_PROVIDERS.read_text())["providers"][0]
    volumes = compose["services"]["grafana"]["volumes"]
    assert f"./deploy/grafana/dashboards:{provider['options']['path']}:ro" in volumes
    assert "./deploy/grafana/provisioning:/etc/grafana/provisioning:ro" in volumes
    grafana_env = compose["services"]["grafana"]["environment"]
    home = grafana_env["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]

    paths = sorted(DASHBOARDS.glob("*.json"))
    assert [p.name for p in paths] == ["renovation-operations.json"]
    assert home == f"{provider['options']['path']}/{paths[0].name}"
    dashboard = json.loads(paths[0].read_text())
    assert dashboard["uid"] and dashboard["title"] and dashboard["schemaVersion"] >= 36
    ids, cells = set(), set()
    for panel in dashboard["panels"]:
        assert panel["id"] not in ids, f"duplicate panel id {panel['id']}"
        ids.add(panel["id"])
        grid = panel["gridPos"]
        assert grid["x"] >= 0 and grid["x"] + grid["w"] <= 24, panel["title"]
        for x in range(grid["x"], grid["x"] + grid["w"]):
            for y in range(grid["y"], grid["y"] + grid["h"]):
                assert (x, y) not in cells, f"{panel['title']} overlaps another panel"
                cells.add((x, y))
        if panel["type"] != "row":
            assert panel["datasource"]["uid"] == datasource["uid"], panel["title"]
            assert panel["targets"], panel["title"]
            for target in panel["targets"]:
                assert target["datasource"]["uid"] == datasource["uid"], panel["title"]
    exprs = " ".join(expr for _, expr in dashboard_queries())
    for metric in ("renovation_relay_lag_events", "renovation_consumer_lag_messages",
                   "renovation_dlq_events_total", "renovation_events_appended_total",
                   "http_requests_total", "http_request_duration_highr_seconds_bucket"):
        assert metric in exprs, f"the dashboard shows no {metric}"
