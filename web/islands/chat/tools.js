// MCP in the chat: the composer's tool picker (the servers the user may use, with checkboxes;
// the choice is kept in localStorage and sent as LibreChat's ephemeralAgent.mcp), and the
// "Sign in" of a tool call that carries an OAuth sign-in URL (its `auth` field).

import { apiJson } from "../lib/auth.js";
import { $, h, icon } from "../lib/dom.js";
import { toast } from "../lib/toast.js";

const STORE = "grc:mcp";
const SETTINGS = "/settings#tools";
const enc = encodeURIComponent;

function stored() {
  try {
    const names = JSON.parse(localStorage.getItem(STORE) || "[]");
    return Array.isArray(names) ? names.filter((n) => typeof n === "string") : [];
  } catch {
    return [];
  }
}

// What a server needs from the user before it can work, if anything.
function need(state, flags) {
  if (flags && Object.values(flags).some((v) => !v)) return "Needs your values";
  if (state?.requiresOAuth && state.connectionState !== "connected") return "Sign-in needed";
  if (state?.connectionState === "error") return "Error";
  return "";
}

export class McpPicker {
  constructor(menu) {
    this.menu = menu;
    this.list = $("[data-tools-list]", menu);
    this.badge = $("[data-tools-count]", menu);
    this.summary = $("summary", menu);
    this.chosen = new Set(stored());
    this.servers = null; // null until loaded: then [{name, title, description, need, error}]
    this.loading = null;
    menu.addEventListener("toggle", () => { if (menu.open) this.load().catch(() => {}); });
    this.list.addEventListener("change", (event) => {
      const box = event.target.closest("input[type=checkbox]");
      if (!box) return;
      if (box.checked) this.chosen.add(box.value);
      else this.chosen.delete(box.value);
      localStorage.setItem(STORE, JSON.stringify([...this.chosen]));
      this.showCount();
    });
    this.showCount();
  }

  // The chosen servers that still exist (all the stored ones until the list has loaded).
  selected() {
    const names = [...this.chosen];
    if (!this.servers) return names;
    const known = new Set(this.servers.map((s) => s.name));
    return names.filter((n) => known.has(n));
  }

  load() {
    if (!this.loading) this.loading = this.fetch().finally(() => { this.loading = null; });
    return this.loading;
  }

  async fetch() {
    const [servers, status] = await Promise.all([apiJson("GET", "/api/mcp/servers"),
      apiJson("GET", "/api/mcp/connection/status").catch(() => ({}))]);
    const states = status?.connectionStatus || {};
    const rows = await Promise.all((servers || []).map(async (s) => {
      const config = s.config || {};
      const wantsValues = Object.keys(config.customUserVars || {}).length > 0 || config.apiKey?.source === "user";
      const flags = wantsValues
        ? (await apiJson("GET", `/api/mcp/${enc(s.serverName)}/auth-values`).catch(() => null))?.authValueFlags
        : null;
      const state = states[s.serverName];
      return { name: s.serverName, title: config.title || s.serverName, description: config.description || "",
        need: need(state, flags), error: state?.error || "" };
    }));
    rows.sort((a, b) => a.title.localeCompare(b.title));
    const same = JSON.stringify(rows) === JSON.stringify(this.servers);
    this.servers = rows;
    this.menu.hidden = rows.length === 0;
    if (!same) this.render(); // unchanged: keep the list (and focus) as it is
    else this.showCount();
  }

  render() {
    const rows = this.servers || [];
    this.list.replaceChildren(
      h("p", { class: "tools-head small muted" }, "MCP servers for this chat"),
      ...rows.map((s, i) => {
        const id = `tool-server-${i}`;
        return h("div", { class: "tools-item" },
          h("input", { type: "checkbox", id, value: s.name, checked: this.chosen.has(s.name),
            "aria-describedby": s.need || s.description ? `${id}-note` : null }),
          h("label", { for: id }, s.title),
          s.need || s.description ? h("p", { class: "tools-note small muted", id: `${id}-note` },
            s.need ? h("span", { class: "badge badge-bad", title: s.error || null }, s.need) : null,
            s.need ? " " : null,
            s.need ? h("a", { href: SETTINGS }, "Settings", h("span", { class: "visually-hidden" }, ` for ${s.title}`))
              : s.description) : null);
      }),
      h("a", { class: "tools-manage small", href: SETTINGS }, "Manage tools"));
    this.showCount();
  }

  showCount() {
    const count = this.selected().length;
    this.badge.textContent = String(count);
    this.badge.hidden = count === 0;
    this.summary.setAttribute("aria-label", count ? `Tools, ${count} selected` : "Tools");
  }
}

// ---- Sign in from a tool call -------------------------------------------------------------

const ACTION_CALLBACK = /\/api\/actions\/([^/]+)\/oauth\/callback\/?$/;
const MCP_CALLBACK = /\/api\/mcp\/([^/]+)\/oauth\/callback\/?$/;

function callbackPath(url) {
  try {
    return new URL(url.searchParams.get("redirect_uri") || "", location.origin).pathname;
  } catch {
    return "";
  }
}

// Bind the sign-in flow to this browser (a cookie the callback checks), then open the
// provider's page in a new tab.
export async function toolSignIn(call) {
  let url;
  try {
    url = new URL(call.auth);
  } catch {
    throw new Error("The sign-in link is not valid.");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error("The sign-in link is not a web address.");
  const path = callbackPath(url);
  if ((call.name || "").includes("_action_")) {
    const actionId = path.match(ACTION_CALLBACK)?.[1];
    if (!actionId) throw new Error("This sign-in link does not name its action.");
    await apiJson("POST", `/api/actions/${enc(decodeURIComponent(actionId))}/oauth/bind`, {});
  } else {
    const fromPath = path.match(MCP_CALLBACK)?.[1];
    const server = fromPath ? decodeURIComponent(fromPath) : (call.name || "").replace(/^oauth_mcp_/, "");
    const flowId = url.searchParams.get("state");
    if (!server || !flowId) throw new Error("This sign-in link does not name its server.");
    await apiJson("POST", `/api/mcp/${enc(server)}/oauth/bind`, { flowId });
  }
  window.open(url.href, "_blank", "noopener");
}

export function signInButton(call) {
  const button = h("button", { type: "button", class: "btn btn-small btn-primary" }, icon("log-in"), "Sign in");
  button.addEventListener("click", () => {
    button.disabled = true;
    toolSignIn(call).catch((error) => toast(error.message, "error")).finally(() => { button.disabled = false; });
  });
  return button;
}
