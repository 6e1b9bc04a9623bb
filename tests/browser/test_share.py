"""A shared link in real Chromium: with public links off (the default), a visitor is sent to
sign in and comes back to the conversation, rendered by the share page's island."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Page, expect

from tests.browser.conftest import Account, Stack, register
from tests.browser.flows import conversation_id, send, sign_in, wait_done

OWNER = Account("Mary Somerville", "mary.somerville@example.com")
VIEWER = Account("Caroline Herschel", "caroline.herschel@example.com")


def test_a_signed_in_visitor_opens_a_shared_conversation(page: Page, stack: Stack) -> None:
    signed_in = register(stack, OWNER)
    register(stack, VIEWER)
    sign_in(page, OWNER)
    wait_done(send(page, "Share this thought about comets"))
    conversation = conversation_id(page)
    with httpx.Client(base_url=stack.url, timeout=15) as client:
        created = client.post(f"/api/share/{conversation}", json={},
                              headers={"Authorization": f"Bearer {signed_in['token']}"})
    created.raise_for_status()
    share_id = created.json()["shareId"]
    page.context.clear_cookies()  # a different visitor, signed out

    page.goto(f"/share/{share_id}")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.fill("#email", VIEWER.email)
    page.fill("#password", VIEWER.password)
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url(f"{stack.url}/share/{share_id}")
    messages = page.locator("[data-share-messages] .msg")
    expect(messages).to_have_count(2)
    expect(messages.first).to_contain_text("Share this thought about comets")
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Shared conversation")
