// The composer: a growing textarea (Enter sends, Shift+Enter adds a line), file attachments
// by button or drag and drop (uploaded to /api/files), the model picker and the parameters.

import { api, apiJson } from "../lib/auth.js";
import { $, h, icon, uuid } from "../lib/dom.js";
import { toast } from "../lib/toast.js";

const MODEL_KEY = "grc:model";

export async function loadModels(select) {
  const [endpoints, models] = await Promise.all([apiJson("GET", "/api/endpoints"), apiJson("GET", "/api/models")]);
  select.replaceChildren();
  const ordered = Object.entries(endpoints).sort((a, b) => (a[1]?.order ?? 0) - (b[1]?.order ?? 0));
  for (const [endpoint, info] of ordered) {
    const names = models[endpoint] || [];
    if (!names.length) continue;
    const group = h("optgroup", { label: info?.modelDisplayLabel || endpoint });
    const label = info?.modelDisplayLabel || endpoint;
    for (const model of names) group.append(h("option", { value: `${endpoint}::${model}` }, `${model} · ${label}`));
    select.append(group);
  }
  const saved = localStorage.getItem(MODEL_KEY);
  if (saved && [...select.options].some((o) => o.value === saved)) select.value = saved;
  select.addEventListener("change", () => localStorage.setItem(MODEL_KEY, select.value));
  return select.options.length > 0;
}

export function chooseModel(select, endpoint, model) {
  const value = `${endpoint}::${model}`;
  if ([...select.options].some((o) => o.value === value)) select.value = value;
}

export class Composer {
  constructor(form, onSend) {
    this.form = form;
    this.input = $("#prompt", form);
    this.fileInput = $("#attach-input", form);
    this.chips = $("#attachments", form);
    this.files = [];
    this.onSend = onSend;
    this.input.addEventListener("input", () => this.grow());
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submit();
      }
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    $("#attach", form).addEventListener("click", () => this.fileInput.click());
    this.fileInput.addEventListener("change", () => {
      this.upload([...this.fileInput.files]);
      this.fileInput.value = "";
    });
    this.dropZone(document.getElementById("chat"));
  }

  dropZone(zone) {
    zone.addEventListener("dragover", (event) => {
      if ([...(event.dataTransfer?.types || [])].includes("Files")) {
        event.preventDefault();
        zone.classList.add("dragging");
      }
    });
    zone.addEventListener("dragleave", (event) => {
      if (!zone.contains(event.relatedTarget)) zone.classList.remove("dragging");
    });
    zone.addEventListener("drop", (event) => {
      event.preventDefault();
      zone.classList.remove("dragging");
      this.upload([...(event.dataTransfer?.files || [])]);
    });
  }

  async upload(files) {
    for (const file of files) {
      const chip = h("li", { class: "chip is-uploading" }, icon("paperclip"), h("span", {}, file.name));
      this.chips.append(chip);
      const data = new FormData();
      const fileId = uuid();
      data.append("file_id", fileId);
      data.append("endpoint", "default");
      data.append("file", file);
      try {
        const response = await api("POST", "/api/files", data);
        const answer = await response.json();
        if (!response.ok) throw new Error(answer?.error?.message || "The upload failed.");
        const entry = { file_id: answer.file_id || fileId, filename: answer.filename || file.name, type: answer.type || file.type };
        this.files.push(entry);
        chip.classList.remove("is-uploading");
        const remove = h("button", { type: "button", class: "icon-btn", "aria-label": `Remove ${file.name}` }, icon("x"));
        remove.addEventListener("click", () => {
          this.files = this.files.filter((f) => f !== entry);
          chip.remove();
          this.input.focus();
        });
        chip.append(remove);
      } catch (error) {
        chip.remove();
        toast(`${file.name}: ${error.message}`, "error");
      }
    }
  }

  grow() {
    this.input.style.height = "auto";
    this.input.style.height = `${Math.min(this.input.scrollHeight, 240)}px`;
  }

  submit() {
    const text = this.input.value;
    if (!text.trim() || this.input.disabled || this.busy) return;
    const files = this.files;
    this.onSend(text, files);
    this.input.value = "";
    this.files = [];
    this.chips.replaceChildren();
    this.grow();
  }

  enable(on) {
    this.input.disabled = !on;
    $("#send", this.form).disabled = !on;
  }

  setBusy(busy) {
    this.busy = busy;
    $("#send", this.form).hidden = busy;
    $("#stop", this.form).hidden = !busy;
  }

  parameters() {
    const out = {};
    const max = Number($("#param-max-tokens")?.value || 0);
    const temperature = $("#param-temperature")?.value;
    if (max > 0) out.maxTokens = max;
    if (temperature !== undefined && temperature !== "") out.temperature = Number(temperature);
    const effort = $("#param-reasoning")?.value;
    if (effort) out.reasoningEffort = effort;
    return out;
  }
}
