// Markdown → sanitised HTML. marked parses, DOMPurify cleans (no script, no event handler,
// no javascript: URL survives), highlight.js colours code with a few common languages.
// Code blocks get a language label and a copy button.

import DOMPurify from "dompurify";
import { Marked } from "marked";
import hljs from "highlight.js/lib/core";
import bash from "highlight.js/lib/languages/bash";
import css from "highlight.js/lib/languages/css";
import go from "highlight.js/lib/languages/go";
import java from "highlight.js/lib/languages/java";
import javascript from "highlight.js/lib/languages/javascript";
import json from "highlight.js/lib/languages/json";
import python from "highlight.js/lib/languages/python";
import rust from "highlight.js/lib/languages/rust";
import sql from "highlight.js/lib/languages/sql";
import typescript from "highlight.js/lib/languages/typescript";
import xml from "highlight.js/lib/languages/xml";
import yaml from "highlight.js/lib/languages/yaml";
import { h, icon } from "../lib/dom.js";

const LANGUAGES = { bash, css, go, java, javascript, json, python, rust, sql, typescript, xml, yaml };
for (const [name, language] of Object.entries(LANGUAGES)) hljs.registerLanguage(name, language);
hljs.registerAliases(["sh", "shell", "zsh"], { languageName: "bash" });
hljs.registerAliases(["js", "jsx", "mjs"], { languageName: "javascript" });
hljs.registerAliases(["ts", "tsx"], { languageName: "typescript" });
hljs.registerAliases(["py"], { languageName: "python" });
hljs.registerAliases(["html", "svg"], { languageName: "xml" });
hljs.registerAliases(["yml"], { languageName: "yaml" });

const marked = new Marked({ gfm: true, breaks: false });

DOMPurify.addHook("afterSanitizeAttributes", (node) => {
  if (node.tagName === "IMG" && !node.hasAttribute("alt")) node.setAttribute("alt", "");
  if (node.tagName === "A" && node.getAttribute("href")) {
    node.setAttribute("target", "_blank");
    node.setAttribute("rel", "noopener noreferrer nofollow");
  }
});

const PURIFY = {
  USE_PROFILES: { html: true },
  FORBID_TAGS: ["style", "form", "input", "button", "textarea", "select", "iframe", "object", "embed"],
  FORBID_ATTR: ["style", "id"],
};

export function sanitize(markdown) {
  return DOMPurify.sanitize(marked.parse(markdown || ""), PURIFY);
}

function copyButton(getText) {
  const button = h("button", { type: "button", class: "icon-btn copy-code", "aria-label": "Copy code" }, icon("copy"), h("span", {}, "Copy"));
  button.addEventListener("click", async () => {
    await navigator.clipboard.writeText(getText()).catch(() => {});
    button.querySelector("span").textContent = "Copied";
    button.setAttribute("aria-label", "Copied");
    setTimeout(() => {
      button.querySelector("span").textContent = "Copy";
      button.setAttribute("aria-label", "Copy code");
    }, 1500);
  });
  return button;
}

function enhanceCode(root, highlight) {
  for (const pre of root.querySelectorAll("pre")) {
    const code = pre.querySelector("code");
    if (!code || pre.parentElement?.classList.contains("code-block")) continue;
    const language = (code.getAttribute("class") || "").match(/language-([\w-]+)/)?.[1] || "";
    if (highlight && language && hljs.getLanguage(language)) {
      code.innerHTML = hljs.highlight(code.textContent, { language, ignoreIllegals: true }).value;
      code.classList.add("hljs");
    }
    const block = h("div", { class: "code-block" },
      h("div", { class: "code-head" }, h("span", {}, language || "text"), copyButton(() => code.textContent)));
    pre.replaceWith(block);
    block.append(pre);
    pre.tabIndex = 0;
  }
}

// Render markdown into el; highlight only when the text is final (cheap while streaming).
export function renderMarkdown(el, markdown, final = true) {
  el.innerHTML = sanitize(markdown);
  enhanceCode(el, final);
}
