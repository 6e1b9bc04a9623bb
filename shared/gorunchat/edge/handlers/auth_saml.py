"""Handlers of ``/oauth/saml``: the redirect to the IdP and the HTTP-POST callback.

Like the OAuth routes these answer browser navigations, so every outcome is a redirect: to
the IdP, to the client (``/c/new`` signed in, ``/login/2fa`` when a second factor is due),
or through ``/oauth/error`` to the client's login page with the reason. The flow cookie is
``SameSite=None`` (and ``Secure``): the IdP posts its answer from another site, and a
``Lax`` cookie would not come along with that POST.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Response
from werkzeug.exceptions import BadRequest as WerkzeugBadRequest
from werkzeug.exceptions import RequestEntityTooLarge

from gorunchat.contracts.errors import GoRunChatError
from gorunchat.edge import identity
from gorunchat.edge.context import RequestContext
from gorunchat.edge.handlers.auth_oauth import _redirect, _to_error
from gorunchat.edge.ratelimit import guard
from gorunchat.edge.registry import handles
from gorunchat.services import auth, saml
from gorunchat.services.saml_xml import MAX_RESPONSE_CHARS, SamlRejected

FLOW_COOKIE = "gorunchat_saml"
FLOW_PATH = "/oauth/saml"
#: The whole form body: the bounded ``SAMLResponse`` plus ``RelayState`` and framing.
MAX_FORM_BYTES = MAX_RESPONSE_CHARS + 4096


def _replay_guard(ctx: RequestContext) -> saml.ReplayGuard:
    if ctx.container.settings.redis_url:
        return saml.RedisReplayGuard(ctx.container.redis)
    return saml.LOCAL_REPLAY_GUARD


def _form(ctx: RequestContext) -> tuple[str, str]:
    """``SAMLResponse`` and ``RelayState`` of the posted form, read within the bound."""
    request = ctx.request
    if request.content_length is not None and request.content_length > MAX_FORM_BYTES:
        raise SamlRejected("too_large", "The SAML response is too large.")
    request.max_content_length = MAX_FORM_BYTES
    request.max_form_memory_size = MAX_FORM_BYTES
    try:
        form = request.form
        encoded, relay = form.get("SAMLResponse", ""), form.get("RelayState", "")
    except RequestEntityTooLarge as exc:
        raise SamlRejected("too_large", "The SAML response is too large.") from exc
    except WerkzeugBadRequest as exc:
        raise SamlRejected("malformed", "The SAML form is malformed.") from exc
    if not encoded:
        raise SamlRejected("malformed", "The identity provider sent no SAML response.")
    return encoded, relay[:512]


@handles("auth.oauth_saml")
def saml_start(ctx: RequestContext) -> Response:
    guard(ctx, "login")
    url, flow = saml.start(identity.deps(ctx))
    response = _redirect(url, code=302)
    response.set_cookie(FLOW_COOKIE, flow, max_age=600, path=FLOW_PATH, secure=True,
                        httponly=True, samesite="None")
    return response


@handles("auth.oauth_saml_callback")
def saml_callback(ctx: RequestContext) -> Response:
    deps = identity.deps(ctx)
    saml.settings_of(deps)  # 404 when SAML is not configured, before reading anything
    identity.on_response(lambda r: r.delete_cookie(FLOW_COOKIE, path=FLOW_PATH, secure=True,
                                                   httponly=True, samesite="None"))
    client = identity.client(ctx)
    try:
        guard(ctx, "login")
        try:
            encoded, relay = _form(ctx)
        except SamlRejected as exc:
            saml.audit_failure(deps, client, exc.reason)
            raise
        result = saml.finish(deps, client, encoded, relay,
                             identity.cookie(ctx, FLOW_COOKIE), _replay_guard(ctx))
    except GoRunChatError as exc:
        return _to_error(ctx, "auth_failed", exc.message)
    domain = ctx.container.settings.domain_client.rstrip("/")
    if isinstance(result, auth.TwoFactorChallenge):
        return _redirect(f"{domain}/login/2fa?" + urlencode({"tempToken": result.temp_token}),
                         code=302)
    identity.set_refresh_cookie(result)
    return _redirect(f"{domain}/c/new", code=302)
