"""Google client errors translated at the adapter boundary, in one place."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from gorunchat.contracts.errors import NotFound, ServiceUnavailable


@contextmanager
def translated(missing: NotFound, unavailable: ServiceUnavailable) -> Iterator[None]:
    """Raise ``missing`` for a 404 and ``unavailable`` for any other Google API, auth or
    transport failure (each chained to the driver error)."""
    from google.api_core import exceptions as api
    from google.auth.exceptions import GoogleAuthError
    from requests import RequestException

    try:
        yield
    except api.NotFound as exc:
        raise missing from exc
    except (api.GoogleAPIError, GoogleAuthError, RequestException) as exc:
        raise unavailable from exc
