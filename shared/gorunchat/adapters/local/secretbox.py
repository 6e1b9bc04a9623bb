"""Envelope encryption for the ``SecretBox`` port, and the local key-file KEK.

``EnvelopeSecretBox`` does the envelope work for every KEK adapter: a fresh 256-bit data
key per secret, AES-256-GCM over the secret with ``context`` as associated data, and the
data key wrapped by the KEK adapter (``LocalKeyWrapper`` here, ``KmsKeyWrapper`` in
``adapters.gcp.kms``). The token is ``grc1.`` followed by base64url JSON of the KEK id, the
wrapped data key, the nonce and the ciphertext.

``LocalKeyWrapper`` keeps a 256-bit KEK in a file (``<data dir>/secrets/secretbox.kek``,
mode 0600, created on first use) and wraps data keys with AES-256-GCM. Losing the file
loses every sealed secret: back it up with the data, or use Cloud KMS.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from gorunchat.ports.secretbox import KeyWrapper, SecretUnreadable

PREFIX = "grc1."
_NONCE = 12


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class EnvelopeSecretBox:
    """``SecretBox`` over any ``KeyWrapper``; ``legacy`` wrappers still open old tokens."""

    def __init__(self, wrapper: KeyWrapper, *legacy: KeyWrapper) -> None:
        self._wrapper = wrapper
        self._wrappers = {w.key_id: w for w in (wrapper, *legacy)}

    def seal(self, plaintext: bytes, *, context: bytes) -> str:
        data_key = AESGCM.generate_key(bit_length=256)
        nonce = os.urandom(_NONCE)
        ciphertext = AESGCM(data_key).encrypt(nonce, plaintext, context)
        wrapped = self._wrapper.wrap(data_key, context=context)
        body = {"k": self._wrapper.key_id, "w": _b64(wrapped), "n": _b64(nonce),
                "c": _b64(ciphertext)}
        return PREFIX + _b64(json.dumps(body, separators=(",", ":")).encode())

    def open(self, token: str, *, context: bytes) -> bytes:
        try:
            if not token.startswith(PREFIX):
                raise ValueError("not a sealed token")
            body = json.loads(_unb64(token[len(PREFIX):]))
            wrapper = self._wrappers.get(body["k"])
            if wrapper is None:
                raise SecretUnreadable(f"sealed under an unknown key {body['k']!r}")
            data_key = wrapper.unwrap(_unb64(body["w"]), context=context)
            return AESGCM(data_key).decrypt(_unb64(body["n"]), _unb64(body["c"]), context)
        except (ValueError, KeyError, TypeError, InvalidTag) as exc:
            raise SecretUnreadable("the sealed secret cannot be opened") from exc


class LocalKeyWrapper:
    """A KEK kept in a local file; wraps data keys with AES-256-GCM."""

    def __init__(self, path: Path) -> None:
        self._kek = self._load_or_create(path)
        self._id = "local:" + hashlib.sha256(self._kek).hexdigest()[:16]

    @staticmethod
    def _load_or_create(path: Path) -> bytes:
        if path.exists():
            kek = _unb64(path.read_text(encoding="ascii").strip())
            if len(kek) != 32:
                raise ValueError(f"{path} does not hold a 256-bit key")
            return kek
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(_b64(AESGCM.generate_key(bit_length=256)))
        try:
            os.link(tmp, path)  # atomic and never overwrites: one process's key wins
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
        return _unb64(path.read_text(encoding="ascii").strip())

    @property
    def key_id(self) -> str:
        return self._id

    def wrap(self, data_key: bytes, *, context: bytes) -> bytes:
        nonce = os.urandom(_NONCE)
        return nonce + AESGCM(self._kek).encrypt(nonce, data_key, context)

    def unwrap(self, wrapped: bytes, *, context: bytes) -> bytes:
        try:
            return AESGCM(self._kek).decrypt(wrapped[:_NONCE], wrapped[_NONCE:], context)
        except InvalidTag as exc:
            raise SecretUnreadable("the data key cannot be unwrapped") from exc


def local_secretbox(data_dir: Path) -> EnvelopeSecretBox:
    """The default box: envelope encryption under ``<data_dir>/secrets/secretbox.kek``."""
    return EnvelopeSecretBox(LocalKeyWrapper(Path(data_dir) / "secrets" / "secretbox.kek"))
