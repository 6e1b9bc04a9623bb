"""SAML 2.0 sign-in against a test IdP (``tests/fixtures/saml_idp.py``).

The test plays the browser: it starts at ``/oauth/saml``, reads the AuthnRequest out of the
redirect, has the test IdP answer it, and posts the answer to the mounted ``auth`` function.
Every refusal must end on the login error page with no account, no session and no refresh
cookie left behind.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from lxml import etree

from gorunchat.contracts.errors import ServiceUnavailable
from gorunchat.domain.authtokens import FlowState, issue_flow_token
from gorunchat.services import saml_xml
from tests.fixtures.saml_idp import (
    SAML,
    AuthnRequest,
    SamlIdp,
    clone,
    encode,
    make_keypair,
    read_request,
)
from tests.identity.conftest import Identity
from tests.routes.conftest import mounted

ISSUER = "https://chat.example.test/saml"
EMAIL = "ada@example.org"


@pytest.fixture(scope="module")
def idp() -> SamlIdp:
    return SamlIdp()


def _env(idp: SamlIdp, **extra: str) -> dict[str, str]:
    return {"SAML_ENTRY_POINT": idp.sso_url, "SAML_ISSUER": ISSUER,
            "SAML_CERT": idp.keys.cert_pem.decode(), "ALLOW_SOCIAL_REGISTRATION": "true",
            "ALLOW_SOCIAL_LOGIN": "true", **extra}


@pytest.fixture
def sp(identity_factory: Callable[..., Identity], idp: SamlIdp) -> Identity:
    return identity_factory(**_env(idp))


def acs(ident: Identity) -> str:
    return ident.container.settings.domain_server.rstrip("/") + "/oauth/saml/callback"


def begin(ident: Identity) -> AuthnRequest:
    start = ident.auth.get("/oauth/saml")
    assert start.status_code == 302, start.data
    cookie = next(c for c in start.headers.getlist("Set-Cookie")
                  if c.startswith("gorunchat_saml="))
    assert "SameSite=None" in cookie and "Secure" in cookie and "HttpOnly" in cookie
    return read_request(start.headers["Location"])


def answer(ident: Identity, idp: SamlIdp, request: AuthnRequest, **kw: Any) -> Any:
    kw.setdefault("email", EMAIL)
    kw.setdefault("audience", ISSUER)
    kw.setdefault("acs_url", acs(ident))
    return idp.response(request_id=request.id, **kw)


def post(ident: Identity, response: Any, relay: str) -> Any:
    value = response if isinstance(response, str) else encode(response)
    return ident.auth.post("/oauth/saml/callback",
                           data={"SAMLResponse": value, "RelayState": relay})


def client_url(ident: Identity) -> str:
    return ident.container.settings.domain_client.rstrip("/")


def counts(ident: Identity) -> tuple[int, int]:
    with ident.container.store.unit_of_work("default", readonly=True) as uow:
        return uow.users.count({}), uow.sessions.count({})


def assert_signed_in(ident: Identity, response: Any) -> dict[str, Any]:
    assert response.status_code == 302
    assert response.headers["Location"] == f"{client_url(ident)}/c/new"
    cookies = response.headers.getlist("Set-Cookie")
    assert any(c.startswith("refreshToken=") and "SameSite=Strict" in c for c in cookies)
    refreshed = ident.auth.post("/api/auth/refresh")
    assert refreshed.status_code == 200
    user: dict[str, Any] = refreshed.json["user"]
    return user


def assert_refused(ident: Identity, response: Any, before: tuple[int, int] = (0, 0)) -> str:
    assert response.status_code == 302, response.data
    location = urlparse(response.headers["Location"])
    assert location.path == "/oauth/error"
    query = parse_qs(location.query)
    assert query["error"] == ["auth_failed"]
    assert not any(c.startswith("refreshToken=")
                   for c in response.headers.getlist("Set-Cookie"))
    assert counts(ident) == before
    assert ident.actions()[-1] == "auth.login_failed"
    return query["message"][0]


def last_failure_reason(ident: Identity) -> str:
    record = [r for r in ident.container.store.audit_log("default").records()
              if r.action == "auth.login_failed"][-1]
    return str(record.metadata["reason"])


# ---- the full sign-in ---------------------------------------------------------------------

def test_redirect_carries_a_deflated_authn_request(sp: Identity, idp: SamlIdp) -> None:
    request = begin(sp)

    assert request.issuer == ISSUER
    assert request.acs_url == acs(sp)
    assert request.destination == idp.sso_url
    assert request.root.tag == "{urn:oasis:names:tc:SAML:2.0:protocol}AuthnRequest"
    assert request.root.get("ProtocolBinding").endswith("HTTP-POST")
    assert request.id.startswith("_") and len(request.id) > 20
    assert len(request.relay_state) >= 24


def test_sign_in_creates_the_account_and_the_second_finds_it(sp: Identity,
                                                             idp: SamlIdp) -> None:
    request = begin(sp)
    response = post(sp, answer(sp, idp, request, name_id="ada-nameid", attributes={
        "given_name": "Ada", "family_name": "Lovelace", "username": "ada"}),
        request.relay_state)

    user = assert_signed_in(sp, response)
    assert (user["email"], user["provider"], user["emailVerified"]) == (
        EMAIL, "saml", True)
    assert (user["name"], user["username"]) == ("Ada Lovelace", "ada")
    assert sp.actions()[-3:-1] == ["auth.register", "auth.login"]
    with sp.container.store.unit_of_work("default", readonly=True) as uow:
        stored = uow.users.find_one({"samlId": "ada-nameid"})
    assert stored is not None and stored.email == EMAIL

    again = begin(sp)
    second = post(sp, answer(sp, idp, again, name_id="ada-nameid"), again.relay_state)
    assert assert_signed_in(sp, second)["id"] == user["id"]
    assert counts(sp)[0] == 1


def test_response_signed_mode(identity_factory: Callable[..., Identity],
                              idp: SamlIdp) -> None:
    ident = identity_factory(**_env(idp, SAML_USE_AUTHN_RESPONSE_SIGNED="true",
                                    SAML_CERT=idp.keys.cert_body,
                                    SAML_EMAIL_CLAIM="urn:oid:0.9.2342.19200300.100.1.3"))
    request = begin(ident)
    ok = post(ident, answer(ident, idp, request, sign="response", attributes={
        "urn:oid:0.9.2342.19200300.100.1.3": "grace@example.org"}), request.relay_state)
    assert assert_signed_in(ident, ok)["email"] == "grace@example.org"

    # In this mode a signed assertion alone is not enough.
    request = begin(ident)
    before = counts(ident)
    refused = post(ident, answer(ident, idp, request, sign="assertion"), request.relay_state)
    assert_refused(ident, refused, before)


def test_certificate_from_a_file(identity_factory: Callable[..., Identity], idp: SamlIdp,
                                 tmp_path: Any) -> None:
    cert = tmp_path / "idp.pem"
    cert.write_bytes(idp.keys.cert_pem)
    ident = identity_factory(**_env(idp, SAML_CERT=str(cert)))
    request = begin(ident)
    assert_signed_in(ident, post(ident, answer(ident, idp, request), request.relay_state))


def test_certificate_forms(idp: SamlIdp, tmp_path: Any) -> None:
    """PEM (also with the literal ``\\n`` of a one-line .env), a bare body, a file."""
    pem = idp.keys.cert_pem.decode()
    path = tmp_path / "cert.pem"
    path.write_text(pem)
    forms = [pem, pem.replace("\n", "\\n"), idp.keys.cert_body, str(path)]
    serials = {saml_xml.certificate(form).serial_number for form in forms}
    assert len(serials) == 1
    with pytest.raises(ServiceUnavailable):
        saml_xml.certificate("/no/such/file.pem")


def test_startup_config_shows_saml(sp: Identity) -> None:
    config = mounted("config").get("/api/config").json
    assert config["samlLoginEnabled"] is True
    assert config["samlLabel"] == "Continue with SAML"


def test_two_factor_users_get_the_challenge(sp: Identity, idp: SamlIdp) -> None:
    request = begin(sp)
    assert_signed_in(sp, post(sp, answer(sp, idp, request), request.relay_state))
    with sp.container.store.unit_of_work("default") as uow:
        user = uow.users.find_one({"email": EMAIL})
        assert user is not None
        uow.users.update(user.id, {"twoFactorEnabled": True})
        uow.commit()
    request = begin(sp)
    response = post(sp, answer(sp, idp, request), request.relay_state)
    assert urlparse(response.headers["Location"]).path == "/login/2fa"


# ---- refusals ---------------------------------------------------------------------------

def _wrapped(ident: Identity, idp: SamlIdp, request: AuthnRequest) -> Any:
    """A genuine signed assertion for ada plus an injected, unsigned one for mallory."""
    response = answer(ident, idp, request)
    evil = idp.assertion(request_id=request.id, acs_url=acs(ident), audience=ISSUER,
                         name_id="mallory@example.org",
                         attributes={"email": "mallory@example.org"},
                         assertion_id="_evil")
    response.insert(2, evil)
    return response


def _relocated(ident: Identity, idp: SamlIdp, request: AuthnRequest) -> Any:
    """The evil assertion carries the genuine signature, whose reference now points at the
    genuine assertion tucked away in ``samlp:Extensions``."""
    genuine = idp.signed_assertion(request_id=request.id, acs_url=acs(ident),
                                   audience=ISSUER, name_id=EMAIL,
                                   attributes={"email": EMAIL})
    evil = idp.assertion(request_id=request.id, acs_url=acs(ident), audience=ISSUER,
                         name_id="mallory@example.org",
                         attributes={"email": "mallory@example.org"},
                         assertion_id="_evil")
    signature = genuine.find("{http://www.w3.org/2000/09/xmldsig#}Signature")
    genuine.remove(signature)
    evil.insert(1, signature)
    response = idp.response(request_id=request.id, acs_url=acs(ident), audience=ISSUER,
                            email=EMAIL, sign="none", assertion=evil)
    extensions = etree.Element("{urn:oasis:names:tc:SAML:2.0:protocol}Extensions")
    extensions.append(genuine)
    response.insert(1, extensions)
    return response


def _tampered(ident: Identity, idp: SamlIdp, request: AuthnRequest) -> Any:
    response = answer(ident, idp, request)
    value = response.find(f".//{{{SAML}}}AttributeValue")
    value.text = "mallory@example.org"
    response.find(f".//{{{SAML}}}NameID").text = "mallory@example.org"
    return response


def _other_key(ident: Identity, idp: SamlIdp, request: AuthnRequest) -> Any:
    return answer(ident, idp, request, signer=make_keypair("impostor"))


NOW = datetime.now(UTC)
Build = Callable[[Identity, SamlIdp, AuthnRequest], Any]
#: case -> (the IdP's answer, the reason the audit log must give)
REFUSALS: dict[str, tuple[Build, str]] = {
    "unsigned": (lambda i, p, r: answer(i, p, r, sign="none"), "bad_signature"),
    "other_key": (_other_key, "bad_signature"),
    "tampered": (_tampered, "bad_signature"),
    "wrapping": (_wrapped, "assertion_count"),
    "wrapping_relocated": (_relocated, "wrapped"),
    "wrong_audience": (lambda i, p, r: answer(i, p, r, audience="https://other.example/sp"),
                       "wrong_audience"),
    "wrong_recipient": (lambda i, p, r: answer(i, p, r, acs_url="https://evil.example/acs"),
                        "wrong_destination"),
    "wrong_response_destination": (lambda i, p, r: answer(
        i, p, r, destination="https://evil.example/acs"), "wrong_destination"),
    "expired": (lambda i, p, r: answer(
        i, p, r, now=NOW - timedelta(hours=1), not_on_or_after=NOW - timedelta(minutes=10),
        confirmation_until=NOW - timedelta(minutes=10)), "expired"),
    "confirmation_expired": (lambda i, p, r: answer(
        i, p, r, confirmation_until=NOW - timedelta(minutes=10)), "expired"),
    "not_yet_valid": (lambda i, p, r: answer(i, p, r, not_before=NOW + timedelta(minutes=10)),
                      "not_yet_valid"),
    "unknown_request": (lambda i, p, r: p.response(
        request_id="_someone-elses-request", acs_url=acs(i), audience=ISSUER, email=EMAIL),
        "in_response_to"),
    "unsolicited": (lambda i, p, r: p.response(
        request_id=None, acs_url=acs(i), audience=ISSUER, email=EMAIL), "in_response_to"),
    "status_failed": (lambda i, p, r: answer(
        i, p, r, status="urn:oasis:names:tc:SAML:2.0:status:Requester"), "status"),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_refusals_leave_nothing_behind(sp: Identity, idp: SamlIdp, case: str) -> None:
    request = begin(sp)
    build, reason = REFUSALS[case]
    response = post(sp, build(sp, idp, request), request.relay_state)
    assert_refused(sp, response)
    assert last_failure_reason(sp) == reason


def test_only_the_signed_assertion_is_read(sp: Identity, idp: SamlIdp) -> None:
    """Past the refusals on the posted tree, the verifier's signed copy is what is read:
    in the relocated wrapping it is the genuine assertion, never the injected one."""
    request = begin(sp)
    xml = etree.tostring(_relocated(sp, idp, request))
    signed = saml_xml._verified(xml, sp.container.settings.auth.saml)
    assert signed.get("ID") == "_assertion-1"
    assert signed.find(f"{{{SAML}}}Subject/{{{SAML}}}NameID").text == EMAIL


def test_response_signed_refusals(identity_factory: Callable[..., Identity],
                                  idp: SamlIdp) -> None:
    ident = identity_factory(**_env(idp, SAML_USE_AUTHN_RESPONSE_SIGNED="true"))
    cases = {
        "status": dict(status="urn:oasis:names:tc:SAML:2.0:status:Responder"),
        "wrong_destination": dict(destination="https://evil.example/acs"),
        "bad_signature": dict(sign="none"),
    }
    for reason, kw in cases.items():
        request = begin(ident)
        response = post(ident, answer(ident, idp, request, **{"sign": "response", **kw}),
                        request.relay_state)
        assert_refused(ident, response)
        assert last_failure_reason(ident) == reason


def test_replayed_response_is_refused(sp: Identity, idp: SamlIdp) -> None:
    request = begin(sp)
    signed = answer(sp, idp, request)
    assert_signed_in(sp, post(sp, clone(signed), request.relay_state))
    before = counts(sp)
    # the same flow cookie (the callback cleared it; a thief kept it) and the same answer
    cookie = issue_flow_token(sp.container.jwt_secret, FlowState(
        provider="saml", state=request.relay_state, nonce=request.id, verifier=""))
    sp.auth.set_cookie("gorunchat_saml", cookie, path="/oauth/saml")
    replay = post(sp, signed, request.relay_state)
    assert_refused(sp, replay, before)
    assert last_failure_reason(sp) == "replayed"


def test_relay_state_and_cookie_must_match(sp: Identity, idp: SamlIdp) -> None:
    request = begin(sp)
    assert_refused(sp, post(sp, answer(sp, idp, request), "forged-relay-state"))
    assert last_failure_reason(sp) == "state_mismatch"
    sp.auth.delete_cookie("gorunchat_saml", path="/oauth/saml")
    assert_refused(sp, post(sp, answer(sp, idp, request), request.relay_state))
    assert last_failure_reason(sp) == "no_flow"


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE samlp:Response [
  <!ENTITY xxe SYSTEM "file:///etc/passwd">
  <!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
]>
<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"
  xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_x" Version="2.0">
  <saml:Issuer>&xxe;&lol2;</saml:Issuer>
</samlp:Response>"""


