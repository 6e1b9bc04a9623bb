"""Cloud KMS as the key-encryption key of the ``SecretBox`` (``google-cloud-kms``).

``KmsKeyWrapper`` wraps each secret's data key with a Cloud KMS symmetric key
(``projects/P/locations/L/keyRings/R/cryptoKeys/K``) through the ``Encrypt`` and
``Decrypt`` methods, passing the secret's context as additional authenticated data and
checking the CRC32C integrity fields both ways, as Google recommends. Use it with
``EnvelopeSecretBox``: the secrets themselves never leave the process, only 32-byte data
keys go to KMS. A KMS that refuses a ciphertext (wrong context, tampering, disabled key
version) is ``SecretUnreadable``; one that cannot be reached is ``ServiceUnavailable``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import google_crc32c
from google.api_core import exceptions as gexc

from gorunchat.adapters.local.secretbox import EnvelopeSecretBox
from gorunchat.contracts.errors import ServiceUnavailable
from gorunchat.ports.secretbox import SecretUnreadable

if TYPE_CHECKING:
    from google.cloud.kms_v1 import KeyManagementServiceClient

# REST answers map by HTTP status (400 → BadRequest), gRPC by code (InvalidArgument and
# FailedPrecondition, both BadRequest subclasses): catch the parents to cover both transports.
_REFUSED = (gexc.BadRequest, gexc.NotFound, gexc.Forbidden)


def crc32c(data: bytes) -> int:
    return int(google_crc32c.value(data))


class KmsKeyWrapper:
    """A ``KeyWrapper`` over one Cloud KMS crypto key."""

    def __init__(self, key_name: str, client: KeyManagementServiceClient | None = None
                 ) -> None:
        self._name = key_name
        self._client = client

    @property
    def key_id(self) -> str:
        return "kms:" + self._name

    @property
    def client(self) -> KeyManagementServiceClient:
        if self._client is None:  # created on first use: no I/O at import or build time
            from google.cloud.kms_v1 import KeyManagementServiceClient

            self._client = KeyManagementServiceClient()
        return self._client

    def _call(self, method: str, request: dict[str, Any]) -> Any:
        try:
            return getattr(self.client, method)(request=request, timeout=10.0)
        except _REFUSED as exc:
            raise SecretUnreadable(f"Cloud KMS refused {method}: {exc.message}") from exc
        except (gexc.GoogleAPIError, gexc.RetryError) as exc:
            raise ServiceUnavailable("The key service is unavailable; try again shortly.",
                                     code="KMS_UNAVAILABLE") from exc

    def wrap(self, data_key: bytes, *, context: bytes) -> bytes:
        response = self._call("encrypt", {
            "name": self._name, "plaintext": data_key,
            "additional_authenticated_data": context,
            "plaintext_crc32c": crc32c(data_key),
            "additional_authenticated_data_crc32c": crc32c(context),
        })
        intact = (response.verified_plaintext_crc32c
                  and response.verified_additional_authenticated_data_crc32c
                  and crc32c(response.ciphertext) == int(response.ciphertext_crc32c))
        if not intact:
            raise ServiceUnavailable("The key service answer was corrupted in transit.",
                                     code="KMS_INTEGRITY")
        return bytes(response.ciphertext)

    def unwrap(self, wrapped: bytes, *, context: bytes) -> bytes:
        response = self._call("decrypt", {
            "name": self._name, "ciphertext": wrapped,
            "additional_authenticated_data": context,
            "ciphertext_crc32c": crc32c(wrapped),
            "additional_authenticated_data_crc32c": crc32c(context),
        })
        if crc32c(response.plaintext) != int(response.plaintext_crc32c):
            raise ServiceUnavailable("The key service answer was corrupted in transit.",
                                     code="KMS_INTEGRITY")
        return bytes(response.plaintext)


def kms_secretbox(key_name: str, client: KeyManagementServiceClient | None = None
                  ) -> EnvelopeSecretBox:
    """The GCP box: envelope encryption with data keys wrapped by ``key_name`` in KMS."""
    return EnvelopeSecretBox(KmsKeyWrapper(key_name, client))
