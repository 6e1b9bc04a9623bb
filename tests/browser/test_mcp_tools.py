"""MCP from the browser: the composer's tool picker sends the chosen servers as
``ephemeralAgent.mcp``, the reply shows the tool call and the model's use of its result, the
choice survives a reload, and a server's own value (``customUserVars``) entered in the Tools
settings panel reaches the server. Runs its own stack with a ``gorunchat.yaml`` naming the
fixture MCP server (streamable HTTP on loopback) twice.

The offline ``demo-tools`` model (which calls the tool named in the prompt) is not in the
model menu; the test adds it to the ``/api/models`` answer the page reads.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
import yaml
from playwright.sync_api import Browser, Page, Route, expect

from tests.browser.conftest import Account, Stack, register, shoot, start, stop
from tests.browser.flows import send, sign_in, wait_done
from tests.mcp.conftest import SERVER, _serve

ROSA = Account("Rosa Tools", "rosa.tools@example.com")
ADD = 'please use add_mcp_fx-http with {"a": 2, "b": 3}'
WHOAMI = "please use whoami_mcp_fx-vars with {}"


@pytest.fixture(scope="module")
def mcp_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    folder = tmp_path_factory.mktemp("mcp-stack")
    for url, oauth_url in zip(_serve("http"), _serve("http", SERVER.parent / "oauth_server.py"),
                              strict=True):
        config = folder / "gorunchat.yaml"
        config.write_text(yaml.safe_dump({
            "mcpServers": {
                "fx-http": {"type": "streamable-http", "url": url, "title": "Calculator",
                            "description": "Adds numbers"},
                "fx-vars": {"type": "streamable-http", "url": url, "title": "Team directory",
                            "headers": {"X-User": "{{TEAM}}"},
                            "customUserVars": {"TEAM": {"title": "Team name",
                                                        "description": "Your team's name"}}},
                "fx-oauth": {"type": "streamable-http", "url": oauth_url, "title": "Protected",
                             "requiresOAuth": True},
            },
            "mcpSettings": {"allowedAddresses": ["127.0.0.1"]},
        }), encoding="utf-8")
        running = start(folder / "data", GORUNCHAT_CONFIG=str(config))
        yield running
        stop(running)


def _with_tools_model(route: Route) -> None:
    answer = route.fetch()
    models = answer.json()
    models["offline"] = [*models.get("offline", []), "demo-tools"]
    route.fulfill(response=answer, body=json.dumps(models))


def _choose(page: Page, title: str) -> None:
    page.get_by_label(re.compile(r"^Tools")).click()
    page.get_by_role("checkbox", name=title).check()
    page.keyboard.press("Escape")


def _open(browser: Browser, stack: Stack, account: Account) -> tuple[Page, list[str]]:
    register(stack, account)
    context = browser.new_context(base_url=stack.url, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text)
            if m.type == "error" and "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.route("**/api/models", _with_tools_model)
    sign_in(page, account)
    page.locator("#model-select").select_option("offline::demo-tools")
    return page, problems


def test_tools_are_chosen_in_the_composer_and_values_set_in_settings(
        browser: Browser, mcp_stack: Stack) -> None:
    page, problems = _open(browser, mcp_stack, ROSA)
    context = page.context
    sent: list[dict[str, object]] = []
    page.on("request", lambda r: sent.append(r.post_data_json)
            if r.method == "POST" and r.url.endswith("/api/agents/chat") else None)

    tools = page.locator("#tools-menu")
    expect(tools).to_be_visible()
    page.get_by_label("Tools", exact=True).click()
    menu = tools.locator("[data-tools-list]")
    expect(menu.get_by_role("checkbox", name="Calculator")).not_to_be_checked()
    expect(menu).to_contain_text("Adds numbers")
    expect(menu).to_contain_text("Needs your values")  # Team directory has no TEAM yet
    expect(menu.get_by_role("link", name="Settings for Team directory")).to_have_attribute(
        "href", "/settings#tools")
    expect(menu).to_contain_text("Sign-in needed")  # Protected wants OAuth
    menu.get_by_role("checkbox", name="Calculator").check()
    expect(tools.locator("[data-tools-count]")).to_have_text("1")
    shoot(page, "mcp-tool-picker")
    page.keyboard.press("Escape")

    reply = send(page, ADD)
    assert wait_done(reply) == "Tool result: 5"
    call = reply.locator("details.tool-call")
    expect(call).to_contain_text("Used add_mcp_fx-http")
    call.locator("summary").click()
    expect(call.locator(".tool-io code").first).to_have_text('{"a": 2, "b": 3}')
    expect(call.locator(".tool-io code").last).to_have_text("5")
    assert sent[-1]["ephemeralAgent"] == {"mcp": ["fx-http"]}

    page.reload()
    expect(page.get_by_label("Tools, 1 selected")).to_be_visible()

    page.goto("/settings")
    panel = page.locator("#panel-tools")
    team = panel.locator('[data-mcp-server="fx-vars"]')
    expect(team).to_contain_text("not set")
    team.get_by_label("Team name").fill("blue-team")
    team.get_by_role("button", name="Save values for Team directory").click()
    expect(panel.locator(".notice")).to_have_text("Your values for fx-vars were saved.")
    expect(team.locator("label")).to_contain_text("set")
    expect(team).not_to_contain_text("Needs your values")
    shoot(page, "mcp-settings-tools")

    page.goto("/")
    expect(page.locator("#prompt")).to_be_enabled()
    page.locator("#model-select").select_option("offline::demo-tools")
    _choose(page, "Team directory")
    expect(page.get_by_label("Tools, 2 selected")).to_be_visible()
    reply = send(page, WHOAMI)
    assert wait_done(reply) == "Tool result: blue-team"
    assert sent[-1]["ephemeralAgent"] == {"mcp": ["fx-http", "fx-vars"]}
    context.close()
    assert problems == []


def test_a_tool_call_asks_to_sign_in_to_an_oauth_server_and_the_reply_goes_on(
        browser: Browser, mcp_stack: Stack) -> None:
    page, problems = _open(browser, mcp_stack, Account("Omar OAuth", "omar.oauth@example.com"))
    _choose(page, "Protected")
    reply = send(page, 'please use secret_echo_mcp_fx-oauth with {"text": "hi"}')
    sign = reply.locator(".tool-auth").get_by_role("button", name="Sign in")
    expect(sign).to_be_visible()
    expect(reply.locator(".tool-auth")).to_contain_text("fx-oauth needs you to sign in.")
    shoot(page, "mcp-tool-sign-in")
    with page.context.expect_page() as opened:
        sign.click()
    opened.value.wait_for_url(re.compile(r"/oauth/success"))
    assert wait_done(reply) == "Tool result: secret: hi"
    expect(reply.locator("details.tool-call")).to_have_count(2)
    expect(reply.locator("details.tool-call").last).to_contain_text("Used secret_echo_mcp_fx-oauth")
    expect(reply.locator(".tool-auth")).to_have_count(0)  # done: no stale button

    # The Tools panel: reconnect with the token, sign out, and sign in again from there.
    page.goto("/settings")
    protected = page.locator('#panel-tools [data-mcp-server="fx-oauth"]')
    protected.get_by_role("button", name="Reconnect Protected").click()
    expect(page.locator("#toasts")).to_contain_text("fx-oauth is connected.")
    expect(protected.locator(".mcp-state")).to_contain_text("Connected")
    protected.get_by_role("button", name="Sign out of Protected").click()
    expect(page.locator("#toasts")).to_contain_text("Signed out of fx-oauth.")
    expect(protected.locator(".mcp-state")).to_contain_text("Sign-in needed")
    with page.context.expect_page() as opened:
        protected.get_by_role("button", name="Sign in to Protected").click()
    opened.value.wait_for_url(re.compile(r"/oauth/success"))
    page.bring_to_front()
    page.evaluate("window.dispatchEvent(new Event('focus'))")  # back from the sign-in tab
    expect(protected.locator(".mcp-state")).to_contain_text("Connected")
    page.context.close()
    assert problems == []
