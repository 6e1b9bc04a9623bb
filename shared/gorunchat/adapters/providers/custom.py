"""Custom OpenAI-compatible endpoints from ``gorunchat.yaml`` ``endpoints.custom``.

The shape is ``librechat.yaml``'s: ``name``, ``apiKey`` (``${ENV_NAME}`` or
``user_provided``), ``baseURL`` (a URL, ``${ENV_NAME}`` or ``user_provided``), ``models``
(``default``, ``fetch``), ``titleConvo``/``titleModel``, ``headers`` (values may use
``${ENV_NAME}``), ``addParams`` and ``dropParams``. Each endpoint is served by the Chat
Completions adapter with those settings applied.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from gorunchat.adapters.providers.credentials import CredentialSource, KeyLookup
from gorunchat.adapters.providers.openai_chat import OpenAIChatProvider, OpenAIConfig
from gorunchat.contracts.appconfig import CustomEndpoint

_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def expand(value: str, env: Mapping[str, str]) -> str:
    """``${NAME}`` replaced by the environment's value ('' when unset)."""
    return _ENV.sub(lambda m: env.get(m.group(1), ""), value)


def custom_config(endpoint: CustomEndpoint, env: Mapping[str, str],
                  lookup: KeyLookup | None) -> OpenAIConfig:
    """The adapter configuration of one ``endpoints.custom`` entry."""
    source = CredentialSource(endpoint=endpoint.name, api_key=expand(endpoint.apiKey, env),
                              base_url=expand(endpoint.baseURL, env) or None, lookup=lookup)
    return OpenAIConfig(
        credentials=source, label=endpoint.modelDisplayLabel or endpoint.name,
        headers={k: expand(v, env) for k, v in endpoint.headers.items()},
        add_params=dict(endpoint.addParams), drop_params=tuple(endpoint.dropParams))


def custom_provider(endpoint: CustomEndpoint, env: Mapping[str, str],
                    lookup: KeyLookup | None) -> OpenAIChatProvider:
    return OpenAIChatProvider(custom_config(endpoint, env, lookup))
