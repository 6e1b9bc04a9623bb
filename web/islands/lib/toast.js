// Toasts: short status messages in a polite live region (errors use role="alert").

import { $, h, icon } from "./dom.js";

export function dismissLater(el, ms = 6000) {
  setTimeout(() => el.remove(), el.classList.contains("toast-error") ? ms * 1.5 : ms);
}

export function toast(message, kind = "info") {
  const region = $("#toasts");
  if (!region) return;
  const close = h("button", { type: "button", class: "icon-btn", "aria-label": "Dismiss" }, icon("x"));
  const el = h("div", { class: `toast toast-${kind}`, role: kind === "error" ? "alert" : "status" },
    h("span", {}, message), close);
  close.addEventListener("click", () => el.remove());
  region.append(el);
  dismissLater(el);
}
