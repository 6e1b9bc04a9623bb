// Every page loads this island: theme controls, the account forms, or — on signed-in pages —
// the sign-in, htmx wiring, the user menu, downloads and the terms dialog. It announces
// "grc:ready" on <body> once a token is held; htmx fragments and the chat island wait for it.

import { boot, currentUser, signOut, api, apiJson } from "./lib/auth.js";
import { $, $$, domReady } from "./lib/dom.js";
import { initHtmx } from "./lib/htmx-glue.js";
import { initThemeControls } from "./lib/theme.js";
import { toast } from "./lib/toast.js";
import { initAuthForms } from "./pages/auth-forms.js";
import { initSettings } from "./pages/settings.js";
import { initShare } from "./pages/share.js";

export function pageConfig() {
  const el = document.getElementById("grc-config");
  try {
    return el ? JSON.parse(el.textContent) : {};
  } catch {
    return {};
  }
}

function showUser(user) {
  for (const el of $$("[data-user-name]")) el.textContent = user.name || user.username || user.email;
  for (const el of $$("[data-user-email]")) el.textContent = user.email;
  for (const el of $$("[data-user-initial]")) el.textContent = (user.name || user.email || "?").trim()[0].toUpperCase();
  const admin = user.role === "ADMIN" || user.role === "SUPER_ADMIN";
  for (const el of $$("[data-admin-only]")) el.hidden = !admin;
  document.body.dataset.role = user.role;
}

async function download(button) {
  const response = await api("GET", button.dataset.download);
  if (!response.ok) {
    toast("The download failed.", "error");
    return;
  }
  const url = URL.createObjectURL(await response.blob());
  const link = Object.assign(document.createElement("a"), { href: url, download: button.dataset.filename || "download" });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function wireShell() {
  document.addEventListener("click", (event) => {
    const target = event.target.closest("[data-sign-out], [data-download], [data-sidebar-toggle]");
    if (!target) return;
    if (target.matches("[data-sign-out]")) signOut();
    else if (target.matches("[data-download]")) download(target);
    else document.body.classList.toggle("sidebar-open");
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      const open = $("details[open].menu");
      if (open) {
        open.open = false;
        open.querySelector("summary")?.focus();
      } else {
        document.body.classList.remove("sidebar-open");
      }
    }
  });
  document.addEventListener("click", (event) => {
    for (const menu of $$("details[open].menu")) if (!menu.contains(event.target)) menu.open = false;
    // A chosen menu item closes its menu (after htmx has taken the click).
    const item = event.target.closest(".menu-item");
    if (item) setTimeout(() => { item.closest("details.menu")?.removeAttribute("open"); }, 0);
  });
}

async function termsDialog(config) {
  const terms = config?.interface?.termsOfService;
  if (!terms?.modalAcceptance) return;
  const state = await apiJson("GET", "/api/user/terms");
  if (state.termsAccepted) return;
  const dialog = $("#terms-dialog");
  if (!dialog) return;
  const content = Array.isArray(terms.modalContent) ? terms.modalContent.join("\n") : terms.modalContent;
  $("[data-terms-body]", dialog).textContent = content || "";
  if (terms.modalTitle) $("#terms-title", dialog).textContent = terms.modalTitle;
  dialog.addEventListener("cancel", (event) => event.preventDefault());  // Escape is no answer
  dialog.showModal();
  $("[data-terms-accept]", dialog).addEventListener("click", async () => {
    await apiJson("POST", "/api/user/terms/accept", {});
    dialog.close();
  });
  $("[data-terms-decline]", dialog).addEventListener("click", () => signOut());
}

async function main() {
  await domReady;
  initThemeControls();
  const page = document.body.dataset.page;
  if (page === "auth") {
    initAuthForms();
    return;
  }
  if (page === "share") {
    const gated = $("[data-share-id]");
    if (gated) await initShare(gated);
    return;
  }
  initHtmx();
  wireShell();
  const user = await boot();
  showUser(user);
  if (page === "settings") initSettings();
  document.body.dispatchEvent(new CustomEvent("grc:ready", { detail: currentUser() }));
  termsDialog(pageConfig()).catch(() => {});
}

main();
