"""The composition root: settings → adapters → services. No I/O at import time.

Every deployable (each Cloud Function, the streaming service, the local gateway, the CLI)
builds one ``Container`` lazily, on its first request, and keeps it for the process.
"""

from __future__ import annotations

import secrets
import sys
import threading
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from gorunchat.contracts.settings import ConfigError, Settings

if TYPE_CHECKING:
    import redis

    from gorunchat.adapters.gcp.oidc import TaskTokenVerifier
    from gorunchat.ports.archive import Archive
    from gorunchat.ports.blobstore import BlobStore
    from gorunchat.ports.documents import DocumentReader
    from gorunchat.ports.mailer import Mailer
    from gorunchat.ports.querysink import QuerySink
    from gorunchat.ports.search import TextSearch
    from gorunchat.ports.secretbox import SecretBox
    from gorunchat.ports.store import Store
    from gorunchat.ports.taskqueue import TaskQueue
    from gorunchat.services.auth_ratelimit import AuthRateLimiter


class Container:
    """Holds the process-wide adapters and services, each built on first use."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()

    @cached_property
    def jwt_secret(self) -> str:
        return resolve_secret(self.settings, self.settings.jwt_secret, "jwt-secret")

    @cached_property
    def tasks_secret(self) -> str:
        return resolve_secret(self.settings, self.settings.tasks_secret, "tasks-secret")

    @cached_property
    def secretbox(self) -> SecretBox:
        """Seals BYOK keys: Cloud KMS when ``GORUNCHAT_KMS_KEY_NAME`` is set, else a key file."""
        return build_secretbox(self.settings)

    @cached_property
    def store(self) -> Store:
        with self._lock:
            return build_store(self.settings)

    @cached_property
    def redis(self) -> redis.Redis:
        import redis as redis_lib

        if not self.settings.redis_url:
            raise ConfigError("REDIS_URL is not set")
        return redis_lib.Redis.from_url(self.settings.redis_url, socket_timeout=5,
                                        socket_connect_timeout=2)

    @cached_property
    def creds_key(self) -> bytes:
        """The 32-byte key that seals stored credentials (TOTP secrets): ``CREDS_KEY``."""
        import hashlib

        raw = resolve_secret(self.settings, self.settings.auth.creds_key, "creds-key")
        return hashlib.sha256(raw.encode("utf-8")).digest()

    @cached_property
    def mailer(self) -> Mailer:
        """SMTP when ``EMAIL_HOST`` is set, else the outbox folder in the data dir."""
        mail = self.settings.auth.mail
        if mail.host:
            from gorunchat.adapters.mail.smtp import SmtpMailer

            return SmtpMailer(mail)
        from gorunchat.adapters.mail.outbox import OutboxMailer

        return OutboxMailer(Path(self.settings.data_dir) / "outbox", mail.from_address,
                            mail.from_name)

    @cached_property
    def auth_limiter(self) -> AuthRateLimiter | None:
        """Sign-in rate limits in Redis; off only outside production without ``REDIS_URL``."""
        if not self.settings.redis_url:
            if self.settings.environment == "production":
                raise ConfigError("REDIS_URL must be set: rate limits are kept in Redis")
            return None
        from gorunchat.adapters.redis.ratelimit import RedisRateCounter
        from gorunchat.services.auth_ratelimit import AuthRateLimiter

        return AuthRateLimiter(RedisRateCounter(self.redis), self.settings.auth.limits,
                           self.store)

    # The audit spine (DESIGN.md §8): see ``gorunchat.adapters.spine``.
    @cached_property
    def task_queue(self) -> TaskQueue:
        from gorunchat.adapters.spine import build_task_queue

        return build_task_queue(self.settings, self.tasks_secret)

    @cached_property
    def query_sink(self) -> QuerySink:
        from gorunchat.adapters.spine import build_query_sink

        return build_query_sink(self.settings)

    @cached_property
    def archive(self) -> Archive:
        from gorunchat.adapters.spine import build_archive

        return build_archive(self.settings, "audit")

    @cached_property
    def export_archive(self) -> Archive:
        from gorunchat.adapters.spine import build_archive

        return build_archive(self.settings, "exports")

    @cached_property
    def task_verifier(self) -> TaskTokenVerifier | None:
        from gorunchat.adapters.spine import build_task_verifier

        return build_task_verifier(self.settings)

    @cached_property
    def search(self) -> TextSearch:
        """The text index of whichever store this container uses."""
        return build_search(self.store)

    @cached_property
    def blobs(self) -> BlobStore:
        return build_blobs(self.settings)

    @cached_property
    def documents(self) -> DocumentReader:
        from gorunchat.adapters.local.documents import LibraryDocumentReader

        return LibraryDocumentReader()

    def close(self) -> None:
        # Only a process that used MCP has imported the tools service (and the SDK).
        tools = sys.modules.get("gorunchat.services.tools")
        if tools is not None:
            tools.close_manager(self)
        if "store" in self.__dict__:
            self.store.close()


def build_store(settings: Settings) -> Store:
    if settings.store == "mongo":
        from gorunchat.adapters.mongo.store import MongoStore

        if not settings.mongodb_uri:
            raise ConfigError("GORUNCHAT_STORE=mongo needs MONGO_URI")
        return MongoStore.from_uri(settings.mongodb_uri, settings.mongodb_database)
    from gorunchat.adapters.sqlite.store import SqliteStore

    return SqliteStore(settings.sqlite_file)


def build_search(store: Store) -> TextSearch:
    from gorunchat.adapters.sqlite.store import SqliteStore

    if isinstance(store, SqliteStore):
        from gorunchat.adapters.sqlite.search import SqliteTextSearch

        return SqliteTextSearch(store.path)
    from gorunchat.adapters.mongo.search import MongoTextSearch
    from gorunchat.adapters.mongo.store import MongoStore

    if not isinstance(store, MongoStore):
        raise ConfigError(f"no text search for {type(store).__name__}")
    return MongoTextSearch.for_store(store)


def build_blobs(settings: Settings) -> BlobStore:
    """Cloud Storage when ``GORUNCHAT_FILES_BUCKET`` is set, else ``<data dir>/files``."""
    library = settings.library
    if library.blob_bucket:
        from gorunchat.adapters.gcp.storage import GcsBlobStore, bucket_for

        return GcsBlobStore(bucket_for(library.blob_bucket), url_ttl_s=library.signed_url_ttl_s,
                            signer_email=library.blob_signing_account)
    from gorunchat.adapters.local.blobstore import FilesystemBlobStore

    return FilesystemBlobStore(Path(settings.data_dir) / "files")


def build_secretbox(settings: Settings) -> SecretBox:
    if settings.kms_key_name:
        from gorunchat.adapters.gcp.kms import kms_secretbox

        return kms_secretbox(settings.kms_key_name)
    from gorunchat.adapters.local.secretbox import local_secretbox

    return local_secretbox(settings.data_dir)


def resolve_secret(settings: Settings, configured: str | None, name: str) -> str:
    """A configured secret, or (outside production) one kept in the data folder."""
    if configured:
        return configured
    if settings.environment == "production":
        raise ConfigError(f"{name} must be configured in production")
    path = Path(settings.data_dir) / "secrets" / name
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(value, encoding="utf-8")
    tmp.chmod(0o600)
    tmp.replace(path)
    return value


_container: Container | None = None
_container_lock = threading.Lock()


def container() -> Container:
    """The process's container, built from the environment on first use."""
    global _container
    if _container is None:
        with _container_lock:
            if _container is None:
                _container = Container(Settings.load())
    return _container


def set_container(value: Container | None) -> None:
    """Install a container (the local gateway and tests build theirs from explicit settings)."""
    global _container
    with _container_lock:
        _container = value
