"""A streaming service (in process, real Redis, real SQLite) whose providers point at
loopback servers speaking each provider's wire format."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from gorunchat.adapters.local.redis_server import RedisServer
from gorunchat.adapters.sqlite.store import SqliteStore
from tests.fixtures.providers import anthropic_wire, gemini_wire, openai_wire
from tests.fixtures.providers.server import ProviderServer
from tests.streaming.support import InProcessService

START_BALANCE = 1_000_000  # one US dollar


@dataclass
class Stack:
    service: InProcessService
    store: SqliteStore
    openai: ProviderServer
    responses: openai_wire.ResponsesState
    anthropic: ProviderServer
    gemini: ProviderServer
    custom: ProviderServer


def _config(custom_url: str) -> dict[str, object]:
    return {
        "balance": {"enabled": True, "startBalance": START_BALANCE},
        "endpoints": {"custom": [
            {"name": "local", "apiKey": "${LOCAL_LLM_KEY}", "baseURL": custom_url + "/v1",
             "models": {"default": ["local-model"], "fetch": True},
             "titleConvo": True, "titleModel": "title-model",
             "headers": {"X-Team": "blue", "X-Key-Hint": "${LOCAL_LLM_HINT}"},
             "addParams": {"safe_prompt": True, "top_k": 40},
             "dropParams": ["temperature", "user", "stop"]},
            {"name": "byok", "apiKey": "user_provided", "baseURL": custom_url + "/v1",
             "models": {"default": ["local-model"]}},
            {"name": "byurl", "apiKey": "user_provided", "baseURL": "user_provided",
             "models": {"default": ["local-model"]}},
        ]},
    }


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, redis_server: RedisServer
          ) -> Iterator[Stack]:
    root = tmp_path_factory.mktemp("providers")
    openai, responses = openai_wire.openai_server()
    anthropic, gemini = anthropic_wire.anthropic_server(), gemini_wire.gemini_server()
    custom, _ = openai_wire.openai_server(models=["local-model", "fetched-model"])
    with openai, anthropic, gemini, custom, pytest.MonkeyPatch.context() as env:
        # build_providers reads these from the process environment at composition
        env.setenv("OPENAI_REVERSE_PROXY", openai.url + "/v1")
        env.setenv("ANTHROPIC_REVERSE_PROXY", anthropic.url)
        env.setenv("GOOGLE_REVERSE_PROXY", gemini.url)
        env.setenv("LOCAL_LLM_KEY", "local-secret")
        env.setenv("LOCAL_LLM_HINT", "from-env")
        (root / "gorunchat.yaml").write_text(yaml.safe_dump(_config(custom.url)))
        service = InProcessService(root, redis_server.url, OPENAI_API_KEY="sk-openai",
                                   ANTHROPIC_API_KEY="sk-ant", GOOGLE_API_KEY="g-key",
                                   GORUNCHAT_STREAM_COALESCE_MS="5").start()
        store = SqliteStore(Path(root) / "gorunchat.sqlite3")
        try:
            yield Stack(service, store, openai, responses, anthropic, gemini, custom)
        finally:
            service.stop()
            store.close()
