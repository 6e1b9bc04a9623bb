"""The SAML 2.0 documents of the sign-in: the AuthnRequest we send and the Response we take.

A Response is accepted only when all of this holds:

- it parses as plain XML: no DTD, no entities, no network, no huge trees, and the base64
  body is bounded (``MAX_RESPONSE_CHARS``);
- its XML signature verifies against ``SAML_CERT`` (signxml, SHA-1 refused): on the whole
  Response when ``SAML_USE_AUTHN_RESPONSE_SIGNED`` is true, on the Assertion otherwise,
  and it covers the very element that holds it;
- everything after that is read ONLY from the XML the verifier returns as signed, never from
  the tree that was posted, so a signature-wrapping attack (an extra, unsigned assertion
  beside or around the signed one) has nothing to offer. The posted tree is read only to
  refuse (more than one assertion, an encrypted assertion, a failure status, another
  destination);
- ``Destination``/``Recipient`` name our callback URL, the ``Audience`` is ``SAML_ISSUER``,
  ``Conditions`` and ``SubjectConfirmationData`` are within their validity window (with
  ``CLOCK_SKEW_S``), the status is Success, and ``InResponseTo`` is the request this
  browser sent (its single use is the caller's to enforce).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

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

from gorunchat.contracts.authconfig import SamlSettings
from gorunchat.contracts.errors import ServiceUnavailable, Unauthorized

SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
POST_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
EMAIL_FORMAT = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
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


@dataclass(frozen=True)
class SamlIdentity:
    """What a verified assertion says about its subject."""

    name_id: str
    attributes: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Profile:
    """The account fields read from an identity (``SAML_*_CLAIM`` or the usual names)."""

    name_id: str
    email: str | None
    username: str | None
    name: str | None
    picture: str | None


# ---- the IdP's certificate ---------------------------------------------------------------

def certificate(value: str) -> x509.Certificate:
    """``SAML_CERT`` as a certificate: PEM text, a bare base64 body, or a file's path."""
    try:
        # a PEM pasted into a one-line .env value often arrives with literal "\n"s
        return _certificate(value.replace("\\n", "\n").strip())
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

