// Server-sent events over fetch(): EventSource cannot send the Authorization header.
// A stream is followed from a cursor (Last-Event-ID); after a drop it reconnects with the last
// frame id it saw, so every frame arrives exactly once and in order.

import { api } from "../lib/auth.js";

async function* events(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let cut;
    while ((cut = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut).replace(/^\r?\n\r?\n/, "");
      const event = { id: null, event: "message", data: "" };
      for (const line of block.split(/\r?\n/)) {
        const colon = line.indexOf(":");
        if (colon === 0) continue;
        const field = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "data") event.data += (event.data ? "\n" : "") + text;
        else if (field === "id") event.id = text;
        else if (field === "event") event.event = text;
      }
      if (event.data) yield event;
    }
  }
}

const pause = (ms, signal) => new Promise((resolve) => {
  const t = setTimeout(resolve, ms);
  signal?.addEventListener("abort", () => { clearTimeout(t); resolve(); }, { once: true });
});

// Follow streamId from cursor, calling onFrame(frame, seq) for each; resolves with
// "done" (terminal frame), "gone" (the stream no longer exists) or "stopped" (signal aborted).
export async function follow(streamId, cursor, onFrame, signal) {
  let seq = cursor;
  let failures = 0;
  while (!signal?.aborted) {
    try {
      const response = await api("GET", `/api/agents/chat/stream/${encodeURIComponent(streamId)}`, undefined,
        { headers: { "Last-Event-ID": String(seq), Accept: "text/event-stream" }, signal });
      if (response.status === 404) return "gone";
      if (!response.ok) throw new Error(`stream ${response.status}`);
      for await (const event of events(response.body)) {
        const frame = JSON.parse(event.data);
        seq = Number(event.id ?? frame.seq ?? seq);
        failures = 0;
        if (onFrame(frame, seq)) return "done";
      }
    } catch (error) {
      if (signal?.aborted) break;
    }
    failures += 1;
    await pause(Math.min(250 * 2 ** failures, 5000), signal);
  }
  return "stopped";
}
