"""Helpers for the provider tests: build adapters against loopback servers, drain streams."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from gorunchat.adapters.providers.anthropic import AnthropicConfig, AnthropicProvider
from gorunchat.adapters.providers.credentials import CredentialSource
from gorunchat.adapters.providers.google import GoogleConfig, GoogleProvider
from gorunchat.adapters.providers.openai_chat import OpenAIChatProvider, OpenAIConfig
from gorunchat.adapters.providers.openai_responses import OpenAIResponsesProvider
from gorunchat.contracts.chat import GenerationParameters
from gorunchat.ports.provider import (
    ProviderEvent,
    ProviderMessage,
    ProviderRequest,
    TextPart,
)


def request(model: str, *texts: str, system: str | None = None, previous: str | None = None,
            **params: object) -> ProviderRequest:
    roles = ["user", "assistant"]
    return ProviderRequest(
        endpoint="test", model=model, system=system, user="u1", tenant="default",
        previousResponseId=previous,
        messages=[ProviderMessage(role=roles[i % 2],  # type: ignore[arg-type]
                                  parts=[TextPart(text=t)]) for i, t in enumerate(texts)],
        parameters=GenerationParameters.model_validate(params))


def drain(stream: AsyncIterator[ProviderEvent]) -> list[ProviderEvent]:
    async def run() -> list[ProviderEvent]:
        return [event async for event in stream]
    return asyncio.run(run())


def openai_config(url: str, **extra: object) -> OpenAIConfig:
    return OpenAIConfig(credentials=CredentialSource("openAI", "sk-test", url + "/v1"),
                        **extra)  # type: ignore[arg-type]


def chat_provider(url: str, **extra: object) -> OpenAIChatProvider:
    return OpenAIChatProvider(openai_config(url, **extra))


def responses_provider(url: str, **extra: object) -> OpenAIResponsesProvider:
    return OpenAIResponsesProvider(openai_config(url, **extra))


def anthropic_provider(url: str, attempts: int = 3) -> AnthropicProvider:
    return AnthropicProvider(AnthropicConfig(CredentialSource("anthropic", "sk-ant-test"),
                                             base_url=url, attempts=attempts))


def google_provider(url: str, attempts: int = 3, timeout_s: float = 600.0
                    ) -> GoogleProvider:
    return GoogleProvider(GoogleConfig(CredentialSource("google", "g-test"), base_url=url,
                                       attempts=attempts, timeout_s=timeout_s))
