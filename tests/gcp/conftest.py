"""Emulators for the Google adapters' tests, each a separate process on a loopback port.

``gcloud-tasks-emulator`` and ``gcp-storage-emulator`` come from PyPI into their own
virtualenvs under ``.venv-tools/`` (created from the ``*.lock`` pins beside this file on
first use, reused after): the Cloud Tasks emulator pins an older ``google-cloud-tasks`` and
protobuf than the project. BigQuery has no emulator that runs here, so its adapter talks to
``tests.fixtures.bigquery_server``, which speaks the REST wire format of the calls used.
"""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.bigquery_server import BigQueryServer

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / ".venv-tools"
HERE = Path(__file__).parent
PROJECT = "gorunchat-test"
LOCATION = "us-central1"


def tool_venv(name: str) -> Path:
    """``.venv-tools/<name>`` installed from ``<name>.lock`` (again when the lock changes)."""
    lock = HERE / f"{name}.lock"
    venv = TOOLS / name
    stamp = venv / ".lock-sha256"
    digest = hashlib.sha256(lock.read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return venv
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                    "--disable-pip-version-check", "-r", str(lock)], check=True, timeout=600)
    stamp.write_text(digest)
    return venv


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], deadline_s: float = 30) -> None:
    """Return once ``port`` accepts connections; fail if the process dies or time runs out."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"emulator exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {port} after {deadline_s}s")


def _run(args: list[str], port: int, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT,
                                   env={**os.environ, "PYTHONWARNINGS": "ignore"})
        try:
            wait_for_port(port, process)
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


QUEUE = f"projects/{PROJECT}/locations/{LOCATION}/queues/projection"


@pytest.fixture(scope="session")
def cloud_tasks_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``host:port`` of a Cloud Tasks emulator with the ``projection`` queue."""
    venv = tool_venv("gcloud-tasks-emulator")
    port = free_port()
    args = [str(venv / "bin" / "gcloud-tasks-emulator"), "start", "-p", str(port),
            "-d", QUEUE, "-r", "3"]
    yield from (f"127.0.0.1:{port}" for _ in _run(
        args, port, tmp_path_factory.mktemp("tasks") / "emulator.log"))


@pytest.fixture(scope="session")
def storage_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``http://host:port`` of a Cloud Storage emulator (in memory)."""
    venv = tool_venv("gcp-storage-emulator")
    port = free_port()
    args = [str(venv / "bin" / "gcp-storage-emulator"), "start", "--port", str(port),
            "--host", "127.0.0.1", "--in-memory", "-q"]
    yield from (f"http://127.0.0.1:{port}" for _ in _run(
        args, port, tmp_path_factory.mktemp("gcs") / "emulator.log"))


@pytest.fixture
def bigquery_server() -> Iterator[BigQueryServer]:
    server = BigQueryServer().start()
    try:
        yield server
    finally:
        server.stop()
