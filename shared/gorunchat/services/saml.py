"""SAML 2.0 sign-in: ``/oauth/saml`` sends an AuthnRequest, its callback takes the Response.

The request goes by the HTTP-Redirect binding (raw DEFLATE, base64, URL-encoded, with a
``RelayState``); the request id and the relay state travel in a signed, short-lived cookie,
like the OAuth flows' state. The Response comes back by the HTTP-POST binding and is
accepted only when all of this holds:

- it parses as plain XML: no DTD, no entities, no network, no huge trees, and the base64
  body is bounded (``MAX_RESPONSE_CHARS``);
- its XML signature verifies against ``SAML_CERT`` (signxml, SHA-1 refused): on the whole
  Response when ``SAML_USE_AUTHN_RESPONSE_SIGNED`` is true, on the Assertion otherwise;
- everything after that is read ONLY from the XML the verifier returns as signed, never from
  the tree that was posted, so a signature-wrapping attack (an extra, unsigned assertion
  beside the signed one) has nothing to offer. The posted tree is read only to refuse
  (more than one assertion, an encrypted assertion, a failure status);
- ``Destination``/``Recipient`` name our callback URL, the ``Audience`` is ``SAML_ISSUER``,
  ``Conditions`` and ``SubjectConfirmationData`` are within their validity window (with
  ``CLOCK_SKEW_S``), the status is Success, and ``InResponseTo`` is the request this
  browser sent, which can be answered only once (kept in Redis, or in this process when
  Redis is not configured).

The account is found by ``samlId`` (the NameID), then by email when that account is a SAML
one; an account of another provider is not taken over (as in LibreChat). New accounts need
``ALLOW_SOCIAL_REGISTRATION`` and an allowed domain. The result is a normal sign-in (ban,
verification and 2FA checks).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlencode

from cryptography import x509
from lxml import etree
from signxml.exceptions import (
    InvalidCertificate,
    InvalidDigest,
    InvalidInput,
    InvalidSignature,
    SignXMLException,
)
from signxml.verifier import SignatureConfiguration, XMLVerifier

from gorunchat.contracts.audit import AuditEvent
from gorunchat.contracts.authconfig import SamlSettings
from gorunchat.contracts.documents import User
from gorunchat.contracts.errors import Forbidden, NotFound, ServiceUnavailable, Unauthorized
from gorunchat.domain.authtokens import (
    FLOW_TOKEN_TTL_S,
    FlowState,
    issue_flow_token,
    verify_flow_token,
)
from gorunchat.services import auth, holds, users
from gorunchat.services.identity import Client, IdentityDeps

SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
POST_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
EMAIL_FORMAT = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
PROVIDER = "saml"
LINK_FIELD = "samlId"
#: The largest ``SAMLResponse`` accepted (base64 characters); real ones are a few KiB.
MAX_RESPONSE_CHARS = 256 * 1024
CLOCK_SKEW_S = 90
_NS = {"saml": SAML, "samlp": SAMLP}

# Attribute names tried when no ``SAML_*_CLAIM`` names one (LibreChat's profile keys first,
# then the usual LDAP OIDs and the WS-Federation claim URIs IdPs send by default).
_CLAIMS = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/"
EMAIL_NAMES = ("email", "mail", "urn:oid:0.9.2342.19200300.100.1.3", _CLAIMS + "emailaddress")
USERNAME_NAMES = ("username", "uid", "urn:oid:0.9.2342.19200300.100.1.1")
GIVEN_NAMES = ("given_name", "givenName", "urn:oid:2.5.4.42", _CLAIMS + "givenname")
FAMILY_NAMES = ("family_name", "sn", "surname", "urn:oid:2.5.4.4", _CLAIMS + "surname")
PICTURE_NAMES = ("picture",)


class SamlRejected(Unauthorized):
    """A Response that is refused; ``reason`` goes to the audit log."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message, code="SAML_RESPONSE_INVALID")
        self.reason = reason


class ReplayGuard(Protocol):
    def first_use(self, key: str, ttl_s: int) -> bool:
        """True the first time ``key`` is presented within ``ttl_s`` seconds."""
        ...


class RedisReplayGuard:
    def __init__(self, redis: Any) -> None:
        self.redis = redis

    def first_use(self, key: str, ttl_s: int) -> bool:
        return bool(self.redis.set(key, b"1", ex=ttl_s, nx=True))


