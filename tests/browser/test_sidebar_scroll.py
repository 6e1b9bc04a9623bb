"""Infinite scroll of the sidebar: 40 imported conversations arrive 25 at a time as the
list is scrolled to its end."""

from __future__ import annotations

import json
import time

import httpx
from playwright.sync_api import Page, expect

from tests.browser.conftest import Account, Stack, register
from tests.browser.flows import api_token, sign_in

IVY = Account("Ivy Scroll", "ivy.scroll@example.com")
COUNT = 40


def _chatgpt_export(count: int) -> bytes:
    """A ChatGPT ``conversations.json`` with ``count`` one-question conversations."""
    now = time.time()
    conversations = []
    for n in range(count):
        stamp = now - n * 60
        mapping = {
            "root": {"id": "root", "message": None, "parent": None, "children": [f"u{n}"]},
            f"u{n}": {"id": f"u{n}", "parent": "root", "children": [f"a{n}"], "message": {
                "id": f"u{n}", "author": {"role": "user", "metadata": {}}, "create_time": stamp,
                "content": {"content_type": "text", "parts": [f"Question {n}"]},
                "status": "finished_successfully", "metadata": {}}},
            f"a{n}": {"id": f"a{n}", "parent": f"u{n}", "children": [], "message": {
                "id": f"a{n}", "author": {"role": "assistant", "metadata": {}},
                "create_time": stamp + 1,
                "content": {"content_type": "text", "parts": [f"Answer {n}"]},
                "status": "finished_successfully", "metadata": {}}},
        }
        conversations.append({"title": f"Imported {n:02d}", "create_time": stamp,
                              "update_time": stamp + 1, "mapping": mapping,
                              "current_node": f"a{n}", "id": f"conv-{n}"})
    return json.dumps(conversations).encode()


def test_the_sidebar_loads_more_as_it_is_scrolled(page: Page, stack: Stack) -> None:
    register(stack, IVY)
    answer = httpx.post(f"{stack.url}/api/convos/import", timeout=30,
                        headers={"Authorization": f"Bearer {api_token(stack, IVY)}"},
                        files={"file": ("conversations.json", _chatgpt_export(COUNT),
                                        "application/json")})
    answer.raise_for_status()
    sign_in(page, IVY)
    items = page.locator("#convo-list .convo")
    expect(items).to_have_count(25)
    page.locator("#convo-list .convo-more").scroll_into_view_if_needed()
    expect(items).to_have_count(COUNT)
    expect(page.locator("#convo-list .convo-more")).to_have_count(0)
    titles = page.locator("#convo-list .convo-title").all_inner_texts()
    assert sorted(titles) == [f"Imported {n:02d}" for n in range(COUNT)]
