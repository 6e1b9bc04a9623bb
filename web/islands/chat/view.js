// DOM of one message: author, optional reasoning block, Markdown body (or the user's plain
// text), an error bubble, sibling navigation and the action buttons. Buttons carry
// data-action; the chat island handles them by delegation.

import { h, icon } from "../lib/dom.js";
import { renderMarkdown } from "./markdown.js";
import { signInButton } from "./tools.js";

function actionButton(action, label, name, extra = {}) {
  return h("button", { type: "button", class: "icon-btn", "data-action": action, "aria-label": label, title: label, ...extra }, icon(name));
}

function siblingNav(index, count) {
  if (count < 2) return null;
  return h("div", { class: "siblings", role: "group", "aria-label": "Versions" },
    actionButton("prev", "Previous version", "chevron-left", { disabled: index === 0 }),
    h("span", { class: "sibling-count", "aria-live": "polite" }, `${index + 1} / ${count}`),
    actionButton("next", "Next version", "chevron-right", { disabled: index === count - 1 }));
}

function actions(m, nav) {
  const bar = h("div", { class: "msg-actions" }, nav);
  if (m.streaming) return bar;
  bar.append(actionButton("copy", "Copy message", "copy"));
  if (m.isCreatedByUser) {
    bar.append(actionButton("edit", "Edit message", "pencil"));
    return bar;
  }
  const rating = m.feedback?.rating;
  if (m.error) {
    bar.append(actionButton("regenerate", "Regenerate reply", "refresh-cw"));
    return bar;
  }
  bar.append(actionButton("regenerate", "Regenerate reply", "refresh-cw"),
    actionButton("thumbsUp", "Good reply", "thumbs-up", { "aria-pressed": String(rating === "thumbsUp") }),
    actionButton("thumbsDown", "Bad reply", "thumbs-down", { "aria-pressed": String(rating === "thumbsDown") }));
  return bar;
}

export function messageText(m) {
  if (Array.isArray(m.content) && m.content.length) {
    return m.content.filter((p) => p && p.type === "text").map((p) => p.text || "").join("") || m.text || "";
  }
  return m.text || "";
}

export function messageThinking(m) {
  return (m.content || []).filter((p) => p && p.type === "think").map((p) => p.think || "").join("");
}

function toolCalls(article, m, body) {
  const calls = (m.content || []).filter((p) => p && p.type === "tool_call" && p.tool_call);
  let box = article.querySelector(".tool-calls");
  if (!calls.length) {
    box?.remove();
    return;
  }
  if (!box) body.before((box = h("div", { class: "tool-calls" })));
  box.replaceChildren(...calls.flatMap(({ tool_call: call }) => [h("details", { class: "tool-call" },
    h("summary", {}, icon("sliders-horizontal"), h("span", {}, call.output === undefined || call.output === null
      ? `Using ${call.name}…` : `Used ${call.name}`)),
    h("div", { class: "tool-io" },
      h("p", { class: "small muted" }, "Arguments"), h("pre", {}, h("code", {}, call.args || "{}")),
      call.output ? h("p", { class: "small muted" }, "Result") : null,
      call.output ? h("pre", {}, h("code", {}, String(call.output).slice(0, 20_000))) : null)),
  wantsSignIn(call) ? h("div", { class: "tool-auth", role: "group", "aria-label": `Sign-in for ${call.name}` },
    h("span", { class: "small" }, call.name.startsWith(MCP_SIGN_IN) ? `${call.name.slice(MCP_SIGN_IN.length)} needs you to sign in.`
      : "This tool needs you to sign in first."), signInButton(call)) : null]));
}

// An MCP server's sign-in step is only worth a button while the reply waits for it; an
// action's sign-in stays on its (failed) call so the person can sign in and ask again.
const MCP_SIGN_IN = "oauth_mcp_";

function wantsSignIn(call) {
  if (!call.auth || typeof call.auth !== "string") return false;
  const done = call.output !== undefined && call.output !== null;
  return !((call.name || "").startsWith(MCP_SIGN_IN) && done);
}

export function fillBody(article, m) {
  const body = article.querySelector(".msg-content");
  toolCalls(article, m, body);
  const thinking = messageThinking(m);
  let reasoning = article.querySelector(".reasoning");
  if (thinking && !reasoning) {
    reasoning = h("details", { class: "reasoning" },
      h("summary", {}, icon("brain"), h("span", { class: "reasoning-label" }, "Reasoning")),
      h("div", { class: "md reasoning-body" }));
    body.before(reasoning);
  }
  if (reasoning) {
    const busy = m.streaming && !messageText(m);
    reasoning.querySelector(".reasoning-label").textContent = busy ? "Thinking…" : "Reasoning";
    reasoning.querySelector(".reasoning-body").textContent = thinking;
  }
  if (m.isCreatedByUser) body.textContent = m.text || "";
  else renderMarkdown(body, messageText(m), !m.streaming);
  article.classList.toggle("is-streaming", Boolean(m.streaming));
  body.setAttribute("aria-busy", m.streaming ? "true" : "false");
  let error = article.querySelector(".msg-error");
  if (m.error && m.errorText !== undefined) {
    if (!error) {
      error = h("div", { class: "msg-error", role: "alert" }, icon("circle-alert"), h("span", {}));
      body.after(error);
    }
    error.querySelector("span").textContent = m.errorText;
  } else if (error) {
    error.remove();
  }
  let note = article.querySelector(".msg-note");
  const noteText = m.aborted ? "Stopped" : (m.unfinished && !m.streaming ? "Incomplete" : "");
  if (noteText && !note) body.after((note = h("p", { class: "msg-note" })));
  if (note) {
    note.textContent = noteText;
    note.hidden = !noteText;
  }
}

export function messageView(m, siblingIndex, siblingCount) {
  const author = m.isCreatedByUser ? "You" : (m.sender || "Assistant");
  const article = h("article", {
    class: `msg ${m.isCreatedByUser ? "msg-user" : "msg-assistant"}`,
    "data-message-id": m.messageId, "aria-label": m.isCreatedByUser ? "Your message" : `Reply from ${author}`,
  },
  h("div", { class: "msg-avatar", "aria-hidden": "true" }, m.isCreatedByUser ? icon("user-round") : icon("sparkles")),
  h("div", { class: "msg-main" },
    h("div", { class: "msg-author" }, author),
    h("div", { class: m.isCreatedByUser ? "msg-content user-text" : "md msg-content" }),
    actions(m, siblingNav(siblingIndex, siblingCount))));
  fillBody(article, m);
  return article;
}

export function editForm(m) {
  const area = h("textarea", { class: "edit-area", "aria-label": "Edit your message", rows: "3" });
  area.value = m.text || "";
  return h("form", { class: "edit-form", "data-edit-for": m.messageId },
    area,
    h("div", { class: "edit-buttons" },
      h("button", { type: "button", class: "btn", "data-action": "cancel-edit" }, "Cancel"),
      h("button", { type: "submit", class: "btn btn-primary" }, "Save & submit")));
}
