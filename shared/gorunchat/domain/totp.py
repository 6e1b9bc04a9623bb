"""Two-factor codes: TOTP secrets (RFC 6238 through pyotp), backup codes, and sealing.

The TOTP secret is stored sealed (AES-256-GCM under the credentials key) because, unlike a
password, it must be read back to check a code. Backup codes are random and high-entropy,
so a SHA-256 digest is enough to store them; each is single-use.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from datetime import datetime

import pyotp
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from gorunchat.contracts.auth import BackupCode

BACKUP_CODE_COUNT = 10
_BACKUP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no look-alikes (0/o, 1/l/i)
_SEAL_PREFIX = "v1:"


def new_secret() -> str:
    """A new base32 TOTP secret (160 bits)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, email: str, issuer: str) -> str:
    """The ``otpauth://`` URL an authenticator app scans."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)


def totp_step(secret: str, code: str, *, now: datetime, last_step: int | None) -> int | None:
    """The time step ``code`` is valid for (±1 step), or ``None``.

    A step at or before ``last_step`` is refused, so an observed code cannot be replayed.
    """
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in (current - 1, current, current + 1):
        expected = totp.generate_otp(step)
        if hmac.compare_digest(expected, code) and (last_step is None or step > last_step):
            return step
    return None


def _digest(code: str) -> str:
    normalized = code.strip().lower().replace("-", "").replace(" ", "")
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()


def new_backup_codes() -> tuple[list[str], list[BackupCode]]:
    """Plain codes to show once, and their stored form."""
    plain = ["".join(secrets.choice(_BACKUP_ALPHABET) for _ in range(10))
             for _ in range(BACKUP_CODE_COUNT)]
    return plain, [BackupCode(codeHash=_digest(code)) for code in plain]


def use_backup_code(codes: list[BackupCode], code: str, now: datetime
                    ) -> list[BackupCode] | None:
    """``codes`` with ``code`` marked used, or ``None`` if it matches no unused code."""
    wanted = _digest(code)
    match = None
    for index, stored in enumerate(codes):
        # Compare against every code so timing does not reveal which one matched.
        if hmac.compare_digest(stored.codeHash, wanted) and not stored.used:
            match = index
    if match is None:
        return None
    updated = list(codes)
    updated[match] = BackupCode(codeHash=codes[match].codeHash, used=True, usedAt=now)
    return updated


def seal(key: bytes, plaintext: str) -> str:
    """``plaintext`` encrypted and authenticated under ``key`` (32 bytes)."""
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, plaintext.encode("utf-8"), b"gorunchat-totp")
    return _SEAL_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def unseal(key: bytes, sealed: str) -> str | None:
    """The plaintext of ``sealed``, or ``None`` if it was not sealed under ``key``."""
    if not sealed.startswith(_SEAL_PREFIX):
        return None
    try:
        raw = base64.urlsafe_b64decode(sealed[len(_SEAL_PREFIX):])
        return AESGCM(key).decrypt(raw[:12], raw[12:], b"gorunchat-totp").decode("utf-8")
    except (InvalidTag, ValueError):
        return None
