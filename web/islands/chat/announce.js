// Screen-reader announcements of a streaming reply without flooding: whole sentences are
// spoken as they complete (at most one announcement every 1.5 s), the rest when it ends.

const GAP_MS = 1500;

export class Announcer {
  constructor(region) {
    this.region = region;
    this.spoken = 0;
    this.last = 0;
  }

  say(text) {
    if (!this.region || !text.trim()) return;
    this.region.textContent = "";
    // A fresh text node in an emptied region is announced even if the words repeat.
    requestAnimationFrame(() => { this.region.textContent = text.trim(); });
    this.last = Date.now();
  }

  start() {
    this.spoken = 0;
    this.last = 0;
  }

  progress(text) {
    if (Date.now() - this.last < GAP_MS) return;
    const rest = text.slice(this.spoken);
    const match = rest.match(/^[\s\S]*[.!?](?=\s)|^[\s\S]*\n\n/);
    if (!match) return;
    this.spoken += match[0].length;
    this.say(match[0]);
  }

  finish(text, suffix) {
    const rest = text.slice(this.spoken).trim();
    this.spoken = text.length;
    this.say(rest ? `${rest} ${suffix}` : suffix);
  }
}
