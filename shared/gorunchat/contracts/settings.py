"""Settings: built once from the environment and the YAML file, then passed down.

``Settings.load()`` is the only place that reads ``os.environ`` or the configuration file.
Services receive the ``Settings`` object (or the parts they need); nothing deeper reads the
environment. Environment names follow LibreChat's ``.env`` where one exists (``MONGO_URI``,
``JWT_SECRET``, ``ALLOW_REGISTRATION``, ``OPENAI_API_KEY``...).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gorunchat.contracts.admin_audit import AuditSettings
from gorunchat.contracts.appconfig import AppConfig
from gorunchat.contracts.authconfig import AuthConfig
from gorunchat.contracts.library import LibrarySettings


class ConfigError(Exception):
    """The environment or the YAML file is invalid; raised at start, never per request."""


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from exc


class Settings(BaseModel):
    """Everything a deployable needs to know about its environment."""

    model_config = ConfigDict(frozen=True)

    environment: Literal["development", "production", "test"] = "development"
    host: str = "127.0.0.1"
    port: int = Field(default=3080, ge=0, le=65535)
    data_dir: Path = Path("var")
    config_path: Path | None = None
    app: AppConfig = Field(default_factory=AppConfig)

    tenant_id: str = "default"
    store: Literal["sqlite", "mongo"] = "sqlite"
    sqlite_path: Path | None = None
    mongodb_uri: str | None = None
    mongodb_database: str = "LibreChat"
    redis_url: str | None = None

    jwt_secret: str | None = None
    access_token_ttl_s: int = 15 * 60
    refresh_token_ttl_s: int = 7 * 24 * 3600
    tasks_secret: str | None = None
    kms_key_name: str | None = None  # Cloud KMS key sealing BYOK keys; local file if unset

    allow_registration: bool = True
    allow_email_login: bool = True
    allow_social_login: bool = False
    app_title: str = "GoRunChat"
    domain_client: str = "http://localhost:3080"
    domain_server: str = "http://localhost:3080"
    cors_origins: tuple[str, ...] = ()
    max_body_bytes: int = 1024 * 1024
    trusted_proxy_hops: int = Field(default=0, ge=0, le=5)

    openai_api_key: str | None = None
    anthropic_api_key: str | None = None
    google_api_key: str | None = None
    library: LibrarySettings = Field(default_factory=LibrarySettings)
    auth: AuthConfig = Field(default_factory=AuthConfig)
    audit: AuditSettings = Field(default_factory=AuditSettings)

    # chat streaming service (DESIGN.md §4)
    stream_coalesce_ms: int = Field(default=25, ge=0)
    stream_lease_ttl_ms: int = Field(default=15_000, ge=200)
    stream_max_active_per_user: int = Field(default=2, ge=1)
    stream_journal_maxlen: int = Field(default=10_000, ge=32)
    stream_terminal_ttl_s: int = Field(default=900, ge=1)
    stream_checkpoint_ms: int = Field(default=3_000, ge=50)
    stream_heartbeat_ms: int = Field(default=15_000, ge=50)
    stream_subscriber_buffer: int = Field(default=512, ge=8)
    stream_drain_ms: int = Field(default=8_000, ge=0)
    offline_tokens: int = Field(default=48, ge=0)
    offline_tokens_per_second: int = Field(default=40, ge=0)

    @property
    def sqlite_file(self) -> Path:
        return self.sqlite_path or (self.data_dir / "gorunchat.sqlite3")

    @classmethod
    def load(cls, env: Mapping[str, str] | None = None, cwd: Path | None = None) -> Settings:
        """Build settings from ``env`` (default ``os.environ``) and the YAML file.

        The YAML file is ``$GORUNCHAT_CONFIG`` or ``gorunchat.yaml`` in ``cwd``; a missing
        default file is fine, a missing named file or an invalid one is a ``ConfigError``.
        """
        env = os.environ if env is None else env
        cwd = cwd or Path.cwd()
        named = env.get("GORUNCHAT_CONFIG")
        config_path = Path(named) if named else cwd / "gorunchat.yaml"
        if not config_path.is_absolute():
            config_path = cwd / config_path
        app = AppConfig()
        if config_path.exists():
            app = load_app_config(config_path)
        elif named:
            raise ConfigError(f"GORUNCHAT_CONFIG names {config_path}, which does not exist")
        else:
            config_path = None  # type: ignore[assignment]

        data_dir = Path(env.get("GORUNCHAT_DATA_DIR") or "var")
        if not data_dir.is_absolute():
            data_dir = cwd / data_dir
        mongodb_uri = env.get("GORUNCHAT_MONGODB_URI") or env.get("MONGO_URI") or None
        store = env.get("GORUNCHAT_STORE") or ("mongo" if mongodb_uri else "sqlite")
        port = _int(env, "GORUNCHAT_PORT", _int(env, "PORT", 3080))
        origins = tuple(o.strip() for o in env.get("GORUNCHAT_CORS_ORIGINS", "").split(",")
                        if o.strip())
        domain = env.get("DOMAIN_CLIENT") or f"http://localhost:{port}"
        try:
            return cls(
                environment=env.get("GORUNCHAT_ENV", "development"),
                host=env.get("GORUNCHAT_HOST", "127.0.0.1"),
                port=port,
                data_dir=data_dir,
                config_path=config_path,
                app=app,
                tenant_id=env.get("GORUNCHAT_TENANT_ID", "default"),
                store=store,
                sqlite_path=Path(env["GORUNCHAT_SQLITE_PATH"])
                if env.get("GORUNCHAT_SQLITE_PATH") else None,
                mongodb_uri=mongodb_uri,
                mongodb_database=env.get("GORUNCHAT_MONGODB_DATABASE", "LibreChat"),
                redis_url=env.get("REDIS_URL") or env.get("REDIS_URI") or None,
                jwt_secret=env.get("JWT_SECRET") or None,
                access_token_ttl_s=_int(env, "SESSION_EXPIRY_S", 15 * 60),
                refresh_token_ttl_s=_int(env, "REFRESH_TOKEN_EXPIRY_S", 7 * 24 * 3600),
                tasks_secret=env.get("GORUNCHAT_TASKS_SECRET") or None,
                kms_key_name=env.get("GORUNCHAT_KMS_KEY_NAME") or None,
                allow_registration=_flag(env.get("ALLOW_REGISTRATION"), True),
                allow_email_login=_flag(env.get("ALLOW_EMAIL_LOGIN"), True),
                allow_social_login=_flag(env.get("ALLOW_SOCIAL_LOGIN"), False),
                app_title=env.get("APP_TITLE") or app.appTitle or "GoRunChat",
                domain_client=domain,
                domain_server=env.get("DOMAIN_SERVER") or domain,
                cors_origins=origins,
                max_body_bytes=_int(env, "GORUNCHAT_MAX_BODY_BYTES", 1024 * 1024),
                trusted_proxy_hops=_int(env, "GORUNCHAT_TRUSTED_PROXY_HOPS", 0),
                openai_api_key=env.get("OPENAI_API_KEY") or None,
                anthropic_api_key=env.get("ANTHROPIC_API_KEY") or None,
                google_api_key=env.get("GOOGLE_API_KEY") or env.get("GOOGLE_KEY") or None,
                library=LibrarySettings.from_env(env),
                auth=AuthConfig.from_env(env),
                audit=AuditSettings.from_env(env),
                stream_coalesce_ms=_int(env, "GORUNCHAT_STREAM_COALESCE_MS", 25),
                stream_lease_ttl_ms=_int(env, "GORUNCHAT_STREAM_LEASE_TTL_MS", 15_000),
                stream_max_active_per_user=_int(env, "CONCURRENT_MESSAGE_MAX", 2),
                stream_journal_maxlen=_int(env, "GORUNCHAT_STREAM_JOURNAL_MAXLEN", 10_000),
                stream_terminal_ttl_s=_int(env, "GORUNCHAT_STREAM_TERMINAL_TTL_S", 900),
                stream_checkpoint_ms=_int(env, "GORUNCHAT_STREAM_CHECKPOINT_MS", 3_000),
                stream_heartbeat_ms=_int(env, "GORUNCHAT_STREAM_HEARTBEAT_MS", 15_000),
                stream_subscriber_buffer=_int(env, "GORUNCHAT_STREAM_SUBSCRIBER_BUFFER", 512),
                stream_drain_ms=_int(env, "GORUNCHAT_STREAM_DRAIN_MS", 8_000),
                offline_tokens=_int(env, "GORUNCHAT_OFFLINE_TOKENS", 48),
                offline_tokens_per_second=_int(env, "GORUNCHAT_OFFLINE_TOKENS_PER_SECOND", 40),
            )
        except ValidationError as exc:
            raise ConfigError(f"invalid settings: {exc}") from exc


def load_app_config(path: Path) -> AppConfig:
    """Parse and validate a ``gorunchat.yaml`` (or ``librechat.yaml``) file."""
    import yaml  # imported here: only the process start reads the file

    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{path} must hold a mapping at the top level")
    try:
        return AppConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{path} is not a valid configuration: {exc}") from exc
