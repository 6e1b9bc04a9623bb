"""An administrator in the admin pages: change a user's role, place a legal hold, verify
the audit chain — and the audit log shows both changes."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import Account, Stack, register, shoot
from tests.browser.flows import sign_in
from tests.browser.test_accessibility import AXE, axe_violations

BOB = Account("Bob Custodian", "bob.custodian@example.com")


def _no_serious_violations(page: Page) -> None:
    if AXE.exists():
        assert axe_violations(page) == []


def test_admin_changes_a_role_places_a_hold_and_verifies_the_chain(
        page: Page, stack: Stack, admin: Account) -> None:
    register(stack, BOB)
    sign_in(page, admin)
    page.locator("summary.user-button").click()
    page.get_by_role("link", name="Admin").click()
    expect(page).to_have_url(re.compile(r"/admin$"))
    row = page.locator("tr", has_text=BOB.email)
    expect(row).to_be_visible()
    shoot(page, "admin-users")
    _no_serious_violations(page)
    row.get_by_label(f"Role of {BOB.email}").select_option("ADMIN")
    row.get_by_role("button", name="Apply").click()
    expect(page.locator("#admin-panel .notice")).to_have_text("The role is now ADMIN.")
    expect(page.locator("tr", has_text=BOB.email).get_by_label(f"Role of {BOB.email}")
           ).to_have_value("ADMIN")

    page.get_by_role("link", name="Legal holds").click()
    expect(page).to_have_url(re.compile(r"/admin/holds$"))
    page.get_by_label("Name").fill("Matter 42")
    page.get_by_label("Matter").fill("Contract dispute")
    page.get_by_label("Custodians").fill(BOB.email)
    page.get_by_role("button", name="Place hold").click()
    expect(page.locator("#admin-panel .notice")).to_have_text("The hold Matter 42 is in place.")
    expect(page.locator("#admin-panel .row-item", has_text="Matter 42")).to_contain_text("active")
    shoot(page, "admin-holds")
    _no_serious_violations(page)

    page.get_by_role("link", name="Audit log").click()
    expect(page).to_have_url(re.compile(r"/admin/audit$"))
    page.get_by_role("button", name="Verify chain").click()
    expect(page.locator("#verify-result")).to_contain_text("Chain intact")
    table = page.locator("#admin-panel table")
    expect(table).to_contain_text("admin.user_role")
    expect(table).to_contain_text("admin.hold_create")
    shoot(page, "admin-audit")
    _no_serious_violations(page)
    page.get_by_label("Action").fill("admin.hold_create")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#admin-panel tbody tr")).to_have_count(1)
    with page.expect_download() as download:
        page.get_by_role("button", name="Export CSV").click()
    assert download.value.suggested_filename == "audit-log.csv"
    rows = Path(download.value.path()).read_text(encoding="utf-8").strip().splitlines()
    assert len(rows) == 2 and "admin.hold_create" in rows[1]  # the header and the filtered row


def test_every_admin_section_renders_without_serious_violations(page: Page,
                                                                admin: Account) -> None:
    sign_in(page, admin)
    for section in ("roles", "groups", "exports", "retention"):
        page.goto(f"/admin/{section}")
        expect(page.locator("#admin-panel form").first).to_be_visible()
        shoot(page, f"admin-{section}")
        _no_serious_violations(page)


def test_a_user_who_is_not_an_admin_sees_no_admin_data(page: Page, stack: Stack) -> None:
    carol = Account("Carol User", "carol.user@example.com")
    register(stack, carol)
    sign_in(page, carol)
    page.locator("summary.user-button").click()
    expect(page.get_by_role("link", name="Settings")).to_be_visible()
    expect(page.get_by_role("link", name="Admin")).to_be_hidden()
    page.goto("/admin/users")
    expect(page.locator("#toasts")).to_contain_text("admin")
    expect(page.locator("#admin-panel table")).to_have_count(0)
