"""Resuming a stream without doubling text: a second tab joins a running reply from its first
frame, and a connection that drops mid-reply reconnects with Last-Event-ID."""

from __future__ import annotations

import re

from playwright.sync_api import Page, Route, expect

from tests.browser.conftest import Account, Stack, console_problems, register
from tests.browser.flows import (
    STREAMING,
    api_messages,
    conversation_id,
    send,
    set_max_tokens,
    sign_in,
    wait_done,
    words,
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


LEE = Account("Lee Drops", "lee.drops@example.com")


def test_a_dropped_stream_reconnects_from_the_last_frame(page: Page, stack: Stack) -> None:
    cursors: list[str] = []

    def drop_the_first_connection(route: Route) -> None:
        cursors.append(route.request.headers.get("last-event-id", ""))
        if len(cursors) > 1:
            route.continue_()
            return
        frames = route.fetch().text().split("\n\n")
        # The connection ends after five frames, with no terminal frame: a network drop.
        route.fulfill(status=200, headers={"content-type": "text/event-stream"},
                      body="\n\n".join(frames[:5]) + "\n\n")

    register(stack, LEE)
    sign_in(page, LEE)
    page.route("**/api/agents/chat/stream/**", drop_the_first_connection)
    set_max_tokens(page, 60)
    text = wait_done(send(page, "A reply that loses its connection"))
    assert cursors[:2] == ["0", "5"]  # reconnected with the last frame it had seen
    stored = [m for m in api_messages(stack, LEE, conversation_id(page))
              if not m["isCreatedByUser"]]
    assert len(stored) == 1
    assert text == words(stored[0]["text"])
    assert len(text.split()) == 60
