"""Identity settings: rate limits and bans, mail, LDAP, OpenID Connect, Google, GitHub, SAML.

Built once by ``Settings.load`` from the same environment mapping (``AuthConfig.from_env``),
with LibreChat's ``.env`` names (``LOGIN_MAX``, ``BAN_VIOLATIONS``, ``EMAIL_HOST``,
``LDAP_URL``, ``OPENID_ISSUER``, ``GOOGLE_CLIENT_ID``, ``GITHUB_CLIENT_ID``,
``SAML_ENTRY_POINT``...), so an
existing LibreChat ``.env`` configures GoRunChat's sign-in the same way. Windows are in
minutes and the ban duration in milliseconds, as there.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        from gorunchat.contracts.settings import ConfigError  # settings imports this module

        raise ConfigError(f"{name} must be an integer, got {raw!r}") from exc


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _opt(env: Mapping[str, str], name: str) -> str | None:
    return env.get(name) or None


class LimitRule(BaseModel):
    """``max`` requests per ``window_min`` minutes; a 429 adds ``score`` to the violations."""

    model_config = ConfigDict(frozen=True)

    max: int = Field(ge=1)
    window_min: int = Field(ge=1)
    score: int = Field(default=1, ge=0)


class RateLimits(BaseModel):
    model_config = ConfigDict(frozen=True)

    login: LimitRule = LimitRule(max=7, window_min=5)
    registration: LimitRule = LimitRule(max=5, window_min=60)
    reset_password: LimitRule = LimitRule(max=2, window_min=2)
    verify_email: LimitRule = LimitRule(max=2, window_min=2)
    ban_violations: bool = True
    ban_duration_ms: int = Field(default=2 * 3600 * 1000, ge=0)
    ban_interval: int = Field(default=20, ge=1)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> RateLimits:
        def rule(prefix: str, score_name: str, max_: int, window: int) -> LimitRule:
            return LimitRule(max=_int(env, f"{prefix}_MAX", max_),
                             window_min=_int(env, f"{prefix}_WINDOW", window),
                             score=_int(env, score_name, 1))

        return cls(
            login=rule("LOGIN", "LOGIN_VIOLATION_SCORE", 7, 5),
            registration=rule("REGISTER", "REGISTRATION_VIOLATION_SCORE", 5, 60),
            reset_password=rule("RESET_PASSWORD", "RESET_PASSWORD_VIOLATION_SCORE", 2, 2),
            verify_email=rule("VERIFY_EMAIL", "VERIFY_EMAIL_VIOLATION_SCORE", 2, 2),
            ban_violations=_flag(env, "BAN_VIOLATIONS", True),
            ban_duration_ms=_int(env, "BAN_DURATION", 2 * 3600 * 1000),
            ban_interval=_int(env, "BAN_INTERVAL", 20),
        )


class MailSettings(BaseModel):
    """SMTP when ``host`` is set; otherwise mail goes to the local outbox folder."""

    model_config = ConfigDict(frozen=True)

    host: str | None = None
    port: int = Field(default=587, ge=1, le=65535)
    encryption: str = "starttls"  # "starttls" | "tls" | "none"
    username: str | None = None
    password: str | None = None
    from_address: str = "noreply@gorunchat.local"
    from_name: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> MailSettings:
        encryption = (env.get("EMAIL_ENCRYPTION") or "starttls").strip().lower()
        return cls(
            host=_opt(env, "EMAIL_HOST"), port=_int(env, "EMAIL_PORT", 587),
            encryption=encryption if encryption in {"starttls", "tls", "none"} else "starttls",
            username=_opt(env, "EMAIL_USERNAME"), password=_opt(env, "EMAIL_PASSWORD"),
            from_address=env.get("EMAIL_FROM") or "noreply@gorunchat.local",
            from_name=_opt(env, "EMAIL_FROM_NAME"),
        )


class LdapSettings(BaseModel):
    """LDAP sign-in; enabled, as in LibreChat, when both the URL and search base are set."""

    model_config = ConfigDict(frozen=True)

    url: str | None = None
    bind_dn: str | None = None
    bind_credentials: str | None = None
    user_search_base: str | None = None
    search_filter: str = "mail={{username}}"
    login_uses_username: bool = False
    id_attribute: str | None = None
    username_attribute: str | None = None
    email_attribute: str | None = None
    full_name_attributes: tuple[str, ...] = ()
    starttls: bool = False
    timeout_s: int = Field(default=5, ge=1)

    @property
    def enabled(self) -> bool:
        return bool(self.url and self.user_search_base)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> LdapSettings:
        names = tuple(n.strip() for n in (env.get("LDAP_FULL_NAME") or "").split(",")
                      if n.strip())
        return cls(
            url=_opt(env, "LDAP_URL"), bind_dn=_opt(env, "LDAP_BIND_DN"),
            bind_credentials=_opt(env, "LDAP_BIND_CREDENTIALS"),
            user_search_base=_opt(env, "LDAP_USER_SEARCH_BASE"),
            search_filter=env.get("LDAP_SEARCH_FILTER") or "mail={{username}}",
            login_uses_username=_flag(env, "LDAP_LOGIN_USES_USERNAME", False),
            id_attribute=_opt(env, "LDAP_ID"), username_attribute=_opt(env, "LDAP_USERNAME"),
            email_attribute=_opt(env, "LDAP_EMAIL"), full_name_attributes=names,
            starttls=_flag(env, "LDAP_STARTTLS", False),
            timeout_s=_int(env, "LDAP_TIMEOUT_S", 5),
        )


class OidcProviderSettings(BaseModel):
    """One OpenID Connect provider (``openid`` or ``google``), found by discovery."""

    model_config = ConfigDict(frozen=True)

    issuer: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    scope: str = "openid profile email"
    callback_path: str = "/oauth/openid/callback"
    label: str | None = None

    @property
    def enabled(self) -> bool:
        return bool(self.issuer and self.client_id and self.client_secret)


class GithubSettings(BaseModel):
    """GitHub OAuth; ``base_url``/``api_url`` point at GitHub Enterprise when set."""

    model_config = ConfigDict(frozen=True)

    client_id: str | None = None
    client_secret: str | None = None
    callback_path: str = "/oauth/github/callback"
    base_url: str = "https://github.com"
    api_url: str = "https://api.github.com"

    @property
    def enabled(self) -> bool:
        return bool(self.client_id and self.client_secret)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> GithubSettings:
        enterprise = (env.get("GITHUB_ENTERPRISE_BASE_URL") or "").rstrip("/")
        return cls(
            client_id=_opt(env, "GITHUB_CLIENT_ID"),
            client_secret=_opt(env, "GITHUB_CLIENT_SECRET"),
            callback_path=env.get("GITHUB_CALLBACK_URL") or "/oauth/github/callback",
            base_url=enterprise or "https://github.com",
            api_url=f"{enterprise}/api/v3" if enterprise else "https://api.github.com",
        )


class SamlSettings(BaseModel):
    """SAML 2.0 sign-in (``services/saml.py``); enabled when the IdP's SSO URL, our entity
    id and the IdP's signing certificate are all set. ``cert`` is as configured: PEM text,
    a bare base64 body, or a path to a file. The ``*_claim`` names override the attribute
    read for each profile field."""

    model_config = ConfigDict(frozen=True)

    entry_point: str | None = None
    issuer: str | None = None
    cert: str | None = None
    callback_path: str = "/oauth/saml/callback"
    response_signed: bool = False
    email_claim: str | None = None
    username_claim: str | None = None
    given_name_claim: str | None = None
    family_name_claim: str | None = None
    name_claim: str | None = None
    picture_claim: str | None = None
    label: str | None = None
    image_url: str | None = None

    @property
    def enabled(self) -> bool:
        return bool(self.entry_point and self.issuer and self.cert)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SamlSettings:
        return cls(
            entry_point=_opt(env, "SAML_ENTRY_POINT"), issuer=_opt(env, "SAML_ISSUER"),
            cert=_opt(env, "SAML_CERT"),
            callback_path=env.get("SAML_CALLBACK_URL") or "/oauth/saml/callback",
            response_signed=_flag(env, "SAML_USE_AUTHN_RESPONSE_SIGNED", False),
            email_claim=_opt(env, "SAML_EMAIL_CLAIM"),
            username_claim=_opt(env, "SAML_USERNAME_CLAIM"),
            given_name_claim=_opt(env, "SAML_GIVEN_NAME_CLAIM"),
            family_name_claim=_opt(env, "SAML_FAMILY_NAME_CLAIM"),
            name_claim=_opt(env, "SAML_NAME_CLAIM"),
            picture_claim=_opt(env, "SAML_PICTURE_CLAIM"),
            label=_opt(env, "SAML_BUTTON_LABEL"), image_url=_opt(env, "SAML_IMAGE_URL"),
        )


class AuthConfig(BaseModel):
    """Everything the identity services read from the environment."""

    model_config = ConfigDict(frozen=True)

    limits: RateLimits = Field(default_factory=RateLimits)
    mail: MailSettings = Field(default_factory=MailSettings)
    ldap: LdapSettings = Field(default_factory=LdapSettings)
    openid: OidcProviderSettings = Field(default_factory=OidcProviderSettings)
    google: OidcProviderSettings = Field(default_factory=lambda: OidcProviderSettings(
        issuer="https://accounts.google.com", callback_path="/oauth/google/callback"))
    github: GithubSettings = Field(default_factory=GithubSettings)
    saml: SamlSettings = Field(default_factory=SamlSettings)
    allow_social_registration: bool = False
    allow_unverified_email_login: bool = True
    allow_password_reset: bool = True
    allow_account_deletion: bool = True
    min_password_length: int = Field(default=8, ge=8, le=128)
    creds_key: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> AuthConfig:
        """The identity settings in ``env`` (LibreChat's variable names)."""
        return cls(
            limits=RateLimits.from_env(env), mail=MailSettings.from_env(env),
            ldap=LdapSettings.from_env(env), github=GithubSettings.from_env(env),
            saml=SamlSettings.from_env(env),
            openid=OidcProviderSettings(
                issuer=_opt(env, "OPENID_ISSUER"), client_id=_opt(env, "OPENID_CLIENT_ID"),
                client_secret=_opt(env, "OPENID_CLIENT_SECRET"),
                scope=env.get("OPENID_SCOPE") or "openid profile email",
                callback_path=env.get("OPENID_CALLBACK_URL") or "/oauth/openid/callback",
                label=_opt(env, "OPENID_BUTTON_LABEL")),
            google=OidcProviderSettings(
                issuer=env.get("GORUNCHAT_GOOGLE_ISSUER") or "https://accounts.google.com",
                client_id=_opt(env, "GOOGLE_CLIENT_ID"),
                client_secret=_opt(env, "GOOGLE_CLIENT_SECRET"),
                callback_path=env.get("GOOGLE_CALLBACK_URL") or "/oauth/google/callback"),
            allow_social_registration=_flag(env, "ALLOW_SOCIAL_REGISTRATION", False),
            allow_unverified_email_login=_flag(env, "ALLOW_UNVERIFIED_EMAIL_LOGIN", True),
            allow_password_reset=_flag(env, "ALLOW_PASSWORD_RESET", True),
            allow_account_deletion=_flag(env, "ALLOW_ACCOUNT_DELETION", True),
            min_password_length=_int(env, "MIN_PASSWORD_LENGTH", 8),
            creds_key=_opt(env, "CREDS_KEY"),
        )
