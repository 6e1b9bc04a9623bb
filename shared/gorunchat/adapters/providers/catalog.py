"""Live model lists: ``GET {baseURL}/models`` on an OpenAI-compatible endpoint, through the
official SDK. The caller (``services.models``) caches the answer with a short TTL and falls
back to the configured defaults when the endpoint does not answer."""

from __future__ import annotations

import os

from gorunchat.adapters.providers.custom import expand

FETCH_TIMEOUT_S = 5.0


def list_models(base_url: str, api_key: str) -> list[str]:
    """The model ids the endpoint lists; ``[]`` when it fails (the defaults then apply).

    ``${NAME}`` references are filled from the process environment here, at the edge of
    the process, as ``build_providers`` does.
    """
    import openai  # only deployments that fetch live model lists pay for the SDK

    client = openai.OpenAI(api_key=expand(api_key, os.environ) or "unused",
                           base_url=expand(base_url, os.environ), max_retries=0,
                           timeout=FETCH_TIMEOUT_S)
    try:
        return sorted(model.id for model in client.models.list())
    except openai.OpenAIError:
        return []
    finally:
        client.close()
