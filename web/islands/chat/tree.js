// The conversation as a message tree: each message points at its parent. The page shows one
// branch — at each fork the chosen child (by default the newest) — and "2 / 3" navigation
// switches between siblings.

export const NO_PARENT = "00000000-0000-0000-0000-000000000000";

const parentOf = (m) => (m.parentMessageId && m.parentMessageId !== NO_PARENT ? m.parentMessageId : NO_PARENT);
const time = (m) => Date.parse(m.createdAt || "") || 0;

export class MessageTree {
  constructor() {
    this.byId = new Map();
    this.chosen = new Map();
  }

  reset(messages = []) {
    this.byId.clear();
    this.chosen.clear();
    for (const m of messages) this.byId.set(m.messageId, m);
  }

  put(message) {
    const previous = this.byId.get(message.messageId);
    this.byId.set(message.messageId, previous ? { ...previous, ...message } : message);
    return this.byId.get(message.messageId);
  }

  rename(oldId, message) {
    if (oldId !== message.messageId) this.byId.delete(oldId);
    for (const [parent, child] of this.chosen) if (child === oldId) this.chosen.set(parent, message.messageId);
    return this.put(message);
  }

  get(id) {
    return this.byId.get(id);
  }

  children(parentId) {
    return [...this.byId.values()].filter((m) => parentOf(m) === parentId)
      .sort((a, b) => time(a) - time(b) || (a.order ?? 0) - (b.order ?? 0));
  }

  siblings(message) {
    return this.children(parentOf(message));
  }

  choose(message) {
    this.chosen.set(parentOf(message), message.messageId);
    for (let m = message; m; m = this.byId.get(parentOf(m))) this.chosen.set(parentOf(m), m.messageId);
  }

  // The messages of the visible branch, root first.
  path() {
    const out = [];
    let parent = NO_PARENT;
    for (let guard = 0; guard < 10_000; guard += 1) {
      const kids = this.children(parent);
      if (!kids.length) break;
      const pick = kids.find((k) => k.messageId === this.chosen.get(parent)) || kids[kids.length - 1];
      out.push(pick);
      parent = pick.messageId;
    }
    return out;
  }
}

// The parts of a reply being streamed, rebuilt from frames (or a sync snapshot).
export class ReplyParts {
  constructor(state) {
    this.parts = state?.parts ? state.parts.map((p) => ({ ...p })) : [];
    this.steps = new Map(state?.steps || []);
  }

  step(data) {
    this.steps.set(data.id, data.index);
    const call = data.stepDetails?.tool_calls?.[0];
    if (data.type === "tool_calls" && call) this.parts[data.index] = { type: "tool_call", tool_call: call };
  }

  // A tool call finished (LibreChat's on_run_step_completed): its output, and its sign-in
  // URL if the tool wants one.
  completed(data) {
    const result = data?.result;
    if (!result?.tool_call || typeof result.index !== "number") return;
    const before = this.parts[result.index]?.tool_call || {};
    this.parts[result.index] = { type: "tool_call", tool_call: { ...before, ...result.tool_call } };
  }

  delta(data) {
    let index = this.steps.get(data.id);
    if (index === undefined) {
      index = this.parts.length;
      this.steps.set(data.id, index);
    }
    for (const piece of data.delta?.content || []) {
      const part = this.parts[index] || { type: piece.type };
      part.type = piece.type;
      if (piece.type === "think") part.think = (part.think || "") + (piece.think || "");
      else part.text = (part.text || "") + (piece.text || "");
      this.parts[index] = part;
    }
  }

  sync(resumeState) {
    this.parts = (resumeState.aggregatedContent || []).map((p) => ({ ...p }));
    this.steps = new Map((resumeState.runSteps || []).map((s) => [s.id, s.index]));
  }

  text() {
    return this.parts.filter((p) => p && p.type === "text").map((p) => p.text || "").join("");
  }

  thinking() {
    return this.parts.filter((p) => p && p.type === "think").map((p) => p.think || "").join("");
  }

  state() {
    return { parts: this.parts, steps: [...this.steps] };
  }
}