def test_xxe_and_entities_are_refused(sp: Identity) -> None:
    request = begin(sp)
    assert_refused(sp, post(sp, base64.b64encode(XXE).decode(), request.relay_state))
    assert last_failure_reason(sp) == "dtd"


def test_xxe_inside_a_signed_response_is_refused(sp: Identity, idp: SamlIdp) -> None:
    request = begin(sp)
    xml = etree.tostring(answer(sp, idp, request))
    doctype = b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/hostname">]>'
    assert_refused(sp, post(sp, base64.b64encode(doctype + xml).decode(),
                            request.relay_state))


def test_oversized_response_is_refused(sp: Identity) -> None:
    request = begin(sp)
    huge = "A" * (saml_xml.MAX_RESPONSE_CHARS + 8)
    assert_refused(sp, post(sp, huge, request.relay_state))
    assert last_failure_reason(sp) == "too_large"


def test_garbage_is_refused(sp: Identity) -> None:
    request = begin(sp)
    assert_refused(sp, post(sp, "not base64 !!!", request.relay_state))
    assert_refused(sp, post(sp, base64.b64encode(b"<nope").decode(), request.relay_state))
    response = sp.auth.post("/oauth/saml/callback", data={"RelayState": "x"})
    assert_refused(sp, response)


def test_banned_user_is_refused(sp: Identity, idp: SamlIdp) -> None:
    request = begin(sp)
    assert_signed_in(sp, post(sp, answer(sp, idp, request), request.relay_state))
    with sp.container.store.unit_of_work("default") as uow:
        user = uow.users.find_one({"email": EMAIL})
        assert user is not None
        uow.users.update(user.id, {"banned": True})
        uow.sessions.delete_many({})
        uow.commit()
    sp.auth.delete_cookie("refreshToken", path="/api/auth")
    request = begin(sp)
    assert_refused(sp, post(sp, answer(sp, idp, request), request.relay_state), (1, 0))


