"""Terms of service configured with modal acceptance: a new account sees the terms dialog,
accepting records it (it does not come back), declining signs out. Runs its own stack with
a gorunchat.yaml that sets ``interface.termsOfService``."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Account, Stack, register, shoot, start, stop

CONFIG = """\
interface:
  termsOfService:
    modalAcceptance: true
    modalTitle: Terms of Use
    modalContent:
      - "1. Be kind."
      - "2. Keep secrets out of chats."
"""


@pytest.fixture(scope="module")
def terms_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    folder = tmp_path_factory.mktemp("terms-stack")
    config = folder / "gorunchat.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    running = start(folder / "data", GORUNCHAT_CONFIG=str(config))
    yield running
    stop(running)


def _sign_in(page: Page, account: Account) -> None:
    page.goto("/login")
    page.fill("#email", account.email)
    page.fill("#password", account.password)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#prompt")).to_be_enabled()


def test_the_terms_dialog_asks_once_and_declining_signs_out(
        browser: Browser, terms_stack: Stack) -> None:
    context = browser.new_context(base_url=terms_stack.url,
                                  viewport={"width": 1280, "height": 800})
    page = context.new_page()
    kim, lee = Account("Kim Terms", "kim.terms@example.com"), Account("Lee", "lee@example.com")
    register(terms_stack, kim)
    register(terms_stack, lee)
    _sign_in(page, kim)
    dialog = page.get_by_role("dialog", name="Terms of Use")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("2. Keep secrets out of chats.")
    shoot(page, "terms-dialog")
    page.keyboard.press("Escape")  # no way around the answer
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Accept").click()
    expect(dialog).to_be_hidden()
    page.reload()
    expect(page.locator("#prompt")).to_be_enabled()
    expect(page.locator("#terms-dialog")).not_to_have_attribute("open", "")
    page.locator("summary.user-button").click()
    page.locator("[data-sign-out]").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    _sign_in(page, lee)
    page.get_by_role("dialog", name="Terms of Use").get_by_role(
        "button", name="Decline and sign out").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    context.close()
