// The live chat: loads a conversation's messages, sends, streams and resumes replies, and
// handles stop, regenerate, edit-and-resend, sibling switching, feedback and copy.
//
// Resume: every frame's seq and the reply so far are kept in sessionStorage per stream, so a
// reload asks /api/agents/chat/active for this conversation's running generation and
// continues it with Last-Event-ID = the last seq seen — the reply is never doubled.

import { apiJson } from "../lib/auth.js";
import { uuid } from "../lib/dom.js";
import { toast } from "../lib/toast.js";
import { Announcer } from "./announce.js";
import { follow } from "./sse.js";
import { MessageTree, NO_PARENT, ReplyParts } from "./tree.js";
import { editForm, fillBody, messageText, messageView } from "./view.js";

const STORE = "grc:stream:";

export class ChatController {
  constructor({ list, composer, select, title, announcer }) {
    this.list = list;
    this.composer = composer;
    this.select = select;
    this.title = title;
    this.announcer = new Announcer(announcer);
    this.tree = new MessageTree();
    this.conversationId = null;
    this.live = null; // { streamId, reply, parts, controller }
    this.views = new Map();
    list.addEventListener("click", (event) => this.onClick(event));
    list.addEventListener("submit", (event) => this.onEditSubmit(event));
  }

  // ---------------------------------------------------------------- loading

  async open(conversationId) {
    this.detach();
    this.conversationId = conversationId;
    this.tree.reset();
    this.views.clear();
    this.render();
    if (!conversationId) {
      this.setTitle("New chat");
      return;
    }
    const [messages, convo] = await Promise.all([
      apiJson("GET", `/api/messages/${encodeURIComponent(conversationId)}`),
      apiJson("GET", `/api/convos/${encodeURIComponent(conversationId)}`).catch(() => null),
    ]);
    if (this.conversationId !== conversationId) return;
    this.tree.reset(messages);
    this.setTitle(convo?.title || "Chat");
    this.render();
    await this.resumeIfRunning(conversationId);
  }

  async resumeIfRunning(conversationId) {
    const active = await apiJson("GET", "/api/agents/chat/active");
    const running = (active.generations || []).find((g) => g.conversationId === conversationId && g.status === "running");
    if (!running || this.conversationId !== conversationId) return;
    const saved = JSON.parse(sessionStorage.getItem(STORE + running.streamId) || "null");
    const reply = saved?.reply
      ? this.tree.rename(saved.reply.messageId, { ...saved.reply, streaming: true })
      : null;
    if (reply) this.tree.choose(reply);
    this.stream(running.streamId, saved?.seq || 0, reply, saved ? saved.parts : null, true);
  }

  setTitle(text) {
    this.title.textContent = text;
    document.title = `${text} · ${document.body.dataset.appTitle || "GoRunChat"}`;
  }

  // ---------------------------------------------------------------- rendering

  render() {
    const path = this.tree.path();
    const fragment = document.createDocumentFragment();
    for (const m of path) {
      const siblings = this.tree.siblings(m);
      const index = siblings.findIndex((s) => s.messageId === m.messageId);
      const key = `${m.messageId}:${index}/${siblings.length}:${m.feedback?.rating || ""}:${m.streaming ? 1 : 0}:${m.error ? 1 : 0}`;
      let el = this.views.get(m.messageId);
      if (!el || el.dataset.key !== key) {
        el = messageView(m, index, siblings.length);
        el.dataset.key = key;
        this.views.set(m.messageId, el);
      }
      fragment.append(el);
    }
    this.list.replaceChildren(fragment);
    document.getElementById("chat").classList.toggle("is-empty", path.length === 0);
    this.scrollToEnd();
  }

  scrollToEnd() {
    const scroller = this.list.closest(".messages-scroll") || this.list;
    const near = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 160;
    if (near || this.live) scroller.scrollTop = scroller.scrollHeight;
  }

  refreshOne(m) {
    const el = this.views.get(m.messageId);
    if (el) fillBody(el, m);
    this.scrollToEnd();
  }

  // ---------------------------------------------------------------- sending

  model() {
    const [endpoint, model] = (this.select.value || "offline::demo").split("::");
    return { endpoint, model };
  }

