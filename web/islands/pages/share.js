// The shared-conversation page when links need sign-in (ALLOW_SHARED_LINKS_PUBLIC off): the
// server could not read the link without a token, so sign in (or go to the sign-in page and
// come back) and render the link's messages here. Text goes in as text, never as HTML.

import { api, apiJson, boot } from "../lib/auth.js";
import { $ } from "../lib/dom.js";

async function fileItem(file) {
  const item = document.createElement("li");
  const response = await api("GET", file.type.startsWith("image/") ? file.filepath : `${file.filepath}/download`);
  if (!response.ok) return null;
  const url = URL.createObjectURL(await response.blob());
  if (file.type.startsWith("image/")) {
    item.append(Object.assign(document.createElement("img"), { src: url, alt: file.filename }));
  } else {
    item.append(Object.assign(document.createElement("a"), { href: url, download: file.filename, textContent: file.filename }));
  }
  return item;
}

async function messageItem(message) {
  const mine = message.isCreatedByUser;
  const sender = mine ? "User" : message.sender || "Assistant";
  const article = Object.assign(document.createElement("article"), { className: `msg ${mine ? "msg-user" : "msg-assistant"}` });
  article.setAttribute("aria-label", mine ? "Message" : `Reply from ${sender}`);
  const main = Object.assign(document.createElement("div"), { className: "msg-main" });
  main.append(Object.assign(document.createElement("div"), { className: "msg-author", textContent: sender }),
    Object.assign(document.createElement("div"), { className: "msg-content user-text", textContent: message.text }));
  if (message.files?.length) {
    const list = Object.assign(document.createElement("ul"), { className: "msg-files" });
    list.append(...(await Promise.all(message.files.map(fileItem))).filter(Boolean));
    main.append(list);
  }
  article.append(main);
  return article;
}

export async function initShare(root) {
  await boot();
  const status = $("[data-share-status]", root);
  try {
    const shared = await apiJson("GET", `/api/share/${encodeURIComponent(root.dataset.shareId)}`);
    const section = $("[data-share-messages]", root);
    section.append(...(await Promise.all(shared.messages.map(messageItem))));
    $("[data-share-title]", root).textContent = shared.title || "Shared conversation";
    document.title = `${shared.title || "Shared conversation"} · ${document.body.dataset.appTitle}`;
    status.remove();
    $("[data-share-sign-in]", root)?.remove();
    section.hidden = false;
  } catch {
    status.textContent = "This shared link does not exist or was removed.";
    $("[data-share-sign-in]", root)?.remove();
  }
}
