"""A second tab opened on a conversation while its reply is still being written joins the
stream from its first frame (it has no cursor of its own) and ends with the same text."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import Account, Stack, console_problems, register
from tests.browser.flows import (
    STREAMING,
    conversation_id,
    send,
    set_max_tokens,
    sign_in,
    wait_done,
)

HANK = Account("Hank Tabs", "hank.tabs@example.com")


def test_a_second_tab_joins_a_running_reply(page: Page, stack: Stack) -> None:
    register(stack, HANK)
    sign_in(page, HANK)
    set_max_tokens(page, 90)  # 3 s at 30 words/s
    reply = send(page, "A reply to watch from two tabs")
    expect(reply.locator(".msg-content")).to_contain_text(re.compile(r"(\w+\s+){3}"))
    conversation = conversation_id(page)
    other = page.context.new_page()
    problems = console_problems(other)
    other.goto(f"/c/{conversation}")
    joined = other.locator("#messages .msg-assistant").last
    expect(joined).to_have_class(STREAMING)
    seen_there = wait_done(joined)
    seen_here = wait_done(reply)
    assert seen_there == seen_here
    assert len(seen_here.split()) == 90
    assert other.locator("#messages .msg-assistant").count() == 1
    other.close()
    assert problems == []
