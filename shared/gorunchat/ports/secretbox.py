"""The SecretBox port: seal secrets at rest with envelope encryption.

``seal`` encrypts a secret under a fresh data key and wraps that data key with a
key-encryption key (KEK) the box never reveals: a local key file by default, a Cloud KMS
key in GCP. The returned token is self-describing text (version, KEK id, wrapped data key,
nonce, ciphertext), safe to store in a document. ``context`` is bound to the ciphertext as
authenticated data: a token opens only with the same context, so a sealed value copied to
another user's or tenant's document does not decrypt. ``open`` raises ``SecretUnreadable``
for a token that was tampered with, sealed under another context or under an unknown KEK.
"""

from __future__ import annotations

from typing import Protocol


class SecretUnreadable(Exception):
    """A sealed token cannot be opened (tampered, wrong context, unknown or revoked key)."""


class SecretBox(Protocol):
    def seal(self, plaintext: bytes, *, context: bytes) -> str:
        """Encrypt ``plaintext`` bound to ``context``; returns the token to store."""

    def open(self, token: str, *, context: bytes) -> bytes:
        """Decrypt a token made by ``seal`` with the same ``context``."""


class KeyWrapper(Protocol):
    """Wraps and unwraps data keys with one key-encryption key (a KEK adapter)."""

    @property
    def key_id(self) -> str:
        """Names the KEK in tokens, so a token records which KEK wrapped its data key."""

    def wrap(self, data_key: bytes, *, context: bytes) -> bytes: ...

    def unwrap(self, wrapped: bytes, *, context: bytes) -> bytes: ...
