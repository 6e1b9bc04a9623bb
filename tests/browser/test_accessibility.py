"""axe-core (from npm, injected from web/node_modules) on the main pages, light and dark:
no violation of serious or critical impact. Markdown is rendered sanitised."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Account, Stack, register, shoot
from tests.browser.flows import api_token, send, sign_in, wait_done

AXE = Path(__file__).resolve().parents[2] / "web" / "node_modules" / "axe-core" / "axe.min.js"
EVE = Account("Eve Reader", "eve.reader@example.com")
MARKDOWN = ("## Plan\n\nSome **bold** text and a [link](https://example.com).\n\n"
            "```python\ndef greet(name):\n    return f\"hi {name}\"\n```\n\n"
            "<img src=x onerror=\"document.body.dataset.pwned='1'\">"
            "<script>document.body.dataset.pwned='2'</script>"
            "[bad](javascript:alert(1))\n")


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations of the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))  # DevTools evaluation, CSP-exempt
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [{"id": v["id"], "impact": v["impact"],
             "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def _check(page: Page, name: str) -> None:
    shoot(page, name)
    found = axe_violations(page)
    assert found == [], f"{name}: {json.dumps(found, indent=1)}"


def _seed_markdown(stack: Stack, conversation: str, parent: str) -> None:
    token = api_token(stack, EVE)
    body = {"text": MARKDOWN, "parentMessageId": parent, "sender": "Offline Demo",
            "isCreatedByUser": False, "endpoint": "offline", "model": "demo"}
    answer = httpx.post(f"{stack.url}/api/messages/{conversation}", json=body, timeout=15,
                        headers={"Authorization": f"Bearer {token}"})
    answer.raise_for_status()


@pytest.fixture
def signed_in(page: Page, stack: Stack) -> Page:
    if not AXE.exists():
        pytest.skip("web/node_modules is missing (scripts/test runs npm ci)")
    try:
        register(stack, EVE)
    except httpx.HTTPStatusError:
        pass  # registered by an earlier test of this module
    sign_in(page, EVE)
    return page


def test_account_pages_have_no_serious_violations(page: Page, stack: Stack) -> None:
    if not AXE.exists():
        pytest.skip("web/node_modules is missing (scripts/test runs npm ci)")
    for path, name in (("/login", "a11y-login"), ("/register", "a11y-register"),
                       ("/forgot-password", "a11y-forgot-password")):
        page.goto(path)
        expect(page.locator("main form").first).to_be_visible()
        _check(page, name)


def test_chat_settings_and_markdown_in_both_themes(signed_in: Page, stack: Stack) -> None:
    page = signed_in
    wait_done(send(page, "A question for the accessibility check"))
    conversation = page.url.rsplit("/c/", 1)[1]
    reply_id = page.locator("#messages .msg-assistant").last.get_attribute("data-message-id")
    assert reply_id is not None
    _seed_markdown(stack, conversation, reply_id)
    page.reload()
    rendered = page.locator("#messages .msg-assistant").last
    expect(rendered.locator("h2")).to_have_text("Plan")
    expect(rendered.locator(".code-block .hljs-keyword").first).to_have_text("def")
    expect(rendered.get_by_role("button", name="Copy code")).to_be_visible()
    assert rendered.locator("img[onerror], script, a[href^='javascript']").count() == 0
    assert page.evaluate("document.body.dataset.pwned") is None
    # DOMPurify parses the hostile HTML in an inert document; Chromium still reports the
    # onerror attribute there as a blocked inline handler. Nothing else may be reported.
    reports = page.csp_problems  # type: ignore[attr-defined]
    assert all("inline event handler" in r for r in reports)
    reports.clear()
    link = rendered.get_by_role("link", name="link")
    expect(link).to_have_attribute("rel", "noopener noreferrer nofollow")
    _check(page, "chat-light")
    page.get_by_label("Theme: system. Change theme").click()  # → light
    page.get_by_label("Theme: light. Change theme").click()  # → dark
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    _check(page, "chat-dark")
    page.goto("/settings")
    expect(page.locator("#panel-sessions .row-item").first).to_be_visible()
    _check(page, "settings-dark")
    page.get_by_label("Light").check()
    expect(page.locator("html")).to_have_attribute("data-theme", "light")
    _check(page, "settings-light")


def test_small_screens_get_a_sidebar_drawer(signed_in: Page) -> None:
    page = signed_in
    page.set_viewport_size({"width": 390, "height": 844})
    sidebar = page.locator("#sidebar")
    expect(sidebar).not_to_be_in_viewport()
    page.get_by_label("Open sidebar").click()
    expect(sidebar).to_have_css("transform", "none")  # slid fully in
    expect(page.locator("#convo-list .skeleton")).to_have_count(0)
    shoot(page, "mobile-sidebar")
    assert axe_violations(page) == []
    page.keyboard.press("Escape")
    expect(sidebar).to_be_hidden()  # off-canvas and out of the tab order
    shoot(page, "mobile-chat")