class LocalReplayGuard:
    """The guard of a deployment without Redis: one process remembers what it has seen."""

    def __init__(self) -> None:
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()

    def first_use(self, key: str, ttl_s: int) -> bool:
        now = time.monotonic()
        with self._lock:
            for stale in [k for k, until in self._seen.items() if until <= now]:
                del self._seen[stale]
            if key in self._seen:
                return False
            self._seen[key] = now + ttl_s
            return True


LOCAL_REPLAY_GUARD = LocalReplayGuard()


@dataclass(frozen=True)
class SamlIdentity:
    """What a verified assertion says about its subject."""

    name_id: str
    attributes: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Profile:
    name_id: str
    email: str | None
    username: str | None
    name: str | None
    picture: str | None


# ---- configuration ------------------------------------------------------------------------

def settings_of(deps: IdentityDeps) -> SamlSettings:
    """The SAML settings; 404 when SAML is not configured."""
    cfg = deps.settings.auth.saml
    if not cfg.enabled:
        raise NotFound("This sign-in provider is not configured.",
                       code="OAUTH_PROVIDER_DISABLED")
    return cfg


def callback_url(deps: IdentityDeps) -> str:
    path = deps.settings.auth.saml.callback_path
    return path if path.startswith("http") else deps.settings.domain_server.rstrip("/") + path


def certificate(value: str) -> x509.Certificate:
    """``SAML_CERT`` as a certificate: PEM text, a bare base64 body, or a file's path."""
    try:
        return _certificate(value.strip())
    except (ValueError, OSError) as exc:
        raise ServiceUnavailable("SAML_CERT is not a usable certificate.",
                                 code="SAML_MISCONFIGURED") from exc


@lru_cache(maxsize=8)
def _certificate(value: str) -> x509.Certificate:
    if "-----BEGIN" in value:
        return _load_pem(value)
    body = "".join(value.split())
    if body and len(body) % 4 == 0 and all(c.isalnum() or c in "+/=" for c in body):
        try:
            return x509.load_der_x509_certificate(base64.b64decode(body, validate=True))
        except (ValueError, binascii.Error):
            pass
    path = Path(value).expanduser()
    if path.is_file() and path.stat().st_size <= 64 * 1024:
        text = path.read_text(encoding="utf-8").strip()
        return _load_pem(text) if "-----BEGIN" in text else _certificate_body(text)
    raise ValueError("not a certificate, a base64 body or a readable file")


def _load_pem(text: str) -> x509.Certificate:
    if "BEGIN PUBLIC KEY" in text:
        raise ValueError("SAML_CERT must be a certificate, not a bare public key")
    return x509.load_pem_x509_certificate(text.encode())


def _certificate_body(text: str) -> x509.Certificate:
    return x509.load_der_x509_certificate(base64.b64decode("".join(text.split()),
                                                           validate=True))


# ---- the request ------------------------------------------------------------------------

def _instant(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def authn_request(cfg: SamlSettings, acs_url: str, request_id: str, now: datetime) -> bytes:
    """An AuthnRequest asking for an HTTP-POST answer at ``acs_url``."""
    request = etree.Element(f"{{{SAMLP}}}AuthnRequest", nsmap={"samlp": SAMLP, "saml": SAML})
    request.set("ID", request_id)
    request.set("Version", "2.0")
    request.set("IssueInstant", _instant(now))
    request.set("Destination", cfg.entry_point or "")
    request.set("ProtocolBinding", POST_BINDING)
    request.set("AssertionConsumerServiceURL", acs_url)
    etree.SubElement(request, f"{{{SAML}}}Issuer").text = cfg.issuer
    policy = etree.SubElement(request, f"{{{SAMLP}}}NameIDPolicy")
    policy.set("Format", EMAIL_FORMAT)
    policy.set("AllowCreate", "true")
    return bytes(etree.tostring(request, xml_declaration=False, encoding="utf-8"))


def redirect_binding(xml: bytes) -> str:
    """``SAMLRequest`` for the HTTP-Redirect binding: raw DEFLATE, then base64."""
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    return base64.b64encode(deflater.compress(xml) + deflater.flush()).decode()


def start(deps: IdentityDeps, now: datetime | None = None) -> tuple[str, str]:
    """The IdP's sign-in URL (with the AuthnRequest) and the signed flow cookie value."""
    cfg = settings_of(deps)
    certificate(cfg.cert or "")  # a broken certificate fails here, not after the IdP
    request_id = "_" + secrets.token_hex(20)
    relay = secrets.token_urlsafe(24)
    xml = authn_request(cfg, callback_url(deps), request_id, now or datetime.now(UTC))
    entry = cfg.entry_point or ""
    url = entry + ("&" if "?" in entry else "?") + urlencode(
        {"SAMLRequest": redirect_binding(xml), "RelayState": relay})
    flow = FlowState(provider=PROVIDER, state=relay, nonce=request_id, verifier="")
    return url, issue_flow_token(deps.jwt_secret, flow)


# ---- the response -----------------------------------------------------------------------

def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                           load_dtd=False, dtd_validation=False)


