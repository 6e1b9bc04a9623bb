"""Password hashing: argon2id for every new hash; LibreChat's bcrypt hashes still verify.

A database carried over from LibreChat holds bcrypt hashes (``$2a$``/``$2b$``); they are
accepted at sign-in and replaced by an argon2id hash right after (``needs_rehash``). When
no account matches, ``burn`` spends the same work as a real check so that timing does not
tell whether an account exists.
"""

from __future__ import annotations

from functools import cache

import bcrypt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_BCRYPT_PREFIXES = ("$2a$", "$2b$", "$2y$")


@cache
def _hasher() -> PasswordHasher:
    # argon2-cffi's defaults are RFC 9106's low-memory profile of argon2id.
    return PasswordHasher()


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (salted, self-describing)."""
    return _hasher().hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored`` (argon2id or legacy bcrypt); never raises."""
    if not stored:
        burn(password)
        return False
    if stored.startswith(_BCRYPT_PREFIXES):
        try:
            return bcrypt.checkpw(password.encode("utf-8"), stored.encode("utf-8"))
        except ValueError:
            return False
    try:
        return _hasher().verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """True for bcrypt hashes and argon2 hashes made with weaker parameters than today's."""
    if stored.startswith(_BCRYPT_PREFIXES):
        return True
    try:
        return _hasher().check_needs_rehash(stored)
    except InvalidHashError:
        return True


@cache
def _dummy_hash() -> str:
    return _hasher().hash("gorunchat-timing-equalizer")


def burn(password: str) -> None:
    """Do the work of one verification and discard it (unknown account, same timing)."""
    try:
        _hasher().verify(_dummy_hash(), password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        pass
