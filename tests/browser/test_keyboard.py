"""Keyboard only: sign in and send a message without touching the mouse."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import Account, Stack, register
from tests.browser.flows import last_reply, wait_done

DAN = Account("Dan Keys", "dan.keys@example.com")


def _focused(page: Page) -> str:
    return str(page.evaluate("document.activeElement && (document.activeElement.id || "
                             "document.activeElement.textContent.trim())"))


def test_sign_in_and_send_with_the_keyboard_only(page: Page, stack: Stack) -> None:
    register(stack, DAN)
    page.goto("/login")
    expect(page.locator("#email")).to_be_focused()  # the first field takes focus
    page.keyboard.type(DAN.email)
    page.keyboard.press("Tab")
    if _focused(page) != "password":  # "Forgot password?" sits between the fields
        page.keyboard.press("Tab")
    expect(page.locator("#password")).to_be_focused()
    page.keyboard.type(DAN.password)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("#prompt")).to_be_focused()
    page.keyboard.type("First line")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("second line")
    expect(page.locator("#prompt")).to_have_value("First line\nsecond line")
    page.keyboard.press("Enter")
    text = wait_done(last_reply(page))
    assert len(text.split()) == 24
    expect(page.locator("#messages .msg-user .msg-content")).to_have_text(
        "First line\nsecond line")


def test_the_skip_link_comes_first_and_focus_is_visible(page: Page, stack: Stack) -> None:
    page.goto("/login")
    expect(page.locator("#email")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()


def test_rename_a_conversation_with_the_keyboard(page: Page, stack: Stack) -> None:
    from tests.browser.flows import conversation_id, send, sign_in

    jo = Account("Jo Keys", "jo.keys@example.com")
    register(stack, jo)
    sign_in(page, jo)
    wait_done(send(page, "A title to change"))
    conversation = conversation_id(page)
    link = page.locator(f"#convo-{conversation} .convo-link")
    expect(link).to_have_text("A title to change")
    link.focus()
    page.keyboard.press("Tab")  # the item's options button
    page.keyboard.press("Enter")
    expect(page.locator(f"#convo-{conversation} details.convo-menu")).to_have_attribute("open", "")
    page.keyboard.press("Tab")  # Rename, the first option
    page.keyboard.press("Enter")
    field = page.get_by_label("New title")
    expect(field).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("Renamed by keyboard")
    page.keyboard.press("Enter")
    expect(link).to_have_text("Renamed by keyboard")
    expect(page.locator(f"#convo-{conversation} .convo-link")).to_be_focused()
