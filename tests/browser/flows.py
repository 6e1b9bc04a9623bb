"""What a person does in the web shell, as small steps the browser tests compose.

Every wait is a Playwright expectation with a deadline (auto-waiting), never a sleep.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import Account, Stack

STREAMING = re.compile(r"\bis-streaming\b")


def sign_in(page: Page, account: Account) -> None:
    page.goto("/login")
    page.fill("#email", account.email)
    page.fill("#password", account.password)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#prompt")).to_be_enabled()


def sign_out(page: Page) -> None:
    page.locator("summary.user-button").click()
    page.locator("[data-sign-out]").click()
    expect(page).to_have_url(re.compile(r"/login$"))


def set_max_tokens(page: Page, count: int | None) -> None:
    page.get_by_label("Parameters").click()
    page.fill("#param-max-tokens", "" if count is None else str(count))
    page.keyboard.press("Escape")
    expect(page.locator("details.params")).not_to_have_attribute("open", "")


def send(page: Page, text: str) -> Locator:
    """Type ``text`` in the composer, press Enter, and return the new reply."""
    before = page.locator("#messages .msg-assistant").count()
    page.fill("#prompt", text)
    page.locator("#prompt").press("Enter")
    expect(page.locator("#messages .msg-assistant")).to_have_count(before + 1)
    return last_reply(page)


def last_reply(page: Page) -> Locator:
    return page.locator("#messages .msg-assistant").last


def wait_done(reply: Locator) -> str:
    """Wait until ``reply`` stops streaming; its text with whitespace collapsed."""
    expect(reply).not_to_have_class(STREAMING, timeout=30_000)
    expect(reply.get_by_role("button", name="Regenerate reply")).to_be_visible()
    return words(reply.locator(".msg-content").inner_text())


def words(text: str) -> str:
    return " ".join(text.split())


def conversation_id(page: Page) -> str:
    expect(page).to_have_url(re.compile(r"/c/[0-9a-f-]{36}$"))
    return page.url.rsplit("/c/", 1)[1]


def convo_menu(page: Page, conversation: str, action: str) -> None:
    item = page.locator(f"#convo-{conversation}")
    item.hover()
    item.locator("summary").click()
    item.get_by_role("button", name=action).click()


def api_messages(stack: Stack, account: Account, conversation: str) -> list[dict[str, Any]]:
    """The stored messages, read through the API as the account (a separate sign-in)."""
    with httpx.Client(base_url=stack.url, timeout=15) as client:
        login = client.post("/api/auth/login", json={"email": account.email,
                                                     "password": account.password})
        login.raise_for_status()
        headers = {"Authorization": f"Bearer {login.json()['token']}"}
        answer = client.get(f"/api/messages/{conversation}", headers=headers)
        answer.raise_for_status()
        messages: list[dict[str, Any]] = answer.json()
        return messages


def api_token(stack: Stack, account: Account) -> str:
    with httpx.Client(base_url=stack.url, timeout=15) as client:
        login = client.post("/api/auth/login", json={"email": account.email,
                                                     "password": account.password})
        login.raise_for_status()
        return str(login.json()["token"])
