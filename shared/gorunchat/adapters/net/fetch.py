"""Fetching a file from a URL someone else chose, through the SSRF guard.

Every hop passes the guard (pinned addresses, redirects re-checked, at most 5), the body is
read in chunks and abandoned past ``max_bytes`` whatever ``Content-Length`` claims, and the
answer must be one of the expected content types. Used for files GoRunChat pulls in on a
user's behalf, such as the profile picture an identity provider names at sign-in.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from gorunchat.adapters.net.clients import guarded_client
from gorunchat.adapters.net.ssrf import AllowList
from gorunchat.contracts.errors import BadRequest, PayloadTooLarge, ServiceUnavailable


@dataclass(frozen=True)
class Fetched:
    data: bytes
    content_type: str
    url: str  # after redirects


def _media_type(header: str | None) -> str:
    return (header or "").split(";", 1)[0].strip().lower()


async def fetch_file(url: str, allow: AllowList, *, max_bytes: int,
                     accept: tuple[str, ...] = (), timeout_s: float = 10.0) -> Fetched:
    """GET ``url`` through the guard; raises a clear error instead of returning junk.

    ``accept``: media types (``image/png``) or families (``image/``) the answer must have.
    """
    try:
        async with guarded_client(allow, timeout=timeout_s) as client, \
                client.stream("GET", url) as response:
            if response.status_code >= 400:
                raise ServiceUnavailable(f"{url} answered {response.status_code}.",
                                         code="REMOTE_FILE_UNAVAILABLE")
            kind = _media_type(response.headers.get("content-type"))
            if accept and not any(kind == a or (a.endswith("/") and kind.startswith(a))
                                  for a in accept):
                raise BadRequest(f"{url} is {kind or 'of no stated type'}, not "
                                 f"{' or '.join(accept)}.", code="REMOTE_FILE_TYPE")
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise PayloadTooLarge(f"{url} is larger than {max_bytes} bytes.",
                                      code="REMOTE_FILE_TOO_LARGE")
            chunks, size = [], 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise PayloadTooLarge(f"{url} is larger than {max_bytes} bytes.",
                                          code="REMOTE_FILE_TOO_LARGE")
                chunks.append(chunk)
            return Fetched(b"".join(chunks), kind, str(response.url))
    except httpx.TooManyRedirects as exc:
        raise BadRequest(f"{url} redirects too many times.", code="URL_NOT_ALLOWED") from exc
    except httpx.HTTPError as exc:
        raise ServiceUnavailable(f"Could not fetch {url}: {exc}",
                                 code="REMOTE_FILE_UNAVAILABLE") from exc