def decode_response(encoded: str) -> bytes:
    """The XML of a posted ``SAMLResponse`` (bounded, strict base64)."""
    if len(encoded) > MAX_RESPONSE_CHARS:
        raise SamlRejected("too_large", "The SAML response is too large.")
    try:
        return base64.b64decode("".join(encoded.split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SamlRejected("malformed", "The SAML response is not valid base64.") from exc


def _parse(xml: bytes) -> Any:
    try:
        root = etree.fromstring(xml, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise SamlRejected("malformed", "The SAML response is not valid XML.") from exc
    if root is None:
        raise SamlRejected("malformed", "The SAML response is empty.")
    doc = root.getroottree().docinfo
    if doc.internalDTD is not None or doc.externalDTD is not None or doc.doctype:
        raise SamlRejected("dtd", "The SAML response may not carry a DTD.")
    if any(True for _ in root.iter(etree.Entity)):
        raise SamlRejected("dtd", "The SAML response may not use entities.")
    if root.tag != f"{{{SAMLP}}}Response":
        raise SamlRejected("malformed", "The posted document is not a SAML Response.")
    return root


def _verified(xml: bytes, cfg: SamlSettings) -> Any:
    """The element the IdP's signature covers (a Response or an Assertion, per settings)."""
    cert = certificate(cfg.cert or "")
    location = "./" if cfg.response_signed else f"./{{{SAML}}}Assertion/"
    config = SignatureConfiguration(location=location, expect_references=1)
    try:
        result = XMLVerifier().verify(xml, x509_cert=cert, expect_config=config,
                                      parser=_parser(), id_attribute="ID")
    except (InvalidSignature, InvalidDigest, InvalidCertificate, InvalidInput,
            SignXMLException, etree.LxmlError, ValueError, TypeError, KeyError) as exc:
        # whatever the verifier trips on in hostile input means "not verified"
        raise SamlRejected("bad_signature",
                           "The SAML response is not signed by the identity provider."
                           ) from exc
    signed = getattr(result, "signed_xml", None)
    want = f"{{{SAMLP}}}Response" if cfg.response_signed else f"{{{SAML}}}Assertion"
    if signed is None or signed.tag != want:
        raise SamlRejected("bad_signature", "The SAML signature covers the wrong element.")
    return signed


def _time(value: str | None, what: str) -> datetime | None:
    if value is None:
        return None
    try:
        at = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise SamlRejected("malformed", f"The SAML response has a malformed {what}.") from exc
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _text(element: Any) -> str:
    return "".join(element.itertext()).strip()


def _status_ok(response: Any) -> bool:
    code = response.find("samlp:Status/samlp:StatusCode", _NS)
    return code is not None and code.get("Value") == SUCCESS


def _check_window(assertion: Any, cfg: SamlSettings, acs: str, request_id: str,
                  now: datetime, *, need_in_response_to: bool) -> None:
    skew = timedelta(seconds=CLOCK_SKEW_S)
    conditions = assertion.find("saml:Conditions", _NS)
    if conditions is None:
        raise SamlRejected("no_conditions", "The SAML assertion has no conditions.")
    not_before = _time(conditions.get("NotBefore"), "NotBefore")
    not_after = _time(conditions.get("NotOnOrAfter"), "NotOnOrAfter")
    if not_before is not None and now + skew < not_before:
        raise SamlRejected("not_yet_valid", "The SAML assertion is not valid yet.")
    if not_after is not None and now - skew >= not_after:
        raise SamlRejected("expired", "The SAML assertion has expired.")
    restrictions = conditions.findall("saml:AudienceRestriction", _NS)
    if not restrictions or any(
            cfg.issuer not in [_text(a) for a in r.findall("saml:Audience", _NS)]
            for r in restrictions):
        raise SamlRejected("wrong_audience", "The SAML assertion is for another audience.")
    bearer = [c for c in assertion.findall("saml:Subject/saml:SubjectConfirmation", _NS)
              if c.get("Method") == BEARER]
    for confirmation in bearer:
        data = confirmation.find("saml:SubjectConfirmationData", _NS)
        if data is None:
            continue
        until = _time(data.get("NotOnOrAfter"), "NotOnOrAfter")
        if until is None or now - skew >= until:
            continue
        if data.get("Recipient") != acs:
            continue
        answered = data.get("InResponseTo")
        if answered is None and need_in_response_to:
            continue
        if answered is not None and not hmac.compare_digest(answered, request_id):
            continue
        if data.get("NotBefore") is not None:
            continue  # a bearer confirmation may not have NotBefore (SAML profiles 4.1.4.2)
        return
    reasons = [c.find("saml:SubjectConfirmationData", _NS) for c in bearer]
    if any(d is not None and d.get("Recipient") not in (None, acs) for d in reasons):
        raise SamlRejected("wrong_destination", "The SAML assertion is for another service.")
    if any(d is not None and (d.get("InResponseTo") not in (None, request_id) or (
            d.get("InResponseTo") is None and need_in_response_to)) for d in reasons):
        raise SamlRejected("in_response_to", "The SAML response answers another request.")
    raise SamlRejected("expired", "The SAML assertion has no valid bearer confirmation.")


def verify_response(cfg: SamlSettings, acs: str, request_id: str, xml: bytes,
                    now: datetime | None = None) -> SamlIdentity:
    """Check a decoded Response (see the module docstring); the subject it asserts."""
    now = now or datetime.now(UTC)
    posted = _parse(xml)
    # Refusals the posted tree can justify on its own: these never grant anything.
    if posted.find("saml:EncryptedAssertion", _NS) is not None:
        raise SamlRejected("encrypted", "Encrypted SAML assertions are not supported.")
    if not _status_ok(posted):
        raise SamlRejected("status", "The identity provider did not sign you in.")
    if len(posted.findall("saml:Assertion", _NS)) != 1:
        raise SamlRejected("assertion_count", "The SAML response must hold one assertion.")
    destination = posted.get("Destination")
    if destination is not None and destination != acs:
        raise SamlRejected("wrong_destination", "The SAML response is for another service.")

    signed = _verified(xml, cfg)
    # The signature must cover the element that holds it, where it was posted: a signed
    # element moved elsewhere in the document (signature wrapping) is refused outright.
    holder = posted if cfg.response_signed else posted.find("saml:Assertion", _NS)
    if holder is None or holder.get("ID") != signed.get("ID"):
        raise SamlRejected("wrapped", "The SAML signature covers another element.")
    if cfg.response_signed:
        response = signed
        if response.get("Destination") != acs:
            raise SamlRejected("wrong_destination",
                               "The SAML response is for another service.")
        answered = response.get("InResponseTo") or ""
        if not hmac.compare_digest(answered, request_id):
            raise SamlRejected("in_response_to", "The SAML response answers another request.")
        if not _status_ok(response):
            raise SamlRejected("status", "The identity provider did not sign you in.")
        assertions = response.findall("saml:Assertion", _NS)
        if len(assertions) != 1:
            raise SamlRejected("assertion_count",
                               "The SAML response must hold one assertion.")
        assertion = assertions[0]
    else:
        assertion = signed
    _check_window(assertion, cfg, acs, request_id, now,
                  need_in_response_to=not cfg.response_signed)
    name_id = assertion.find("saml:Subject/saml:NameID", _NS)
    if name_id is None or not _text(name_id):
        raise SamlRejected("no_subject", "The SAML assertion names no subject.")
    attributes: dict[str, list[str]] = {}
    for attribute in assertion.findall("saml:AttributeStatement/saml:Attribute", _NS):
        values = [_text(v) for v in attribute.findall("saml:AttributeValue", _NS)]
        for key in {attribute.get("Name"), attribute.get("FriendlyName")}:
            if key:
                attributes.setdefault(key, []).extend(v for v in values if v)
    return SamlIdentity(name_id=_text(name_id)[:512], attributes=attributes)


def profile(cfg: SamlSettings, identity: SamlIdentity) -> Profile:
    """Email, username, name and picture, by the configured claims or the usual names."""

    def claim(configured: str | None, defaults: tuple[str, ...]) -> str | None:
        for key in ((configured,) if configured else ()) + defaults:
            values = identity.attributes.get(key) or []
            if values:
                return values[0]
        return None

    email = claim(cfg.email_claim, EMAIL_NAMES)
    if email is None and "@" in identity.name_id:
        email = identity.name_id
    username = claim(cfg.username_claim, USERNAME_NAMES)
    given = claim(cfg.given_name_claim, GIVEN_NAMES)
    family = claim(cfg.family_name_claim, FAMILY_NAMES)
    if cfg.name_claim:
        name = claim(cfg.name_claim, ())
    else:
        name = " ".join(p for p in (given, family) if p) or username or email
    return Profile(name_id=identity.name_id, email=email.strip().lower() if email else None,
                   username=(username or given or email or None),
                   name=name, picture=claim(cfg.picture_claim, PICTURE_NAMES))


# ---- the callback -------------------------------------------------------------------------

def audit_failure(deps: IdentityDeps, client: Client, reason: str) -> None:
    with deps.store.unit_of_work(deps.tenant_id) as uow:
        uow.record(AuditEvent(action="auth.login_failed", actor=client.actor(),
                              outcome="failure",
                              metadata={"reason": reason, "method": PROVIDER}))
        uow.commit()


def finish(deps: IdentityDeps, client: Client, encoded: str, relay_state: str,
           flow_cookie: str | None, replay: ReplayGuard,
           now: Callable[[], datetime] | None = None) -> auth.LoginResult:
    """Verify the posted Response against this browser's request and sign its account in."""
    cfg = settings_of(deps)
    try:
        if not flow_cookie:
            raise SamlRejected("no_flow", "The sign-in flow has expired; start again.")
        try:
            flow = verify_flow_token(deps.jwt_secret, flow_cookie)
        except Unauthorized as exc:
            raise SamlRejected("no_flow", "The sign-in flow has expired; start again.") from exc
        if flow.provider != PROVIDER or not hmac.compare_digest(flow.state, relay_state):
            raise SamlRejected("state_mismatch",
                               "The sign-in flow does not match; start again.")
        acs = callback_url(deps)
        identity = verify_response(cfg, acs, flow.nonce, decode_response(encoded),
                                   now() if now else None)
        if not replay.first_use(f"saml:answered:{deps.tenant_id}:{flow.nonce}",
                                FLOW_TOKEN_TTL_S + CLOCK_SKEW_S):
            raise SamlRejected("replayed", "This SAML response has already been used.")
    except SamlRejected as exc:
        audit_failure(deps, client, exc.reason)
        raise
    user = account_for(deps, client, cfg, profile(cfg, identity))
    return auth.finish_sign_in(deps, client, user, method=PROVIDER)


def _refuse(deps: IdentityDeps, client: Client, reason: str, error: Forbidden) -> Forbidden:
    audit_failure(deps, client, reason)
    return error


def account_for(deps: IdentityDeps, client: Client, cfg: SamlSettings, who: Profile
                ) -> User:
    """The account of ``who``: by ``samlId``, by the email of a SAML account, or new."""
    email = who.email
    if not email:
        raise _refuse(deps, client, "no_email", Forbidden(
            "The identity provider sent no email address.", code="SAML_NO_EMAIL"))
    if not auth.domain_allowed(deps.settings, email):
        raise _refuse(deps, client, "domain_not_allowed", Forbidden(
            "Email domain not allowed.", code="EMAIL_DOMAIN_NOT_ALLOWED"))
    other_provider = False
    with deps.store.unit_of_work(deps.tenant_id) as uow:
        user = uow.users.find_one({LINK_FIELD: who.name_id, **holds.VISIBLE})
        if user is None:
            user = users.find_by_email(uow, email)
            if user is not None and user.provider != PROVIDER:
                other_provider, user = True, None
        if user is not None:
            changes: dict[str, Any] = {LINK_FIELD: who.name_id}
            if who.name:
                changes["name"] = who.name[:128]
            user = uow.users.update(user.id, changes) or user
        elif not other_provider and _may_register(deps, email):
            user = users.create(uow, settings=deps.settings, email=email,
                                name=(who.name or None) and who.name[:128],
                                username=(who.username or None) and who.username[:128],
                                provider=PROVIDER, password_hash=None, email_verified=True,
                                links={LINK_FIELD: who.name_id})
            uow.record(AuditEvent(action="auth.register", actor=client.actor(user.id),
                                  targetType="user", targetId=user.id,
                                  metadata={"provider": PROVIDER, "role": user.role}))
        uow.commit()
    if user is not None:
        return user
    if other_provider:
        raise _refuse(deps, client, "provider_mismatch", Forbidden(
            "An account with this email signs in another way.", code="AUTH_FAILED"))
    raise _refuse(deps, client, "registration_closed", Forbidden(
        "No account matches this sign-in and new accounts cannot be created this way.",
        code="REGISTRATION_DISABLED"))


def _may_register(deps: IdentityDeps, email: str) -> bool:
    settings = deps.settings
    return (settings.auth.allow_social_registration and settings.allow_registration
            and auth.domain_allowed(settings, email))
