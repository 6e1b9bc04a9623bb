"""Identity test fixtures: the mounted functions on a fresh store with a real Redis, a real
OpenID provider (npm ``oidc-provider``) and a real ``slapd``, all on loopback."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest
from flask.testing import FlaskClient

from gorunchat.adapters.mail.outbox import OutboxMailer
from gorunchat.bootstrap import Container, set_container
from tests.routes.conftest import ROOT, _settings, mounted

OIDC_DIR = ROOT / "tests" / "fixtures" / "oidc"
LDAP_DIR = ROOT / "tests" / "fixtures" / "ldap"
PASSWORD = "correct horse battery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def wait_until(check: Callable[[], bool], what: str, timeout_s: float = 15.0) -> None:
    """Poll ``check`` until it holds, failing with ``what`` after the deadline."""
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not ready after {timeout_s}s")
        time.sleep(0.05)


@dataclass
class Identity:
    """A mounted ``auth`` and ``user`` function over one container, plus helpers."""

    container: Container
    auth: FlaskClient
    user: FlaskClient

    def register(self, email: str, password: str = PASSWORD, name: str = "Test User"
                 ) -> Any:
        return self.auth.post("/api/auth/register", json={
            "name": name, "email": email, "password": password,
            "confirm_password": password})

    def login(self, email: str, password: str = PASSWORD) -> Any:
        return self.auth.post("/api/auth/login", json={"email": email, "password": password})

    def signed_up(self, email: str) -> dict[str, str]:
        """Register and sign in ``email``; the bearer header of the new session."""
        assert self.register(email).status_code == 200
        response = self.login(email)
        assert response.status_code == 200, response.json
        return {"Authorization": f"Bearer {response.json['token']}"}

    def mails(self) -> list[EmailMessage]:
        outbox = self.container.mailer
        assert isinstance(outbox, OutboxMailer)
        return outbox.messages()

    def actions(self, tenant: str = "default") -> list[str]:
        return [r.action for r in self.container.store.audit_log(tenant).records()]


def make_identity(request: pytest.FixtureRequest, data_dir: Path, redis_url: str,
                  **env: str) -> Iterator[Identity]:
    container = Container(_settings(data_dir, REDIS_URL=redis_url, **env))
    if getattr(request, "param", "sqlite") == "mongomock":
        mongomock = pytest.importorskip("mongomock")
        from gorunchat.adapters.mongo.store import MongoStore

        container.__dict__["store"] = MongoStore(mongomock.MongoClient(), "gorunchat_test")
    set_container(container)
    try:
        yield Identity(container, mounted("auth"), mounted("user"))
    finally:
        set_container(None)
        container.close()


@pytest.fixture(params=["sqlite", "mongomock"])
def ident(request: pytest.FixtureRequest, data_dir: Path, redis_url: str
          ) -> Iterator[Identity]:
    """The identity functions on SQLite and on the Mongo adapter (mongomock)."""
    yield from make_identity(request, data_dir, redis_url)


@pytest.fixture
def identity_factory(request: pytest.FixtureRequest, data_dir: Path, redis_url: str
                     ) -> Iterator[Callable[..., Identity]]:
    """Build the identity functions with extra environment (SQLite store)."""
    made: list[Iterator[Identity]] = []

    def build(**env: str) -> Identity:
        gen = make_identity(request, data_dir, redis_url, **env)
        made.append(gen)
        return next(gen)

    yield build
    for gen in reversed(made):
        next(gen, None)


# ---- a real OpenID provider -------------------------------------------------------------

CALLBACKS = ("http://localhost:3080/oauth/openid/callback",
             "http://localhost:3080/oauth/google/callback")


@dataclass(frozen=True)
class OidcProvider:
    issuer: str
    client_id: str = "gorunchat"
    client_secret: str = "gorunchat-test-secret"


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[OidcProvider]:
    """``oidc-provider`` (npm) on a free loopback port, installed from its lock if needed."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node is not installed")
    if not (OIDC_DIR / "node_modules" / "oidc-provider").exists():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=OIDC_DIR, check=True,
                       capture_output=True)
    port = free_port()
    proc = subprocess.Popen([node, "server.mjs", str(port), ",".join(CALLBACKS)],
                            cwd=OIDC_DIR, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    issuer = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return httpx.get(f"{issuer}/.well-known/openid-configuration",
                             timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_until(up, "oidc-provider")
        yield OidcProvider(issuer=issuer)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# ---- a real slapd -----------------------------------------------------------------------

@dataclass(frozen=True)
class Directory:
    url: str
    base: str = "ou=people,dc=example,dc=org"
    reader_dn: str = "cn=reader,ou=services,dc=example,dc=org"
    reader_password: str = "reader-secret"


@pytest.fixture(scope="session")
def slapd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Directory]:
    """A slapd with its own config and a seeded directory, on a free loopback port."""
    binary = shutil.which("slapd") or "/usr/sbin/slapd"
    slapadd = shutil.which("slapadd") or "/usr/sbin/slapadd"
    if not os.path.exists(binary):
        pytest.skip("slapd is not installed (scripts/test installs it)")
    folder = tmp_path_factory.mktemp("slapd")
    (folder / "data").mkdir()
    port = free_port()
    conf = folder / "slapd.conf"
    conf.write_text((LDAP_DIR / "slapd.conf.in").read_text(encoding="utf-8").replace(
        "{DIR}", str(folder)).replace("{PORT}", str(port)), encoding="utf-8")
    subprocess.run([slapadd, "-f", str(conf), "-l", str(LDAP_DIR / "seed.ldif")],
                   check=True, capture_output=True)
    url = f"ldap://127.0.0.1:{port}"
    proc = subprocess.Popen([binary, "-d", "0", "-f", str(conf), "-h", f"{url}/"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def up() -> bool:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return True
        except OSError:
            return False

    try:
        wait_until(up, "slapd")
        yield Directory(url=url)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
