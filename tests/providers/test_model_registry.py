"""``/api/endpoints``, ``/api/models`` and ``/api/endpoints/token-config`` on the mounted
config function: live model lists (fetched, cached), user-provided flags, rates."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from gorunchat.bootstrap import Container, set_container
from gorunchat.services import models as registry
from tests.fixtures.providers import openai_wire
from tests.fixtures.providers.server import ProviderServer
from tests.routes.conftest import _settings, mounted, user_factory


@pytest.fixture
def listing() -> Iterator[ProviderServer]:
    server, _ = openai_wire.openai_server(models=["fetched-b", "fetched-a"])
    with server:
        yield server


@pytest.fixture
def signed_in(data_dir: Path, listing: ProviderServer,
              monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    monkeypatch.setenv("LIVE_KEY", "sk-live")
    monkeypatch.setattr(registry, "_cache", {})  # a fresh cache per test
    (data_dir / "gorunchat.yaml").write_text(yaml.safe_dump({"endpoints": {"custom": [
        {"name": "live", "apiKey": "${LIVE_KEY}", "baseURL": listing.url + "/v1",
         "models": {"default": ["gpt-4o-mini"], "fetch": True}},
        {"name": "mine", "apiKey": "user_provided", "baseURL": "user_provided",
         "models": {"default": ["m1"], "fetch": True}},
    ]}}))
    container = Container(_settings(data_dir, OPENAI_API_KEY="user_provided"))
    set_container(container)
    try:
        _, auth = user_factory(container)()
        yield auth
    finally:
        set_container(None)
        container.close()


def test_models_are_fetched_live_and_cached(signed_in: dict[str, str],
                                            listing: ProviderServer) -> None:
    client = mounted("config")

    first = client.get("/api/models", headers=signed_in).json
    again = client.get("/api/models", headers=signed_in).json

    assert first["live"] == ["gpt-4o-mini", "fetched-a", "fetched-b"]
    assert again == first
    calls = listing.to("/v1/models")
    assert len(calls) == 1, "the second answer came from the cache"
    assert calls[0].header("authorization") == "Bearer sk-live"
    assert first["mine"] == ["m1"], "a user-provided endpoint is not fetched"


def test_endpoints_flag_user_provided_keys_and_urls(signed_in: dict[str, str]) -> None:
    endpoints = mounted("config").get("/api/endpoints", headers=signed_in).json

    assert endpoints["mine"]["userProvide"] is True
    assert endpoints["mine"]["userProvideURL"] is True
    assert endpoints["live"]["userProvide"] is False
    assert endpoints["openAI"]["userProvide"] is True


def test_token_config_reports_context_and_rates(signed_in: dict[str, str]) -> None:
    answer = mounted("config").get("/api/endpoints/token-config", headers=signed_in)

    assert answer.status_code == 200
    table = answer.json
    assert table["live"]["gpt-4o-mini"] == {"context": 128_000, "prompt": 0.15,
                                            "completion": 0.6, "cacheWrite": None,
                                            "cacheRead": 0.075}
    assert table["offline"]["demo"]["prompt"] == 0.0
    assert table["live"]["fetched-a"]["prompt"] == 6.0, "unknown models use the default"