def test_new_user_needs_social_registration(identity_factory: Callable[..., Identity],
                                            idp: SamlIdp) -> None:
    ident = identity_factory(**_env(idp, ALLOW_SOCIAL_REGISTRATION="false"))
    request = begin(ident)
    assert_refused(ident, post(ident, answer(ident, idp, request), request.relay_state))
    assert last_failure_reason(ident) == "registration_closed"


def test_an_account_of_another_provider_is_not_taken_over(sp: Identity,
                                                          idp: SamlIdp) -> None:
    sp.register(EMAIL)
    request = begin(sp)
    assert_refused(sp, post(sp, answer(sp, idp, request), request.relay_state), (1, 0))
    assert last_failure_reason(sp) == "provider_mismatch"


def test_saml_not_configured(ident: Identity) -> None:
    assert ident.auth.get("/oauth/saml").status_code == 404
    response = ident.auth.post("/oauth/saml/callback",
                               data={"SAMLResponse": "eA==", "RelayState": "x"})
    assert response.status_code == 404
    assert counts(ident) == (0, 0)
    config = mounted("config").get("/api/config").json
    assert config["samlLoginEnabled"] is False


def test_config_hides_saml_without_social_login(identity_factory: Callable[..., Identity],
                                                idp: SamlIdp) -> None:
    identity_factory(**_env(idp, ALLOW_SOCIAL_LOGIN="false"))
    assert mounted("config").get("/api/config").json["samlLoginEnabled"] is False
