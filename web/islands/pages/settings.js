// Settings actions that change the refresh cookie or show secrets once: two-step
// verification enrolment and sign-out of every device. They call /api/auth/* directly.

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

export function initSettings() {
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