  async send(text, parentId, files = []) {
    if (this.live) return;
    const parent = parentId || this.tree.path().at(-1)?.messageId || NO_PARENT;
    const user = this.tree.put({ messageId: uuid(), parentMessageId: parent, conversationId: this.conversationId,
      text, isCreatedByUser: true, sender: "User", createdAt: new Date().toISOString(), files });
    const { endpoint, model } = this.model();
    // Name the pending reply as the model's earlier replies were named, so it does not change.
    const earlier = [...this.tree.byId.values()].reverse()
      .find((m) => !m.isCreatedByUser && m.endpoint === endpoint && m.sender && !m.streaming);
    const label = earlier?.sender || this.select.selectedOptions[0]?.closest("optgroup")?.label || model;
    const reply = this.tree.put({ messageId: uuid(), parentMessageId: user.messageId, isCreatedByUser: false,
      sender: label, content: [], text: "", streaming: true, createdAt: new Date(Date.now() + 1).toISOString() });
    this.tree.choose(reply);
    this.render();
    const body = { text, conversationId: this.conversationId, parentMessageId: parent, messageId: user.messageId,
      responseMessageId: reply.messageId, clientRequestId: uuid(), endpoint, model,
      modelParameters: this.composer.parameters() };
    if (files.length) body.files = files;
    const mcp = this.composer.tools?.selected() || [];
    if (mcp.length) body.ephemeralAgent = { mcp };
    this.composer.setBusy(true);
    try {
      const answer = await apiJson("POST", "/api/agents/chat", body);
      if (!this.conversationId) this.adoptConversation(answer.conversationId);
      this.stream(answer.streamId, 0, reply, null, false);
    } catch (error) {
      this.composer.setBusy(false);
      this.fail(reply, error.message);
    }
  }

  adoptConversation(id) {
    this.conversationId = id;
    history.pushState({ conversationId: id }, "", `/c/${id}`);
    document.body.dispatchEvent(new CustomEvent("grc:conversation", { detail: { id } }));
  }

  fail(reply, message) {
    const failed = this.tree.put({ ...reply, streaming: false, error: true, errorText: message });
    this.views.delete(failed.messageId);
    this.render();
    this.announcer.say(`Error: ${message}`);
  }

  // ---------------------------------------------------------------- streaming

  stream(streamId, cursor, reply, savedParts, resumed) {
    const controller = new AbortController();
    const parts = new ReplyParts(savedParts ? { parts: savedParts.parts, steps: savedParts.steps } : null);
    this.live = { streamId, reply, parts, controller, resumed };
    if (reply) {
      reply.streaming = true;
      this.views.delete(reply.messageId);
      this.render();
    }
    this.composer.setBusy(true);
    this.announcer.start();
    this.list.setAttribute("aria-busy", "true");
    let frameCount = 0;
    const onFrame = (frame, seq) => {
      frameCount += 1;
      const done = this.onFrame(frame);
      if (!done && this.live?.reply) {
        sessionStorage.setItem(STORE + streamId, JSON.stringify({ seq, parts: parts.state(), reply: this.live.reply }));
      }
      return done;
    };
    follow(streamId, cursor, onFrame, controller.signal).then((how) => {
      sessionStorage.removeItem(STORE + streamId);
      if (how === "gone" && this.live?.streamId === streamId) {
        this.endLive();
        this.open(this.conversationId);
      }
      document.body.dataset.lastStreamFrames = String(frameCount);
    });
  }

  ensureReply(userMessageId, responseId) {
    const live = this.live;
    if (live.reply && (!responseId || live.reply.messageId === responseId)) return live.reply;
    const existing = responseId && this.tree.get(responseId);
    const parent = userMessageId || live.reply?.parentMessageId;
    const base = { messageId: responseId || `pending-${live.streamId}`, parentMessageId: parent,
      isCreatedByUser: false, sender: existing?.sender || "Assistant", createdAt: existing?.createdAt || new Date().toISOString() };
    live.reply = live.reply ? this.tree.rename(live.reply.messageId, { ...live.reply, ...base })
      : this.tree.put({ ...base, streaming: true, content: [] });
    live.reply.streaming = true;
    this.tree.choose(live.reply);
    this.views.delete(live.reply.messageId);
    this.render();
    return live.reply;
  }

  onFrame(frame) {
    const live = this.live;
    if (!live) return true;
    if (frame.created) {
      this.tree.put({ ...frame.message });
      this.ensureReply(frame.message.messageId, null);
      return false;
    }
    if (frame.sync) {
      live.parts.sync(frame.resumeState);
      this.ensureReply(frame.resumeState.userMessage?.messageId, frame.resumeState.responseMessageId);
    } else if (frame.event === "on_run_step") {
      live.parts.step(frame.data);
      this.ensureReply(null, frame.data.runId);
    } else if (frame.event === "on_run_step_completed") {
      live.parts.completed(frame.data);
      this.ensureReply(null, null);
    } else if (frame.event === "on_message_delta" || frame.event === "on_reasoning_delta") {
      this.ensureReply(null, null);
      live.parts.delta(frame.data);
    } else if (frame.title && frame.conversationId && !frame.final) {
      if (frame.conversationId === this.conversationId) this.setTitle(frame.title);
      document.body.dispatchEvent(new CustomEvent("grc:convos-changed"));
      return false;
    } else if (frame.final) {
      this.finish(frame);
      return true;
    } else if (frame.error) {
      this.onError(frame);
      return true;
    }
    const reply = live.reply;
    if (reply) {
      reply.content = live.parts.parts.filter(Boolean);
      this.scheduleRefresh(reply);
      this.announcer.progress(live.parts.text());
    }
    return false;
  }

