"""The rest of the chat and settings surface in Chromium: reasoning, feedback, copy,
attachments (button and drop), the error bubble, pin and archive, sessions, and two-step
verification from enrolment to the sign-in step."""

from __future__ import annotations

import json
import re

import httpx
import pyotp
from playwright.sync_api import Page, Route, expect

from tests.browser.conftest import Account, Stack, register, shoot
from tests.browser.flows import (
    api_messages,
    conversation_id,
    convo_menu,
    last_reply,
    send,
    sign_in,
    sign_out,
    wait_done,
    words,
)

FRANK = Account("Frank Details", "frank.details@example.com")
GINA = Account("Gina Settings", "gina.settings@example.com")
FAILED = {"seq": 1, "v": 1, "error": "The model failed: upstream timed out.",
          "code": "PROVIDER_ERROR"}


def _reasoning(page: Page) -> None:
    page.get_by_label("Parameters").click()
    page.get_by_label("Reasoning effort").select_option("high")
    page.keyboard.press("Escape")
    reply = send(page, "Think before you answer")
    wait_done(reply)
    block = reply.locator("details.reasoning")
    expect(block).not_to_have_attribute("open", "")
    block.locator("summary").click()
    expect(block.locator(".reasoning-body")).to_contain_text(re.compile(r"\w+ \w+"))
    page.get_by_label("Parameters").click()
    page.get_by_label("Reasoning effort").select_option("")
    page.keyboard.press("Escape")


def _feedback_and_copy(page: Page, stack: Stack) -> None:
    reply = last_reply(page)
    reply.get_by_role("button", name="Good reply").click()
    expect(reply.get_by_role("button", name="Good reply")).to_have_attribute("aria-pressed",
                                                                             "true")
    stored = api_messages(stack, FRANK, conversation_id(page))
    rated = [m for m in stored if (m.get("feedback") or {}).get("rating") == "thumbsUp"]
    assert len(rated) == 1
    reply.get_by_role("button", name="Copy message").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert words(copied) == words(reply.locator(".msg-content").inner_text())


def _attachments(page: Page) -> None:
    page.set_input_files("#attach-input", files=[
        {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"remember the zebras"}])
    chip = page.locator("#attachments .chip", has_text="notes.txt")
    expect(chip).not_to_have_class(re.compile("is-uploading"))
    expect(chip.get_by_role("button", name="Remove notes.txt")).to_be_visible()
    dropped = page.evaluate_handle(
        "() => { const d = new DataTransfer();"
        " d.items.add(new File(['dropped text'], 'dropped.txt', {type: 'text/plain'}));"
        " return d; }")
    page.dispatch_event("#chat", "drop", {"dataTransfer": dropped})
    expect(page.locator("#attachments .chip:not(.is-uploading)")).to_have_count(2)
    shoot(page, "chat-attachments")
    chip.get_by_role("button", name="Remove notes.txt").click()
    expect(page.locator("#attachments .chip")).to_have_count(1)
    wait_done(send(page, "Here is a file"))
    expect(page.locator("#attachments .chip")).to_have_count(0)


def _error_bubble(page: Page) -> None:
    def fail(route: Route) -> None:  # the provider fails: the stream ends with an error frame
        route.fulfill(status=200, headers={"content-type": "text/event-stream"},
                      body=f"id: 1\nevent: message\ndata: {json.dumps(FAILED)}\n\n")

    page.route("**/api/agents/chat/stream/**", fail)
    reply = send(page, "This one will fail")
    error = reply.locator(".msg-error[role=alert]")
    expect(error).to_have_text("The model failed: upstream timed out.")
    expect(page.get_by_label("Send message")).to_be_enabled()
    shoot(page, "chat-error")
    page.unroute("**/api/agents/chat/stream/**")


def test_reasoning_feedback_copy_attachments_and_errors(page: Page, stack: Stack) -> None:
    register(stack, FRANK)
    sign_in(page, FRANK)
    _reasoning(page)
    _feedback_and_copy(page, stack)
    _attachments(page)
    _error_bubble(page)


def _pin_and_archive(page: Page) -> tuple[str, str]:
    wait_done(send(page, "The first conversation"))
    first = conversation_id(page)
    page.get_by_role("link", name="New chat").first.click()
    wait_done(send(page, "The second conversation"))
    second = conversation_id(page)
    # the first question names each conversation; wait for the sidebar to show that
    expect(page.locator(f"#convo-{second} .convo-title")).to_have_text("The second conversation")
    convo_menu(page, first, "Pin")
    pinned = page.locator("#convo-list .convo-group", has_text="Pinned")
    expect(pinned).to_be_visible()
    expect(page.locator(f"#convo-{first} .pin-mark")).to_be_attached()
    convo_menu(page, second, "Archive")
    expect(page.locator(f"#convo-{second}")).to_have_count(0)
    return first, second


def _enable_two_factor(page: Page) -> str:
    page.get_by_role("button", name="Set up two-step verification").click()
    secret = page.locator("[data-twofa-secret]").get_attribute("data-twofa-secret")
    assert secret
    page.get_by_text("Backup codes (save them now)").click()
    backup = page.locator("ul.codes code").first.inner_text()
    page.get_by_label("Code", exact=True).fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on").click()
    expect(page.locator("#panel-twofa")).to_contain_text("On")
    return backup


def test_pin_archive_settings_sessions_and_two_step_sign_in(page: Page, stack: Stack) -> None:
    register(stack, GINA)
    sign_in(page, GINA)
    _, second = _pin_and_archive(page)
    httpx.post(f"{stack.url}/api/auth/login", json={"email": GINA.email,
               "password": GINA.password}, timeout=15,
               headers={"User-Agent": "Mozilla/5.0 (Windows NT 10.0) Firefox/140.0"},
               ).raise_for_status()
    page.goto("/settings")
    archived = page.locator("#panel-archived")
    expect(archived).to_contain_text("The second conversation")
    archived.get_by_role("button", name="Unarchive").click()
    expect(archived).to_contain_text("No archived chats.")
    sessions = page.locator("#panel-sessions")
    expect(sessions.locator(".badge", has_text="This device")).to_be_visible()
    other = sessions.locator(".row-item", has_text="Firefox on Windows")
    other.get_by_role("button", name="Sign out").click()
    expect(sessions.locator(".notice")).to_have_text("The device was signed out.")
    expect(sessions.locator(".row-item", has_text="Firefox on Windows")).to_have_count(0)
    backup = _enable_two_factor(page)
    shoot(page, "settings-2fa")
    sign_out(page)
    page.fill("#email", GINA.email)
    page.fill("#password", GINA.password)
    page.get_by_role("button", name="Continue").click()
    code = page.get_by_label("Verification code")
    expect(code).to_be_focused()
    shoot(page, "login-2fa")
    code.fill(backup)
    page.get_by_role("button", name="Verify").click()
    expect(page.locator("#prompt")).to_be_enabled()
    expect(page.locator(f"#convo-{second}")).to_be_visible()  # unarchived, back in the list
