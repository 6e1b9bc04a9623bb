"""Verify the OIDC token Cloud Tasks (and Cloud Scheduler) attach to a task request.

The token is a Google-signed ID token: its signature is checked against Google's published
certificates (cached for their ``max-age``), then its audience must be the tasks function's
URL and its ``email`` the invoker service account, verified. Anything else is 401.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from typing import Any

from google.auth import exceptions as gauth_exc
from google.auth import transport
from google.oauth2 import id_token

from gorunchat.contracts.errors import Unauthorized

GOOGLE_CERTS_URL = "https://www.googleapis.com/oauth2/v1/certs"


class CachingRequest(transport.Request):
    """A google-auth transport that keeps certificate responses for ``ttl_s`` seconds."""

    def __init__(self, inner: transport.Request | None = None, ttl_s: float = 3600.0) -> None:
        if inner is None:
            from google.auth.transport.requests import Request

            inner = Request()
        self._inner = inner
        self._ttl = ttl_s
        self._cache: dict[str, tuple[float, transport.Response]] = {}
        self._lock = threading.Lock()

    def __call__(self, url: str, method: str = "GET", body: Any = None,
                 headers: Mapping[str, str] | None = None, timeout: Any = None,
                 **kwargs: Any) -> transport.Response:
        if method != "GET":
            passed: transport.Response = self._inner(url, method=method, body=body,
                                                     headers=headers, timeout=timeout, **kwargs)
            return passed
        with self._lock:
            hit = self._cache.get(url)
            if hit is not None and hit[0] > time.monotonic():
                return hit[1]
        response: transport.Response = self._inner(url, method=method, headers=headers,
                                                   timeout=timeout, **kwargs)
        if response.status == 200:
            with self._lock:
                self._cache[url] = (time.monotonic() + self._ttl, response)
        return response


class TaskTokenVerifier:
    """Checks ``Authorization: Bearer <id token>`` of a task request."""

    def __init__(self, invoker_email: str, request: transport.Request | None = None,
                 certs_url: str = GOOGLE_CERTS_URL) -> None:
        self._email = invoker_email
        self._request = request or CachingRequest()
        self._certs_url = certs_url

    def verify(self, token: str, audiences: list[str]) -> Mapping[str, Any]:
        """The token's claims; ``Unauthorized`` unless signature, audience and email hold."""
        try:
            claims: Mapping[str, Any] = id_token.verify_token(
                token, self._request, audience=audiences, certs_url=self._certs_url,
                clock_skew_in_seconds=10)
        except (ValueError, gauth_exc.GoogleAuthError) as exc:
            raise Unauthorized("The task token is not valid.", code="TASK_UNAUTHORIZED") from exc
        if claims.get("email") != self._email or not claims.get("email_verified"):
            raise Unauthorized("The task token is not from the task invoker.",
                               code="TASK_UNAUTHORIZED")
        return claims
