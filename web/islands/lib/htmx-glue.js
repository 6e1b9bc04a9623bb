// htmx for the shell: every request carries the bearer token, the CSRF token and the
// browser's time-zone offset; error answers land in the toast region; a 401 refreshes the
// token and reissues the request once.

import htmx from "htmx.org";
import { accessToken, refresh } from "./auth.js";
import { dismissLater } from "./toast.js";

export function initHtmx() {
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content || "";
  document.body.addEventListener("htmx:configRequest", (event) => {
    const headers = event.detail.headers;
    const token = accessToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    headers["X-CSRF-Token"] = csrf;
    headers["X-TZ-Offset"] = String(new Date().getTimezoneOffset());
  });
  document.body.addEventListener("htmx:beforeSwap", (event) => {
    const xhr = event.detail.xhr;
    if (xhr.status === 401 && !event.detail.requestConfig.grcRetried) {
      event.detail.shouldSwap = false;
      const { elt, verb, path } = event.detail.requestConfig;
      refresh().then(() => {
        htmx.ajax(verb.toUpperCase(), path, { source: elt, target: event.detail.target,
          swap: elt.getAttribute("hx-swap") || undefined, values: event.detail.requestConfig.parameters })
          .catch(() => {});
      }).catch(() => location.assign("/login"));
    }
  });
  // Fragments mark the field to focus with data-autofocus, not autofocus: the browser honours
  // autofocus as soon as the node is inserted, before htmx has wired the form, and an Enter
  // typed in that gap would submit the form natively (a page navigation).
  document.body.addEventListener("htmx:load", (event) => {
    const root = event.detail.elt;
    const field = root?.matches?.("[data-autofocus]") ? root : root?.querySelector?.("[data-autofocus]");
    field?.focus();
  });
  // Keep keyboard users in place: after an item is swapped (renamed, tagged, cancelled),
  // focus its link rather than losing focus to <body>.
  document.body.addEventListener("htmx:afterSettle", (event) => {
    const item = event.detail.elt?.closest?.(".convo") || event.detail.target?.closest?.(".convo");
    if (item && item.isConnected && (document.activeElement === document.body || !document.activeElement)) {
      item.querySelector(".convo-link, input")?.focus();
    }
  });
  document.body.addEventListener("htmx:afterSwap", (event) => {
    for (const el of event.detail.target.querySelectorAll?.(".toast") || []) dismissLater(el);
    if (event.detail.target.id === "toasts") {
      const last = event.detail.target.lastElementChild;
      if (last) dismissLater(last);
    }
  });
  // A background refresh of the conversation list waits while the person has a menu open or
  // an item in edit, so what they are using is never swapped away under them.
  let deferred = false;
  const busy = () => document.querySelector("#convo-list details[open], #convo-list .convo-editing");
  document.body.addEventListener("htmx:beforeRequest", (event) => {
    const trigger = event.detail.requestConfig?.triggeringEvent?.type;
    if (event.detail.elt.id === "convo-list" && trigger === "grc:convos-changed" && busy()) {
      event.preventDefault();
      deferred = true;
    }
  });
  const resume = () => {
    if (deferred && !busy()) {
      deferred = false;
      document.body.dispatchEvent(new CustomEvent("grc:convos-changed"));
    }
  };
  document.addEventListener("toggle", resume, true);
  document.body.addEventListener("htmx:afterSettle", resume);
  document.body.addEventListener("htmx:sendError", () => {
    document.body.dispatchEvent(new CustomEvent("grc:offline"));
  });
  return htmx;
}
