"""The whole path a person takes, in real Chromium against ``gorunchat dev``.

register → sign in → new chat (the reply streams) → reload mid-stream (the reply resumes
from Last-Event-ID and ends complete, with no duplicated text) → stop → regenerate → edit
and branch, switch siblings → rename, tag, search → delete → sign out.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, Request, expect

from tests.browser.conftest import Account, Stack, shoot
from tests.browser.flows import (
    STREAMING,
    api_messages,
    conversation_id,
    convo_menu,
    last_reply,
    send,
    set_max_tokens,
    sign_in,
    sign_out,
    wait_done,
    words,
)

ADA = Account("Ada Lovelace", "ada.lovelace@example.com")


def _register(page: Page, stack: Stack) -> None:
    page.goto("/register")
    shoot(page, "register")
    page.fill("#name", ADA.name)
    page.fill("#email", ADA.email)
    page.fill("#password", ADA.password)
    page.fill("#confirm_password", ADA.password)
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(f"{stack.url}/")
    expect(page.locator("#prompt")).to_be_enabled()


def _first_reply_streams(page: Page) -> str:
    shoot(page, "chat-empty")
    reply = send(page, "Tell me about zebras and ordered streams")
    expect(reply).to_have_class(STREAMING)
    expect(reply.locator(".msg-content")).to_contain_text(re.compile(r"\w+"))
    text = wait_done(reply)
    assert len(text.split()) == 24
    conversation = conversation_id(page)
    expect(page.locator(f"#convo-{conversation}")).to_be_visible()
    return conversation


def _reload_mid_stream(page: Page, stack: Stack, conversation: str) -> None:
    set_max_tokens(page, 150)  # 5 s at 30 words/s
    reply = send(page, "Now write a much longer answer please")
    expect(reply.locator(".msg-content")).to_contain_text(re.compile(r"(\w+\s+){6}"))
    shoot(page, "chat-streaming")
    cursors: list[str] = []

    def watch(request: Request) -> None:
        if "/api/agents/chat/stream/" in request.url:
            cursors.append(request.headers.get("last-event-id", ""))

    page.on("request", watch)
    page.reload()
    resumed = last_reply(page)
    expect(resumed).to_have_class(STREAMING)  # still live after the reload
    text = wait_done(resumed)
    page.remove_listener("request", watch)
    assert cursors and int(cursors[0]) > 1  # resumed from the last frame seen, not from 0
    stored = [m for m in api_messages(stack, ADA, conversation)
              if not m["isCreatedByUser"] and len(m["text"].split()) == 150]
    assert len(stored) == 1
    assert text == words(stored[0]["text"])  # complete, nothing doubled
    assert page.locator("#messages .msg-assistant").count() == 2


def _stop(page: Page) -> None:
    set_max_tokens(page, 400)
    reply = send(page, "Keep going for a long while")
    expect(reply.locator(".msg-content")).to_contain_text(re.compile(r"(\w+\s+){3}"))
    page.get_by_label("Stop generating").click()
    expect(reply.locator(".msg-note")).to_have_text("Stopped")
    assert len(wait_done(reply).split()) < 400
    expect(page.get_by_label("Send message")).to_be_visible()
    set_max_tokens(page, None)


def _regenerate(page: Page) -> None:
    first = wait_done(last_reply(page))
    last_reply(page).get_by_role("button", name="Regenerate reply").click()
    regenerated = wait_done(last_reply(page))
    assert regenerated != first  # a new reply (24 words, the stopped one was cut short)
    user = page.locator("#messages .msg-user").last
    expect(user.locator(".sibling-count")).to_have_text("2 / 2")


def _edit_and_switch(page: Page) -> None:
    user = page.locator("#messages .msg-user").last
    user.hover()
    user.get_by_role("button", name="Edit message").click()
    page.get_by_label("Edit your message").fill("An edited question about zebras")
    page.get_by_role("button", name="Save & submit").click()
    wait_done(last_reply(page))
    user = page.locator("#messages .msg-user").last
    expect(user.locator(".msg-content")).to_have_text("An edited question about zebras")
    expect(user.locator(".sibling-count")).to_have_text("3 / 3")
    shoot(page, "chat-branches")
    user.get_by_role("button", name="Previous version").click()
    user = page.locator("#messages .msg-user").last
    expect(user.locator(".sibling-count")).to_have_text("2 / 3")
    expect(user.locator(".msg-content")).to_have_text("Keep going for a long while")
    user.get_by_role("button", name="Next version").click()
    expect(page.locator("#messages .msg-user").last.locator(".msg-content")).to_have_text(
        "An edited question about zebras")


def _rename_tag_search(page: Page, conversation: str) -> None:
    convo_menu(page, conversation, "Rename")
    field = page.get_by_label("New title")
    field.fill("Zebra research")
    field.press("Enter")
    item = page.locator(f"#convo-{conversation}")
    expect(item.locator(".convo-title")).to_have_text("Zebra research")
    expect(page.locator("#chat-title")).to_have_text("Zebra research")
    convo_menu(page, conversation, "Tags")
    page.get_by_label("Tags").fill("research, demo")
    page.get_by_role("button", name="Save tags").click()
    expect(page.locator(f"#convo-{conversation} .tag")).to_have_text(["research", "demo"])
    page.get_by_role("link", name="New chat").first.click()
    other = send(page, "Something about penguins")
    wait_done(other)
    other_id = conversation_id(page)
    shoot(page, "chat-sidebar")
    page.get_by_label("Search conversations").fill("zebras")
    expect(page.locator("#convo-list .convo")).to_have_count(1)
    expect(page.locator(f"#convo-{conversation}")).to_be_visible()
    expect(page.locator(f"#convo-{other_id}")).to_have_count(0)
    page.get_by_label("Search conversations").fill("")
    expect(page.locator(f"#convo-{other_id}")).to_be_visible()
    page.locator(f"#convo-{conversation} a").click()
    expect(page).to_have_url(re.compile(f"/c/{conversation}$"))
    expect(page.locator("#messages .msg-user").last).to_contain_text("zebras")


def _delete(page: Page, conversation: str) -> None:
    convo_menu(page, conversation, "Delete")
    page.locator(f"#convo-{conversation}").get_by_role("button", name="Delete").click()
    expect(page.locator(f"#convo-{conversation}")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/$"))


def test_register_chat_resume_branch_organise_and_sign_out(page: Page, stack: Stack) -> None:
    _register(page, stack)
    sign_out(page)
    shoot(page, "login")
    sign_in(page, ADA)
    conversation = _first_reply_streams(page)
    _reload_mid_stream(page, stack, conversation)
    _stop(page)
    _regenerate(page)
    _edit_and_switch(page)
    _rename_tag_search(page, conversation)
    _delete(page, conversation)
    sign_out(page)
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=%2F$"))
