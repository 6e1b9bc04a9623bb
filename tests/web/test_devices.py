"""Readable device names for the sessions list."""

from __future__ import annotations

import pytest

from gorunchat.web.devices import describe_device


@pytest.mark.parametrize(("agent", "name"), [
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/17.5 Safari/605.1.15", "Safari on macOS"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/126.0 Safari/537.36 Edg/126.0", "Edge on Windows"),
    ("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
     "Firefox on Linux"),
    ("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36",
     "Chrome on Android"),
    ("curl/8.5.0", "curl"),
    ("SomeBot/1.0 (+https://example.com)", "SomeBot"),
    (None, "Unknown device"),
    ("", "Unknown device"),
])
def test_a_user_agent_becomes_a_short_device_name(agent: str | None, name: str) -> None:
    assert describe_device(agent) == name
