"""Browser-test fixtures: the real ``gorunchat dev`` stack and Debian's Chromium.

The stack is one subprocess for the whole browser session (free port, temp data folder,
its own Redis). The offline demo model writes 24 words at 30 words/s by default, so a reply
streams for under a second; tests that need a longer reply set "Max output tokens" in the
composer's parameters. The first account registered on a fresh stack becomes its admin:
the ``admin`` fixture registers it before any test does.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from gorunchat.adapters.local.redis_server import free_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
READY = re.compile(r"GoRunChat is running at (http://\S+)")
PASSWORD = "a-long-password-1"

try:
    from playwright import sync_api
except ImportError:  # pragma: no cover - the test extra installs it
    sync_api = None  # type: ignore[assignment]
# Without Debian's chromium (scripts/test installs it) or Playwright, there is nothing to drive.
collect_ignore_glob = [] if CHROMIUM.exists() and sync_api is not None else ["test_*.py"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test here ``browser`` (``-m "not browser"`` leaves them out)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@dataclass
class Stack:
    url: str
    data_dir: Path
    process: subprocess.Popen[str]
    lines: list[str]


@dataclass(frozen=True)
class Account:
    name: str
    email: str
    password: str = PASSWORD


def start(data_dir: Path, **extra: str) -> Stack:
    env = {**os.environ, "GORUNCHAT_PORT": str(free_port()), "GORUNCHAT_DATA_DIR": str(data_dir),
           "JWT_SECRET": "browser-secret-" + "b" * 40, "PYTHONUNBUFFERED": "1",
           "GORUNCHAT_OFFLINE_TOKENS": "24", "GORUNCHAT_OFFLINE_TOKENS_PER_SECOND": "30",
           # every test signs in from 127.0.0.1: lift the per-IP sign-in limits
           "LOGIN_MAX": "1000", "REGISTER_MAX": "1000", "BAN_VIOLATIONS": "false", **extra}
    env.pop("REDIS_URL", None)
    process = subprocess.Popen([sys.executable, "-m", "gorunchat.cli", "dev"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    ready = threading.Event()
    found: list[str] = []

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            match = READY.search(line)
            if match:
                found.append(match.group(1))
                ready.set()
        ready.set()

    threading.Thread(target=pump, daemon=True).start()
    if not ready.wait(60) or not found:
        process.kill()
        raise AssertionError("gorunchat dev did not start:\n" + "".join(lines[-40:]))
    return Stack(found[0], data_dir, process, lines)


def stop(running: Stack) -> None:
    running.process.terminate()
    try:
        running.process.wait(timeout=20)
    except subprocess.TimeoutExpired:  # pragma: no cover - a stuck shutdown
        running.process.kill()
        running.process.wait()


@pytest.fixture(scope="package")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = start(tmp_path_factory.mktemp("web-stack"))
    yield running
    stop(running)


def register(stack: Stack, account: Account) -> dict[str, object]:
    """Create an account through the API (as the register page does) and sign it in."""
    with httpx.Client(base_url=stack.url, timeout=15) as client:
        client.post("/api/auth/register", json={
            "name": account.name, "email": account.email, "password": account.password,
            "confirm_password": account.password}).raise_for_status()
        answer = client.post("/api/auth/login", json={"email": account.email,
                                                      "password": account.password})
        answer.raise_for_status()
        result: dict[str, object] = answer.json()
        return result


@pytest.fixture(scope="package")
def admin(stack: Stack) -> Account:
    """The stack's first account, which the server makes an administrator."""
    account = Account("Grace Admin", "grace.admin@example.com")
    signed_in = register(stack, account)
    user = signed_in["user"]
    assert isinstance(user, dict) and user["role"] in ("ADMIN", "SUPER_ADMIN")
    return account


@pytest.fixture(scope="package")
def browser(admin: Account) -> Iterator[object]:
    # Package scope: Playwright's sync API keeps an event loop running in the main thread
    # while it lives, which would break every later test that calls asyncio.run().
    # A cold stack imports each function on its first request; allow for a slow machine.
    sync_api.expect.set_options(timeout=15_000)
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: object, stack: Stack) -> Iterator[object]:
    """A fresh browser context (no cookies) at 1280×800 that fails on CSP violations."""
    context = browser.new_context(base_url=stack.url,  # type: ignore[attr-defined]
                                  viewport={"width": 1280, "height": 800})
    context.set_default_timeout(15_000)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    tab = context.new_page()
    problems = console_problems(tab)
    yield tab
    context.close()
    assert problems == []


def console_problems(tab: object) -> list[str]:
    """CSP violations and uncaught errors the page reports; a test that feeds hostile content
    on purpose clears the list once it has checked that CSP blocked it."""
    problems: list[str] = []

    def on_console(message: object) -> None:
        text = str(message.text)  # type: ignore[attr-defined]
        if message.type == "error" and "Content Security Policy" in text:  # type: ignore[attr-defined]
            problems.append(text)

    tab.on("console", on_console)  # type: ignore[attr-defined]
    tab.on("pageerror", lambda e: problems.append(f"page error: {e}"))  # type: ignore[attr-defined]
    tab.csp_problems = problems  # type: ignore[attr-defined]
    return problems


def shoot(page: object, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))  # type: ignore[attr-defined]
