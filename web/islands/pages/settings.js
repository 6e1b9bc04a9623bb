// Settings actions that change the refresh cookie or show secrets once: two-step
// verification enrolment and sign-out of every device. They call /api/auth/* directly.
// The Tools panel's sign-in, sign-out and reconnect call /api/mcp/* directly too: the
// sign-in's answer binds the OAuth flow to this browser with a cookie.

import htmx from "htmx.org";
import { apiJson, markSignedOut } from "../lib/auth.js";
import { $, h } from "../lib/dom.js";
import { toast } from "../lib/toast.js";

async function enable(panel) {
  const answer = await apiJson("POST", "/api/auth/2fa/enable", {});
  const secret = (answer.otpauthUrl || "").match(/secret=([^&]+)/)?.[1] || "";
  const box = $("[data-twofa-setup]", panel);
  box.replaceChildren(
    h("p", {}, "Add this key to your authenticator app, then enter the 6-digit code it shows."),
    h("p", {}, h("code", { class: "secret", "data-twofa-secret": secret }, secret)),
    answer.backupCodes?.length ? h("details", {}, h("summary", {}, "Backup codes (save them now)"),
      h("ul", { class: "codes" }, answer.backupCodes.map((c) => h("li", {}, h("code", {}, c))))) : null,
    h("form", { class: "inline-form", "data-twofa-confirm": true },
      h("label", { for: "twofa-code" }, "Code"),
      h("input", { id: "twofa-code", name: "token", inputmode: "numeric", autocomplete: "one-time-code", required: true, pattern: "[0-9 ]{6,8}" }),
      h("button", { type: "submit", class: "btn btn-primary" }, "Turn on")));
  box.hidden = false;
  $("#twofa-code", box).focus();
}

async function confirm(form) {
  const token = new FormData(form).get("token").replace(/\s+/g, "");
  await apiJson("POST", "/api/auth/2fa/confirm", { token });
  toast("Two-step verification is on.");
  htmx.trigger("#panel-twofa", "grc:reload");
}

async function disable(form) {
  const code = new FormData(form).get("token").replace(/\s+/g, "");
  await apiJson("POST", "/api/auth/2fa/disable", code.length > 6 ? { backupCode: code } : { token: code });
  toast("Two-step verification is off.");
  htmx.trigger("#panel-twofa", "grc:reload");
}

async function signOutEverywhere() {
  await apiJson("POST", "/api/auth/logout/all", {});
  markSignedOut();
  location.assign("/login");
}

const mcpPath = (name, rest) => `/api/mcp/${encodeURIComponent(name)}${rest}`;
let pendingSignIn = null; // { name, flowId } of the sign-in whose tab is open

function reloadTools() {
  htmx.trigger("#panel-tools", "grc:reload");
}

async function mcpSignIn(name) {
  const answer = await apiJson("POST", mcpPath(name, "/reinitialize"), {});
  if (answer.oauthRequired && answer.oauthUrl) {
    const url = new URL(answer.oauthUrl);
    if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error("The sign-in link is not a web address.");
    pendingSignIn = { name, flowId: url.searchParams.get("state") };
    window.open(url.href, "_blank", "noopener");
    toast(`Finish signing in to ${name} in the new tab.`);
    return;
  }
  toast(`${name} is connected.`);
  reloadTools();
}

// Back from the sign-in tab: once the flow is complete, connect with the new token and show
// the server's new state (a flow still pending is left alone: its tab may still be open).
async function afterSignIn() {
  const pending = pendingSignIn;
  if (!pending) return;
  if (pending.flowId) {
    const flow = await apiJson("GET", `/api/mcp/oauth/status/${encodeURIComponent(pending.flowId)}`);
    if (flow.status === "pending") return;
    pendingSignIn = null;
    if (flow.status !== "complete") {
      toast(`The sign-in to ${pending.name} did not finish.`, "error");
      reloadTools();
      return;
    }
  }
  pendingSignIn = null;
  await mcpReconnect(pending.name);
}

async function mcpSignOut(name) {
  await apiJson("POST", `/api/mcp/oauth/cancel/${encodeURIComponent(name)}`, {});
  toast(`Signed out of ${name}.`);
  reloadTools();
}

async function mcpReconnect(name) {
  const answer = await apiJson("POST", mcpPath(name, "/reinitialize"), {});
  toast(answer.oauthRequired ? `${name} needs you to sign in.` : `${name} is connected.`);
  reloadTools();
}

function mcpAction(button) {
  if (button.matches("[data-mcp-sign-in]")) return mcpSignIn(button.dataset.mcpSignIn);
  if (button.matches("[data-mcp-sign-out]")) return mcpSignOut(button.dataset.mcpSignOut);
  return mcpReconnect(button.dataset.mcpReconnect);
}

export function initSettings() {
  document.addEventListener("click", (event) => {
    const mcp = event.target.closest("[data-mcp-sign-in], [data-mcp-sign-out], [data-mcp-reconnect]");
    if (!mcp) return;
    mcp.disabled = true;
    mcpAction(mcp).catch((error) => toast(error.message, "error")).finally(() => { mcp.disabled = false; });
  });
  window.addEventListener("focus", () => { afterSignIn().catch(() => {}); });
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-twofa-enable], [data-sign-out-all]");
    if (!button) return;
    const run = button.matches("[data-twofa-enable]") ? enable(button.closest("section")) : signOutEverywhere();
    run.catch((error) => toast(error.message, "error"));
  });
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!form.matches("[data-twofa-confirm], [data-twofa-disable]")) return;
    event.preventDefault();
    const run = form.matches("[data-twofa-confirm]") ? confirm(form) : disable(form);
    run.catch((error) => toast(error.message, "error"));
  });
}
