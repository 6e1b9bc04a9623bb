"""The Cloud Storage archive with ``google-cloud-storage`` against the storage emulator."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.auth.credentials import AnonymousCredentials
from google.cloud import storage
from google.oauth2 import service_account

from gorunchat.adapters.gcp.archive import GcsArchive
from gorunchat.adapters.gcp.bigquery import BigQuerySink, build_client
from gorunchat.adapters.sqlite.store import SqliteStore
from gorunchat.contracts.audit import AuditEvent
from gorunchat.contracts.errors import NotFound
from gorunchat.services import projector
from tests.fixtures.bigquery_server import BigQueryServer
from tests.gcp.conftest import PROJECT


@pytest.fixture
def bucket(storage_emulator: str) -> Iterator[Any]:
    client = storage.Client(project=PROJECT, credentials=AnonymousCredentials(),
                            client_options={"api_endpoint": storage_emulator})
    made = client.create_bucket(f"archive-{uuid.uuid4().hex[:10]}")
    yield made


def test_an_object_is_written_once_and_never_replaced(bucket: Any) -> None:
    archive = GcsArchive(bucket)

    first = archive.put_once("audit/acme/2025/01/02/000000000001.jsonl", b'{"seq":1}\n',
                             "application/x-ndjson")
    second = archive.put_once("audit/acme/2025/01/02/000000000001.jsonl", b"tampered",
                              "application/x-ndjson")

    assert (first, second) == (True, False)
    assert archive.get("audit/acme/2025/01/02/000000000001.jsonl") == b'{"seq":1}\n'
    assert archive.exists("audit/acme/2025/01/02/000000000001.jsonl") is True


def test_keys_are_listed_by_prefix_and_a_missing_key_is_not_found(bucket: Any) -> None:
    archive = GcsArchive(bucket, prefix="spine/")
    for key in ("audit/acme/a.jsonl", "audit/globex/b.jsonl", "discovery/acme/c.jsonl"):
        archive.put_once(key, b"x", "application/x-ndjson")

    listed = archive.keys("audit/")

    assert listed == ["audit/acme/a.jsonl", "audit/globex/b.jsonl"]
    with pytest.raises(NotFound):
        archive.get("audit/acme/none.jsonl")


def _signing_credentials() -> service_account.Credentials:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    return service_account.Credentials.from_service_account_info({
        "type": "service_account", "project_id": PROJECT, "private_key_id": "k1",
        "private_key": pem, "client_email": f"exports@{PROJECT}.iam.gserviceaccount.com",
        "token_uri": "https://oauth2.googleapis.com/token"})


def test_a_signed_url_is_v4_signed_for_a_limited_time(bucket: Any,
                                                      storage_emulator: str) -> None:
    archive = GcsArchive(bucket, api_access_endpoint=storage_emulator,
                         signing_credentials=_signing_credentials())
    archive.put_once("exports/acme/e1/manifest.json", b'{"files": []}', "application/json")

    url = archive.signed_url("exports/acme/e1/manifest.json", filename="manifest.json",
                             ttl=timedelta(minutes=15))

    assert url is not None and url.startswith(f"{storage_emulator}/{bucket.name}/exports/")
    query = httpx.URL(url).params
    assert query["X-Goog-Algorithm"] == "GOOG4-RSA-SHA256"
    assert query["X-Goog-Expires"] == "900"
    assert query["X-Goog-Credential"].startswith(f"exports@{PROJECT}.iam.gserviceaccount.com/")
    assert len(query["X-Goog-Signature"]) == 512
    assert "attachment" in query["response-content-disposition"]


def test_the_projector_archives_to_storage_and_copies_to_bigquery(
        bucket: Any, tmp_path: Path) -> None:
    server = BigQueryServer().start()
    try:
        store = SqliteStore(tmp_path / "store.sqlite3")
        for n in range(3):
            with store.unit_of_work("acme") as uow:
                uow.record(AuditEvent(action="conversation.update", targetId=f"c{n}"))
                uow.commit()
        run = projector.Projector(
            store=store, sink=BigQuerySink(build_client(PROJECT, server.endpoint), "audit_ds"),
            archive=GcsArchive(bucket))

        first = projector.project(run)
        again = projector.project(run)

        day = datetime.now(UTC).strftime("%Y/%m/%d")
        assert first.archived == [f"audit/acme/{day}/000000000001.jsonl"]
        assert again.auditProjected == 0
        assert GcsArchive(bucket).get(first.archived[0]).count(b"\n") == 3
        assert len(server.state.table_rows(f"{PROJECT}.audit_ds.audit")) == 3
    finally:
        server.stop()
