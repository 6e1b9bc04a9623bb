"""Envelope encryption for BYOK keys: the local key-file KEK and the Cloud KMS KEK.

The KMS wrapper talks to a loopback server that speaks Cloud KMS's REST wire format
(``POST /v1/{cryptoKey}:encrypt`` / ``:decrypt``, camelCase JSON, base64 bytes, CRC32C
integrity fields), so the real ``google-cloud-kms`` client and its REST transport are
exercised end to end.
"""

from __future__ import annotations

import base64
import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from google.auth.credentials import AnonymousCredentials
from google.cloud.kms_v1 import KeyManagementServiceClient
from google.cloud.kms_v1.services.key_management_service.transports.rest import (
    KeyManagementServiceRestTransport,
)

from gorunchat.adapters.gcp.kms import KmsKeyWrapper, crc32c, kms_secretbox
from gorunchat.adapters.local.secretbox import EnvelopeSecretBox, LocalKeyWrapper
from gorunchat.ports.secretbox import SecretUnreadable

KEY = "projects/p1/locations/global/keyRings/gorunchat/cryptoKeys/byok"
CTX = b"keys\x1fdefault\x1fuser-1\x1fopenAI"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_local_box_round_trips_and_binds_the_context(tmp_path: Path) -> None:
    box = EnvelopeSecretBox(LocalKeyWrapper(tmp_path / "kek"))

    token = box.seal(b"sk-live-123", context=CTX)

    assert token.startswith("grc1.") and b"sk-live-123" not in token.encode()
    assert box.open(token, context=CTX) == b"sk-live-123"
    with pytest.raises(SecretUnreadable):
        box.open(token, context=b"keys\x1fdefault\x1fuser-2\x1fopenAI")


def test_each_secret_gets_its_own_data_key(tmp_path: Path) -> None:
    box = EnvelopeSecretBox(LocalKeyWrapper(tmp_path / "kek"))
    first, second = (json.loads(base64.urlsafe_b64decode(t[5:] + "==="))
                     for t in (box.seal(b"same", context=CTX), box.seal(b"same", context=CTX)))
    assert first["w"] != second["w"] and first["c"] != second["c"]


def test_the_key_file_is_private_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "secrets" / "kek"
    token = EnvelopeSecretBox(LocalKeyWrapper(path)).seal(b"v", context=CTX)

    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert EnvelopeSecretBox(LocalKeyWrapper(path)).open(token, context=CTX) == b"v"
    with pytest.raises(SecretUnreadable):
        EnvelopeSecretBox(LocalKeyWrapper(tmp_path / "other")).open(token, context=CTX)


def test_a_tampered_token_does_not_open(tmp_path: Path) -> None:
    box = EnvelopeSecretBox(LocalKeyWrapper(tmp_path / "kek"))
    body = json.loads(base64.urlsafe_b64decode(box.seal(b"v", context=CTX)[5:] + "==="))
    body["c"] = body["c"][:-2] + ("A" if body["c"][-2] != "A" else "B") + body["c"][-1]
    forged = "grc1." + base64.urlsafe_b64encode(json.dumps(body).encode()).decode()
    for token in (forged, "grc1.%%%", "plain-text-key"):
        with pytest.raises(SecretUnreadable):
            box.open(token, context=CTX)


class FakeKms:
    """Cloud KMS's REST encrypt/decrypt for one symmetric key, with its integrity checks."""

    def __init__(self) -> None:
        self.key = AESGCM.generate_key(bit_length=256)
        self.requests: list[tuple[str, dict[str, Any]]] = []

    def encrypt(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        plaintext = base64.b64decode(body["plaintext"])
        aad = base64.b64decode(body.get("additionalAuthenticatedData", ""))
        nonce = os.urandom(12)
        ciphertext = nonce + AESGCM(self.key).encrypt(nonce, plaintext, aad)
        return 200, {
            "name": KEY + "/cryptoKeyVersions/1", "ciphertext": _b64(ciphertext),
            "ciphertextCrc32c": str(crc32c(ciphertext)),
            "verifiedPlaintextCrc32c": int(body["plaintextCrc32c"]) == crc32c(plaintext),
            "verifiedAdditionalAuthenticatedDataCrc32c":
                int(body["additionalAuthenticatedDataCrc32c"]) == crc32c(aad),
            "protectionLevel": "SOFTWARE"}

    def decrypt(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        blob = base64.b64decode(body["ciphertext"])
        aad = base64.b64decode(body.get("additionalAuthenticatedData", ""))
        try:
            plaintext = AESGCM(self.key).decrypt(blob[:12], blob[12:], aad)
        except InvalidTag:
            return 400, {"error": {"code": 400, "status": "INVALID_ARGUMENT",
                                   "message": "Decryption failed: the ciphertext is invalid."}}
        return 200, {"plaintext": _b64(plaintext), "plaintextCrc32c": str(crc32c(plaintext)),
                     "usedPrimary": True, "protectionLevel": "SOFTWARE"}


@pytest.fixture
def kms() -> Iterator[tuple[FakeKms, KeyManagementServiceClient]]:
    fake = FakeKms()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            path, _, method = self.path.partition("?")[0].rpartition(":")
            fake.requests.append((self.path.split("?")[0], body))
            status, answer = getattr(fake, method)(body) if path == "/v1/" + KEY else (
                404, {"error": {"code": 404, "status": "NOT_FOUND", "message": "no key"}})
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    transport = KeyManagementServiceRestTransport(
        host=f"127.0.0.1:{server.server_address[1]}", credentials=AnonymousCredentials(),
        url_scheme="http")
    try:
        yield fake, KeyManagementServiceClient(transport=transport)
    finally:
        server.shutdown()
        server.server_close()


def test_kms_box_round_trips_through_the_kms_wire_format(
        kms: tuple[FakeKms, KeyManagementServiceClient]) -> None:
    fake, client = kms
    box = kms_secretbox(KEY, client)

    token = box.seal(b"sk-ant-999", context=CTX)
    opened = box.open(token, context=CTX)

    assert opened == b"sk-ant-999"
    assert [path for path, _ in fake.requests] == [f"/v1/{KEY}:encrypt", f"/v1/{KEY}:decrypt"]
    sent = fake.requests[0][1]
    assert base64.b64decode(sent["additionalAuthenticatedData"]) == CTX
    assert len(base64.b64decode(sent["plaintext"])) == 32  # only the data key goes to KMS
    assert int(sent["plaintextCrc32c"]) == crc32c(base64.b64decode(sent["plaintext"]))
    assert int(fake.requests[1][1]["ciphertextCrc32c"]) == crc32c(
        base64.b64decode(fake.requests[1][1]["ciphertext"]))


def test_kms_refusal_is_an_unreadable_secret(
        kms: tuple[FakeKms, KeyManagementServiceClient]) -> None:
    _, client = kms
    box = kms_secretbox(KEY, client)
    token = box.seal(b"v", context=CTX)

    with pytest.raises(SecretUnreadable):
        box.open(token, context=b"another user")


def test_kms_tokens_name_their_key(kms: tuple[FakeKms, KeyManagementServiceClient]) -> None:
    _, client = kms
    token = kms_secretbox(KEY, client).seal(b"v", context=CTX)
    body = json.loads(base64.urlsafe_b64decode(token[5:] + "==="))
    assert body["k"] == "kms:" + KEY
    assert KmsKeyWrapper(KEY, client).key_id == body["k"]
