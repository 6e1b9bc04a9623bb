"""The Cloud Storage blob store against the ``gcp-storage-emulator`` server.

The emulator runs as a separate process on a loopback port; google-cloud-storage talks to
it over HTTP exactly as it talks to Cloud Storage. Signed URLs are signed with a throwaway
service-account key (the emulator does not check signatures, but it serves the signed path).
"""

from __future__ import annotations

import io
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gorunchat.adapters.gcp.storage import GcsBlobStore, bucket_for
from gorunchat.bootstrap import Container, set_container
from gorunchat.contracts.errors import NotFound
from tests.routes.conftest import _settings, mounted, user_factory

BUCKET = "gorunchat-files-test"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def emulator() -> Iterator[str]:
    pytest.importorskip("gcp_storage_emulator")
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gcp_storage_emulator", "start", "--host", "127.0.0.1",
         "--port", str(port), "--in-memory", "--default-bucket", BUCKET, "--quiet"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    try:
        while True:
            try:
                if httpx.get(url + "/", timeout=0.5).status_code == 200:
                    break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
            time.sleep(0.05)  # polling a server that is starting, bounded by the deadline
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def _signer() -> Any:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from google.oauth2 import service_account

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    return service_account.Credentials.from_service_account_info({
        "type": "service_account", "client_email": "files@test.iam.gserviceaccount.com",
        "private_key": pem, "private_key_id": "1", "token_uri": "http://127.0.0.1/token",
        "project_id": "test"})


@pytest.fixture
def gcs(emulator: str) -> GcsBlobStore:
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage

    client = storage.Client(project="test", credentials=AnonymousCredentials(),
                            client_options={"api_endpoint": emulator})
    return GcsBlobStore(bucket_for(BUCKET, client=client), url_ttl_s=300,
                        api_access_endpoint=emulator, signing_credentials=_signer())


def test_put_get_delete_and_a_signed_url(gcs: GcsBlobStore) -> None:
    data = "Bericht über Ähnlichkeit".encode()
    gcs.put("default/u1/f1", data, "text/plain")

    url = gcs.signed_url("default/u1/f1", filename="Bericht ü.txt", content_type="text/plain")
    fetched = httpx.get(url or "", timeout=5)

    assert gcs.get("default/u1/f1") == data
    assert gcs.exists("default/u1/f1") is True
    assert url is not None and "X-Goog-Signature=" in url and f"/{BUCKET}/" in url
    assert fetched.status_code == 200 and fetched.content == data
    assert gcs.delete("default/u1/f1") is True
    assert gcs.delete("default/u1/f1") is False
    assert gcs.exists("default/u1/f1") is False
    with pytest.raises(NotFound):
        gcs.get("default/u1/f1")


@pytest.fixture
def gcs_container(data_dir: Path, gcs: GcsBlobStore) -> Iterator[Container]:
    c = Container(_settings(data_dir))
    c.__dict__["blobs"] = gcs
    set_container(c)
    yield c
    set_container(None)
    c.close()


def test_files_routes_on_cloud_storage(gcs_container: Container, gcs: GcsBlobStore) -> None:
    user, auth = user_factory(gcs_container)()
    client = mounted("files")

    uploaded = client.post("/api/files", data={"file": (io.BytesIO(b"cloud notes"), "c.txt")},
                           headers=auth, content_type="multipart/form-data")
    file_id = uploaded.json["file_id"]
    download = client.get(f"/api/files/download/{user.id}/{file_id}", headers=auth)
    signed = client.get(f"/api/files/download-url/{user.id}/{file_id}", headers=auth)
    fetched = httpx.get(signed.json["url"], timeout=5).content
    key = f"default/{user.id}/{file_id}"
    deleted = client.delete("/api/files", json={"files": [{"file_id": file_id}]}, headers=auth)

    assert uploaded.status_code == 200 and uploaded.json["source"] == "gcs"
    assert download.data == b"cloud notes"
    assert fetched == b"cloud notes"
    assert deleted.status_code == 200
    assert gcs.exists(key) is False