  scheduleRefresh(reply) {
    if (this.pending) return;
    this.pending = requestAnimationFrame(() => {
      this.pending = null;
      this.refreshOne(reply);
    });
  }

  finish(frame) {
    const live = this.live;
    const oldId = live.reply?.messageId;
    if (frame.requestMessage) this.tree.put(frame.requestMessage);
    const final = { ...frame.responseMessage, streaming: false, aborted: Boolean(frame.aborted) };
    const message = oldId ? this.tree.rename(oldId, final) : this.tree.put(final);
    this.tree.choose(message);
    this.views.delete(message.messageId);
    this.endLive();
    this.render();
    if (frame.conversation?.title) this.setTitle(frame.conversation.title);
    this.announcer.finish(messageText(message).slice(0), frame.aborted ? "Reply stopped." : "Reply complete.");
    document.body.dispatchEvent(new CustomEvent("grc:convos-changed"));
  }

  onError(frame) {
    const live = this.live;
    const reply = live.reply || this.ensureReply(null, null);
    const base = frame.responseMessage ? { ...frame.responseMessage } : { ...reply, content: live.parts.parts };
    this.endLive();
    this.fail(this.tree.rename(reply.messageId, base), frame.error || "The model failed.");
  }

  endLive() {
    if (this.pending) cancelAnimationFrame(this.pending);
    this.pending = null;
    this.live = null;
    this.composer.setBusy(false);
    this.list.setAttribute("aria-busy", "false");
  }

  detach() {
    if (this.live) this.live.controller.abort();
    this.endLive();
  }

  async stop() {
    const live = this.live;
    if (!live) return;
    try {
      await apiJson("POST", "/api/agents/chat/abort", { streamId: live.streamId, conversationId: this.conversationId });
    } catch (error) {
      toast(error.message, "error");
    }
  }

  // ---------------------------------------------------------------- message actions

  onClick(event) {
    const button = event.target.closest("[data-action]");
    if (!button) return;
    const article = button.closest("[data-message-id]");
    const m = article && this.tree.get(article.dataset.messageId);
    const action = button.dataset.action;
    if (action === "cancel-edit") {
      this.views.delete(m.messageId);
      this.render();
      return;
    }
    if (!m) return;
    const run = {
      prev: () => this.switchSibling(m, -1),
      next: () => this.switchSibling(m, 1),
      copy: () => this.copy(m, button),
      edit: () => this.startEdit(m, article),
      regenerate: () => this.regenerate(m),
      thumbsUp: () => this.feedback(m, "thumbsUp"),
      thumbsDown: () => this.feedback(m, "thumbsDown"),
    }[action];
    run?.();
  }

  switchSibling(m, step) {
    const siblings = this.tree.siblings(m);
    const next = siblings[siblings.findIndex((s) => s.messageId === m.messageId) + step];
    if (!next) return;
    this.tree.choose(next);
    this.render();
    const el = this.views.get(next.messageId);
    el?.querySelector(`[data-action="${step < 0 ? "prev" : "next"}"]:not([disabled])`)?.focus()
      || el?.querySelector(".sibling-count")?.focus();
  }

  async copy(m, button) {
    await navigator.clipboard.writeText(m.isCreatedByUser ? m.text : messageText(m)).catch(() => {});
    button.setAttribute("aria-label", "Copied");
    toast("Copied to the clipboard.");
    setTimeout(() => button.setAttribute("aria-label", "Copy message"), 1500);
  }

  startEdit(m, article) {
    if (this.live) return;
    const form = editForm(m);
    article.querySelector(".msg-content").replaceWith(form);
    article.querySelector(".msg-actions").hidden = true;
    const area = form.querySelector("textarea");
    area.focus();
    area.setSelectionRange(area.value.length, area.value.length);
  }

  onEditSubmit(event) {
    const form = event.target.closest("[data-edit-for]");
    if (!form) return;
    event.preventDefault();
    const m = this.tree.get(form.dataset.editFor);
    const text = form.querySelector("textarea").value;
    if (!m || !text.trim()) return;
    this.views.delete(m.messageId);
    this.send(text, m.parentMessageId || NO_PARENT);
  }

  regenerate(reply) {
    const user = this.tree.get(reply.parentMessageId);
    if (!user || this.live) return;
    this.send(user.text, user.parentMessageId || NO_PARENT);
  }

  async feedback(m, rating) {
    const next = m.feedback?.rating === rating ? null : { rating };
    try {
      await apiJson("PUT", `/api/messages/${encodeURIComponent(this.conversationId)}/${encodeURIComponent(m.messageId)}/feedback`, { feedback: next });
      this.tree.put({ ...m, feedback: next });
      this.render();
      this.views.get(m.messageId)?.querySelector(`[data-action="${rating}"]`)?.focus();
      toast(next ? "Thanks for the feedback." : "Feedback removed.");
    } catch (error) {
      toast(error.message, "error");
    }
  }
}
