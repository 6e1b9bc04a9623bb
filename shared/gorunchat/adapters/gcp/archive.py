"""Cloud Storage adapter of the ``Archive`` port (``google-cloud-storage``).

Objects are created with the precondition ``ifGenerationMatch=0``: the write succeeds only
when no live object has the name, so an archived batch is never replaced (and the audit
bucket's locked retention policy keeps anyone from deleting it early). Download URLs are V4
signed: with a service account key when the credentials hold one, else through the IAM
``signBlob`` API for the runtime's service account.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from gorunchat.adapters.gcp import errors as gcp_errors
from gorunchat.contracts.errors import NotFound, ServiceUnavailable

Bucket = Any  # google.cloud.storage.Bucket (the library ships no type information)


def translated() -> AbstractContextManager[None]:
    return gcp_errors.translated(
        NotFound("No archived object has this key.", code="ARCHIVE_NOT_FOUND"),
        ServiceUnavailable("The archive is unavailable.", code="ARCHIVE_UNAVAILABLE"))


class GcsArchive:
    """``Archive`` over one bucket, keys under ``prefix``."""

    def __init__(self, bucket: Bucket, *, prefix: str = "", signer_email: str | None = None,
                 api_access_endpoint: str | None = None,
                 signing_credentials: Any | None = None) -> None:
        self._bucket = bucket
        self._prefix = prefix
        self._signer = signer_email
        self._endpoint = api_access_endpoint
        self._signing = signing_credentials

    def put_once(self, key: str, data: bytes, content_type: str) -> bool:
        from google.api_core.exceptions import PreconditionFailed

        blob = self._bucket.blob(self._prefix + key)
        try:
            with translated():
                # A replay usually finds the object: answer without uploading the batch
                # again. The precondition is what makes the write atomic on Cloud Storage.
                if blob.exists():
                    return False
                blob.upload_from_string(data, content_type=content_type,
                                        if_generation_match=0)
        except ServiceUnavailable as exc:
            if isinstance(exc.__cause__, PreconditionFailed):
                return False  # written before: an archive object is never replaced
            raise
        return True

    def get(self, key: str) -> bytes:
        with translated():
            data: bytes = self._bucket.blob(self._prefix + key).download_as_bytes()
        return data

    def exists(self, key: str) -> bool:
        with translated():
            return bool(self._bucket.blob(self._prefix + key).exists())

    def keys(self, prefix: str) -> list[str]:
        with translated():
            names = [b.name for b in self._bucket.client.list_blobs(
                self._bucket, prefix=self._prefix + prefix)]
        return sorted(n[len(self._prefix):] for n in names)

    def _signing_kwargs(self) -> dict[str, Any]:
        from google.auth.credentials import Signing
        from google.auth.transport.requests import Request

        credentials = self._signing or self._bucket.client._credentials
        if isinstance(credentials, Signing):
            return {"credentials": credentials}
        if not credentials.valid:
            credentials.refresh(Request())
        email = self._signer or getattr(credentials, "service_account_email", None)
        return {"service_account_email": email, "access_token": credentials.token}

    def signed_url(self, key: str, *, filename: str, ttl: timedelta) -> str | None:
        disposition = f"attachment; filename*=UTF-8''{quote(filename)}"
        extra = {"api_access_endpoint": self._endpoint} if self._endpoint else {}
        with translated():
            url: str = self._bucket.blob(self._prefix + key).generate_signed_url(
                version="v4", expiration=ttl, method="GET",
                response_disposition=disposition, **extra, **self._signing_kwargs())
        return url


def bucket_for(name: str, *, project: str | None = None) -> Bucket:
    """The bucket ``name`` on a default client (``STORAGE_EMULATOR_HOST`` is honoured)."""
    import importlib

    storage: Any = importlib.import_module("google.cloud.storage")  # untyped library
    bucket: Bucket = storage.Client(project=project).bucket(name)
    return bucket
