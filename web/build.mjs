// Build the web bundle into static/dist/: the JavaScript islands (esbuild, ESM with shared
// chunks), the stylesheet, and an SVG sprite of the icons the templates use. Every output name
// carries a content hash; manifest.json maps entry names to them. The result is committed so
// that the web function and `gorunchat dev` need no Node at run time.
//   node build.mjs          write static/dist/
//   node build.mjs --check  build into a temp folder and fail if static/dist/ differs
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const ICONS = [
  "plus", "send", "square-pen", "pencil", "copy", "check", "refresh-cw", "thumbs-up",
  "thumbs-down", "chevron-left", "chevron-right", "chevron-down", "trash-2", "pin", "pin-off",
  "archive", "archive-restore", "tag", "search", "settings", "sun", "moon", "monitor",
  "log-out", "paperclip", "x", "panel-left", "shield", "arrow-up", "square", "ellipsis",
  "message-square", "brain", "sliders-horizontal", "circle-alert", "download", "user-round",
  "key-round", "lock", "sparkles", "wrench", "log-in",
];

function hash(text) {
  return createHash("sha256").update(text).digest("hex").slice(0, 10).toUpperCase();
}

function sprite() {
  const symbols = ICONS.map((name) => {
    const svg = readFileSync(join(here, "node_modules/lucide-static/icons", `${name}.svg`), "utf8");
    const inner = svg.replace(/<!--[\s\S]*?-->/g, "").replace(/^[\s\S]*?<svg[^>]*>/, "")
      .replace(/<\/svg>\s*$/, "").replace(/\s*\n\s*/g, "");
    return `<symbol id="${name}" viewBox="0 0 24 24" fill="none" stroke="currentColor" ` +
      `stroke-width="2" stroke-linecap="round" stroke-linejoin="round">${inner}</symbol>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg"><!-- Icons: lucide-static (ISC) -->` +
    `${symbols.join("")}</svg>\n`;
}

async function bundle(out) {
  const result = await build({
    absWorkingDir: here,
    entryPoints: { shell: "islands/shell.js", chat: "islands/chat.js", app: "styles/app.css" },
    outdir: out,
    bundle: true,
    splitting: true,
    format: "esm",
    minify: true,
    target: ["chrome111", "firefox111", "safari16.4"],
    entryNames: "[name]-[hash]",
    chunkNames: "chunk-[hash]",
    legalComments: "none",
    metafile: true,
    logLevel: "warning",
  });
  const manifest = {};
  for (const [file, meta] of Object.entries(result.metafile.outputs)) {
    const name = file.split("/").pop();
    const entry = meta.entryPoint ? meta.entryPoint.split("/").pop() : name;
    manifest[entry.replace(/^islands\//, "").replace(/^styles\//, "")] = name;
  }
  const icons = sprite();
  const iconsName = `icons-${hash(icons)}.svg`;
  writeFileSync(join(out, iconsName), icons);
  manifest["icons.svg"] = iconsName;
  const sorted = Object.fromEntries(Object.entries(manifest).sort());
  writeFileSync(join(out, "manifest.json"), JSON.stringify(sorted, null, 2) + "\n");
}

function snapshot(dir) {
  const files = {};
  for (const name of readdirSync(dir).sort()) files[name] = readFileSync(join(dir, name), "utf8");
  return files;
}

const dist = join(here, "static/dist");
if (process.argv.includes("--check")) {
  const temp = mkdtempSync(join(tmpdir(), "gorunchat-web-"));
  try {
    await bundle(temp);
    const want = snapshot(temp);
    const have = snapshot(dist);
    const stale = [...new Set([...Object.keys(want), ...Object.keys(have)])]
      .filter((name) => want[name] !== have[name]);
    if (stale.length) {
      console.error(`static/dist is stale (${stale.join(", ")}); run: npm run build`);
      process.exit(1);
    }
    console.log("static/dist is up to date");
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
} else {
  rmSync(dist, { recursive: true, force: true });
  mkdirSync(dist, { recursive: true });
  await bundle(dist);
  console.log("built static/dist");
}
