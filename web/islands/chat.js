// The chat island (chat pages): wires the composer, the model picker and the controller,
// and keeps navigation between conversations inside the page (history API) so the token
// and the loaded bundle survive it. Marks "grc:composer-ready" for the page-weight bench.

import { ready } from "./lib/auth.js";
import { $, domReady } from "./lib/dom.js";
import { toast } from "./lib/toast.js";
import { ChatController } from "./chat/controller.js";
import { Composer, chooseModel, loadModels } from "./chat/composer.js";
import { McpPicker } from "./chat/tools.js";

function markCurrent(id) {
  for (const link of document.querySelectorAll("[data-convo-link]")) {
    if (link.dataset.convoLink === id) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

async function main() {
  await domReady;
  const chat = document.getElementById("chat");
  if (!chat) return;
  const select = $("#model-select");
  let controller;
  const composer = new Composer($("#composer"), (text, files) => controller.send(text, null, files));
  composer.tools = new McpPicker($("#tools-menu"));
  controller = new ChatController({ list: $("#messages"), composer, select, title: $("#chat-title"), announcer: $("#announcer") });
  $("#stop").addEventListener("click", () => controller.stop());
  await ready();
  composer.tools.load().catch(() => {});
  const hasModels = await loadModels(select).catch(() => false);
  select.disabled = !hasModels;
  composer.enable(hasModels);
  if (!hasModels) toast("No model is available. Ask an administrator to configure one.", "error");
  performance.mark("grc:composer-ready");
  document.body.dataset.composerReady = "true";

  const open = async (id, focus) => {
    markCurrent(id || "");
    document.body.classList.remove("sidebar-open");
    try {
      await controller.open(id || null);
      const last = controller.tree.path().at(-1);
      if (last?.endpoint && last?.model) chooseModel(select, last.endpoint, last.model);
    } catch (error) {
      toast(error.status === 404 ? "This conversation does not exist." : error.message, "error");
      if (error.status === 404) navigate(null);
    }
    if (focus) $("#prompt").focus();
  };
  const navigate = (id, focus = true) => {
    const path = id ? `/c/${id}` : "/";
    if (location.pathname !== path) history.pushState({ conversationId: id }, "", path);
    open(id, focus);
  };

  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-convo-link], a[data-new-chat]");
    if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(link.dataset.convoLink || null);
  });
  window.addEventListener("popstate", () => {
    const match = location.pathname.match(/^\/c\/([^/]+)$/);
    open(match ? decodeURIComponent(match[1]) : null, false);
  });
  document.body.addEventListener("htmx:afterSwap", () => markCurrent(controller.conversationId || ""));
  document.body.addEventListener("grc:conversation", (event) => {
    markCurrent(event.detail.id);
    document.body.dispatchEvent(new CustomEvent("grc:convos-changed"));
  });
  document.body.addEventListener("grc:convo-removed", (event) => {
    if (event.detail?.id === controller.conversationId) navigate(null);
  });
  document.body.addEventListener("grc:convo-renamed", (event) => {
    if (event.detail?.id === controller.conversationId) controller.setTitle(event.detail.title);
  });
  await open(chat.dataset.conversationId || null, false);
  performance.mark("grc:conversation-ready");
  document.body.dataset.conversationReady = "true";
  $("#prompt").focus();
}

main();
