"""On Google Cloud the tasks function admits only the OIDC token Cloud Tasks mints for the
invoker service account, for its own URL: checked with google-auth against published
certificates (here a key and certificate made for the test, served as Google serves them)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from google.auth import crypt, jwt, transport

from gorunchat.adapters.gcp.oidc import CachingRequest, TaskTokenVerifier
from gorunchat.bootstrap import Container, set_container
from tests.fixtures.spine import TASK_HEADERS
from tests.routes.conftest import _settings, mounted

INVOKER = "tasks-invoker@proj.iam.gserviceaccount.com"
TASKS_URL = "https://tasks-abc123-uc.a.run.app"
CERTS_URL = "https://certs.test/oauth2/v1/certs"


class _Response(transport.Response):
    def __init__(self, body: bytes) -> None:
        self._body = body

    @property
    def status(self) -> int:
        return 200

    @property
    def headers(self) -> dict[str, str]:
        return {"content-type": "application/json"}

    @property
    def data(self) -> bytes:
        return self._body


class PublishedCerts(transport.Request):
    """Serves the certificate document at ``CERTS_URL`` and counts the fetches."""

    def __init__(self, certs: dict[str, str]) -> None:
        self.body, self.fetches = json.dumps(certs).encode(), 0

    def __call__(self, url: str, method: str = "GET", body: Any = None,
                 headers: Any = None, timeout: Any = None, **kwargs: Any) -> _Response:
        assert url == CERTS_URL
        self.fetches += 1
        return _Response(self.body)


def _key_and_cert() -> tuple[bytes, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test-signer")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(1)
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=1))
            .sign(key, hashes.SHA256()))
    pem_key = key.private_bytes(serialization.Encoding.PEM,
                                serialization.PrivateFormat.TraditionalOpenSSL,
                                serialization.NoEncryption())
    return pem_key, cert.public_bytes(serialization.Encoding.PEM).decode()


@pytest.fixture(scope="module")
def signer() -> tuple[crypt.RSASigner, str]:
    pem_key, cert = _key_and_cert()
    return crypt.RSASigner.from_string(pem_key, key_id="kid-1"), cert


@pytest.fixture
def gcp_container(data_dir: Path, signer: tuple[crypt.RSASigner, str]
                  ) -> Iterator[tuple[Container, PublishedCerts]]:
    settings = _settings(data_dir, GORUNCHAT_TASKS_INVOKER=INVOKER,
                         GORUNCHAT_TASKS_URL=TASKS_URL)
    container = Container(settings)
    certs = PublishedCerts({"kid-1": signer[1]})
    container.__dict__["task_verifier"] = TaskTokenVerifier(INVOKER, request=CachingRequest(certs),
                                                            certs_url=CERTS_URL)
    set_container(container)
    yield container, certs
    set_container(None)
    container.close()


def _token(signer: tuple[crypt.RSASigner, str], **claims: Any) -> str:
    now = int(time.time())
    payload = {"iss": "https://accounts.google.com", "aud": TASKS_URL, "email": INVOKER,
               "email_verified": True, "sub": "1234", "iat": now, "exp": now + 600, **claims}
    return jwt.encode(signer[0], payload).decode()


def _post(headers: dict[str, str]):  # type: ignore[no-untyped-def]
    return mounted("tasks").post("/tasks/retention", json={}, headers=headers)


def test_the_invokers_token_for_this_function_is_admitted(
        gcp_container: tuple[Container, PublishedCerts],
        signer: tuple[crypt.RSASigner, str]) -> None:
    _, certs = gcp_container
    token = _token(signer)

    first = _post({"Authorization": f"Bearer {token}"})
    second = _post({"Authorization": f"Bearer {token}"})

    assert (first.status_code, second.status_code) == (200, 200)
    assert certs.fetches == 1  # the certificates are cached


@pytest.mark.parametrize("claims", [
    {"aud": "https://someone-else.run.app"},
    {"email": "intruder@proj.iam.gserviceaccount.com"},
    {"email_verified": False},
    {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200},
], ids=["audience", "email", "unverified", "expired"])
def test_any_other_token_is_refused(gcp_container: tuple[Container, PublishedCerts],
                                    signer: tuple[crypt.RSASigner, str],
                                    claims: dict[str, Any]) -> None:
    response = _post({"Authorization": f"Bearer {_token(signer, **claims)}"})

    assert (response.status_code, response.json["error"]["code"]) == (401, "TASK_UNAUTHORIZED")


def test_a_token_signed_by_another_key_is_refused(
        gcp_container: tuple[Container, PublishedCerts]) -> None:
    pem_key, _ = _key_and_cert()
    forged = (crypt.RSASigner.from_string(pem_key, key_id="kid-1"), "")

    response = _post({"Authorization": f"Bearer {_token(forged)}"})

    assert response.status_code == 401


def test_the_local_secret_is_not_enough_on_google_cloud(
        gcp_container: tuple[Container, PublishedCerts]) -> None:
    response = _post(TASK_HEADERS)

    assert (response.status_code, response.json["error"]["code"]) == (401, "TASK_UNAUTHORIZED")
