"""A readable name for a session's device, from its User-Agent ("Chrome on Linux")."""

from __future__ import annotations

import re

# Order matters: Edge and Opera say "Chrome", Chrome says "Safari".
_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"),
             ("HeadlessChrome/", "Headless Chrome"), ("Chrome/", "Chrome"),
             ("Safari/", "Safari"), ("curl/", "curl"), ("python-httpx/", "Python httpx"),
             ("GoRunChat", "GoRunChat app"))
_SYSTEMS = (("Windows", "Windows"), ("iPhone", "iOS"), ("iPad", "iPadOS"),
            ("Mac OS X", "macOS"), ("Android", "Android"), ("CrOS", "ChromeOS"),
            ("Linux", "Linux"))


def describe_device(user_agent: str | None) -> str:
    """``Chrome on macOS`` for a known browser; the agent's first word otherwise."""
    agent = (user_agent or "").strip()
    if not agent:
        return "Unknown device"
    browser = next((name for token, name in _BROWSERS if token in agent), None)
    system = next((name for token, name in _SYSTEMS if token in agent), None)
    if browser and system:
        return f"{browser} on {system}"
    if browser:
        return browser
    first = re.split(r"[\s/;(]", agent, maxsplit=1)[0]
    return first[:40] or "Unknown device"
