"""Security headers and CSRF protection of the web function.

The pages carry no inline script or style: every script and stylesheet is a file under
``/static``, so the Content-Security-Policy allows ``'self'`` only, with no nonce and no
``'unsafe-inline'``. The API is authenticated by a bearer token that the page keeps in memory
(a cross-site form cannot send it), yet every unsafe request to the web function is also
checked for a double-submit CSRF token and a same-origin ``Origin``/``Sec-Fetch-Site``, so a
future cookie-authenticated form is protected from the start.
"""

from __future__ import annotations

import hmac
import secrets
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from gorunchat.contracts.errors import Forbidden

if TYPE_CHECKING:
    from flask import Request, Response

CSRF_COOKIE = "grc_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "media-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "worker-src 'none'",
    "manifest-src 'self'",
))

PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}


def apply_headers(response: Response, secure: bool) -> None:
    """Add the page security headers (HSTS only over HTTPS) without overriding a view's."""
    for name, value in PAGE_HEADERS.items():
        response.headers.setdefault(name, value)
    if secure:
        response.headers.setdefault("Strict-Transport-Security",
                                    "max-age=31536000; includeSubDomains")


def csrf_token(request: Request) -> tuple[str, bool]:
    """This browser's CSRF token and whether it is new (then the cookie must be set)."""
    current = request.cookies.get(CSRF_COOKIE, "")
    if 32 <= len(current) <= 128 and current.replace("-", "").replace("_", "").isalnum():
        return current, False
    return secrets.token_urlsafe(32), True


def set_csrf_cookie(response: Response, token: str, secure: bool) -> None:
    """The double-submit cookie: httpOnly (the page reads its copy from a meta tag)."""
    response.set_cookie(CSRF_COOKIE, token, path="/", secure=secure, httponly=True,
                        samesite="Strict", max_age=60 * 60 * 24 * 30)


def _same_origin(request: Request) -> bool:
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("Origin")
    if origin is None or origin == "null":
        return origin is None
    # Compare hosts only: behind the load balancer the function sees http, the browser https.
    return urlsplit(origin).netloc == request.host


def check_csrf(request: Request) -> None:
    """Refuse an unsafe request that is cross-site or lacks the matching CSRF token."""
    if request.method in SAFE_METHODS:
        return
    if not _same_origin(request):
        raise Forbidden("Cross-site requests are refused.", code="CSRF_ORIGIN")
    cookie = request.cookies.get(CSRF_COOKIE, "")
    sent = request.headers.get(CSRF_HEADER, "")
    if not cookie or not sent or not hmac.compare_digest(cookie.encode(), sent.encode()):
        raise Forbidden("The CSRF token is missing or does not match; reload the page.",
                        code="CSRF_TOKEN")
