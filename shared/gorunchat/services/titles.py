"""Conversation titles: after the first exchange, a short title from the configured model.

The title model sees the user's message and the reply and is asked for a few words; its
text is cleaned (quotes, trailing punctuation, at most ``MAX_WORDS`` words). Without a
title model (the offline demo endpoint), the title is derived from the user's message, so
it is deterministic. A failing title model falls back to the same derivation: a title is
never worth failing a response for.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass

from gorunchat.contracts.audit import DiscoveryEvent
from gorunchat.contracts.chat import GenerationParameters
from gorunchat.ports.provider import (
    ModelProvider,
    ProviderMessage,
    ProviderRequest,
    TextDelta,
    TextPart,
    UsageReport,
)
from gorunchat.ports.store import Store

log = logging.getLogger("gorunchat.services.titles")
MAX_WORDS = 8
TIMEOUT_S = 15.0
PROMPT = ("Write a concise title (at most 8 words, no quotes, no trailing punctuation) for "
          "the conversation below. Answer with the title only.")


@dataclass(frozen=True)
class TitlePlan:
    """How titles are made on an endpoint: ``provider`` ``None`` derives them offline."""

    provider: ModelProvider | None
    model: str


@dataclass(frozen=True)
class GeneratedTitle:
    """A title and what the title model's call used (billed with context ``title``)."""

    title: str
    usage: UsageReport | None = None


def derived_title(user_text: str) -> str:
    """The first words of the user's message (the deterministic offline title)."""
    words = re.sub(r"\s+", " ", user_text).strip().split(" ")[:MAX_WORDS]
    title = " ".join(w for w in words if w).strip(" .,:;!?\"'")
    return (title[:1].upper() + title[1:])[:80] if title else "New Chat"


def clean_title(text: str) -> str:
    title = re.sub(r"\s+", " ", text).strip().strip("\"'`*# ").rstrip(".!?,;:")
    return " ".join(title.split(" ")[:MAX_WORDS])[:80]


async def generate_title(provider: ModelProvider | None, endpoint: str, model: str,
                         user_text: str, reply_text: str, user: str | None = None,
                         tenant: str | None = None) -> GeneratedTitle:
    """A title for the exchange; ``provider`` ``None`` means the derived title."""
    if provider is None:
        return GeneratedTitle(derived_title(user_text))
    conversation = f"User: {user_text[:2000]}\nAssistant: {reply_text[:2000]}"
    request = ProviderRequest(
        endpoint=endpoint, model=model, system=PROMPT, user=user, tenant=tenant,
        messages=[ProviderMessage(role="user", parts=[TextPart(text=conversation)])],
        parameters=GenerationParameters(maxTokens=24, temperature=0.2))
    used: list[UsageReport] = []
    try:
        text = await asyncio.wait_for(_collect(provider, request, used), TIMEOUT_S)
    except TimeoutError:
        log.warning("title model timed out", extra={"fields": {"endpoint": endpoint}})
        text = ""
    return GeneratedTitle(clean_title(text) or derived_title(user_text),
                          used[-1] if used else None)


async def _collect(provider: ModelProvider, request: ProviderRequest,
                   used: list[UsageReport]) -> str:
    chunks: list[str] = []
    async for event in provider.stream(request):
        if isinstance(event, TextDelta):
            chunks.append(event.text)
        elif isinstance(event, UsageReport):
            used.append(event)
        elif event.kind == "error":
            return ""
    return "".join(chunks)


def save_title(store: Store, tenant_id: str, user_id: str, conversation_id: str,
               title: str) -> None:
    """Set the conversation's generated title, with its discovery record.

    It is part of the exchange the ``message.create`` audit record already covers (the
    user did not act), so it adds no audit record of its own; the discovery journal keeps
    the title as content, as it does for a rename.
    """
    with store.unit_of_work(tenant_id) as uow:
        uow.conversations.update(conversation_id, {"title": title})
        uow.journal(DiscoveryEvent(kind="conversation.renamed", userId=user_id,
                                   conversationId=conversation_id,
                                   content={"title": title, "generated": True}))
        uow.commit()
