"""The Cloud Storage blob store (google-cloud-storage), with V4 signed download URLs.

Signing needs a key: credentials that can sign locally (a service account key) sign
directly; the credentials of Cloud Run and Cloud Functions cannot, so the URL is signed by the
IAM ``signBlob`` API for the runtime's service account (or ``GORUNCHAT_FILES_SIGNER``), which
needs ``roles/iam.serviceAccountTokenCreator`` on itself. Client errors are translated here:
a missing object is ``NotFound``, anything else the service cannot reach is 503.
"""

from __future__ import annotations

import importlib
from contextlib import AbstractContextManager
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from gorunchat.adapters.gcp import errors as gcp_errors
from gorunchat.contracts.errors import NotFound, ServiceUnavailable

Bucket = Any  # google.cloud.storage.Bucket (the library ships no type information)


def translated() -> AbstractContextManager[None]:
    return gcp_errors.translated(
        NotFound("The file's content is missing.", code="BLOB_NOT_FOUND"),
        ServiceUnavailable("The file store is unavailable.", code="BLOB_STORE_UNAVAILABLE"))


class GcsBlobStore:
    """Blobs as objects of one bucket, named by their key."""

    source = "gcs"

    def __init__(self, bucket: Bucket, *, url_ttl_s: int = 900, signer_email: str | None = None,
                 api_access_endpoint: str | None = None,
                 signing_credentials: Any | None = None) -> None:
        self._bucket = bucket
        self._ttl = url_ttl_s
        self._signer = signer_email
        self._endpoint = api_access_endpoint
        self._signing = signing_credentials

    def put(self, key: str, data: bytes, content_type: str) -> None:
        with translated():
            self._bucket.blob(key).upload_from_string(data, content_type=content_type)

    def get(self, key: str) -> bytes:
        with translated():
            data: bytes = self._bucket.blob(key).download_as_bytes()
        return data

    def delete(self, key: str) -> bool:
        try:
            with translated():
                self._bucket.blob(key).delete()
        except NotFound:
            return False
        return True

    def exists(self, key: str) -> bool:
        with translated():
            return bool(self._bucket.blob(key).exists())

    def _signing_kwargs(self) -> dict[str, Any]:
        """How to sign: locally with a key, else through IAM with an access token."""
        from google.auth.credentials import Signing
        from google.auth.transport.requests import Request

        credentials = self._signing or self._bucket.client._credentials
        if isinstance(credentials, Signing):
            return {"credentials": credentials}
        if not credentials.valid:
            credentials.refresh(Request())
        email = self._signer or getattr(credentials, "service_account_email", None)
        return {"service_account_email": email, "access_token": credentials.token}

    def signed_url(self, key: str, *, filename: str, content_type: str) -> str | None:
        disposition = f"attachment; filename*=UTF-8''{quote(filename)}"
        with translated():
            url: str = self._bucket.blob(key).generate_signed_url(
                version="v4", expiration=timedelta(seconds=self._ttl), method="GET",
                response_disposition=disposition, response_type=content_type,
                **({"api_access_endpoint": self._endpoint} if self._endpoint else {}),
                **self._signing_kwargs())
        return url


def bucket_for(name: str, *, project: str | None = None, client: Any | None = None) -> Bucket:
    """The bucket ``name`` on a default client (Application Default Credentials)."""
    # Imported by name: google-cloud-storage ships no type stubs, and with other google.cloud
    # packages installed mypy cannot see the namespace member.
    storage = importlib.import_module("google.cloud.storage")
    bucket: Bucket = (client or storage.Client(project=project)).bucket(name)
    return bucket
