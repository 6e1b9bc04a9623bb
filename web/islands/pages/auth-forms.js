// The account pages: sign in (with the 2FA step), register, forgot and reset password.
// Each form posts JSON to /api/auth/*; errors are shown next to the form and announced.

import { adopt } from "../lib/auth.js";
import { $ } from "../lib/dom.js";

function safeNext() {
  const next = new URLSearchParams(location.search).get("next") || "/";
  return next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\") ? next : "/";
}

function showError(form, message) {
  const box = $("[data-form-error]", form);
  box.textContent = message;
  box.hidden = !message;
  if (message) box.focus();
}

function showNotice(form, message) {
  const box = $("[data-form-notice]", form.closest("main"));
  if (box) {
    box.textContent = message;
    box.hidden = false;
  }
}

async function post(path, body) {
  const response = await fetch(path, {
    method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const detail = data?.error?.details?.[0];
    const message = data?.error?.message || data?.message || "Something went wrong.";
    throw new Error(detail && response.status === 422 ? `${message} (${detail.field}: ${detail.message})` : message);
  }
  return data;
}

function busy(form, on) {
  const submit = $("button[type=submit]", form);
  submit.disabled = on;
  submit.setAttribute("aria-busy", on ? "true" : "false");
}

function handle(form, action) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(form, "");
    busy(form, true);
    try {
      await action(Object.fromEntries(new FormData(form)));
    } catch (error) {
      showError(form, error.message);
    } finally {
      busy(form, false);
    }
  });
}

function finish(answer) {
  adopt(answer);
  location.assign(safeNext());
}

function startTwoFactor(tempToken) {
  sessionStorage.setItem("grc:2fa", tempToken);
  const login = $("#login-form");
  const step = $("#twofa-form");
  if (login && step) {
    login.hidden = true;
    step.hidden = false;
    $("input[name=token]", step).focus();
  } else {
    location.assign(`/login/2fa?next=${encodeURIComponent(safeNext())}`);
  }
}

const ACTIONS = {
  "login-form": async (data) => {
    const answer = await post("/api/auth/login", { email: data.email, password: data.password });
    if (answer.twoFAPending) startTwoFactor(answer.tempToken);
    else finish(answer);
  },
  "twofa-form": async (data) => {
    const tempToken = sessionStorage.getItem("grc:2fa");
    if (!tempToken) throw new Error("Sign in again: the verification step expired.");
    const code = data.token.replace(/\s+/g, "");
    const body = code.length > 6 ? { tempToken, backupCode: code } : { tempToken, token: code };
    const answer = await post("/api/auth/2fa/verify-temp", body);
    sessionStorage.removeItem("grc:2fa");
    finish(answer);
  },
  "register-form": async (data) => {
    if (data.password !== data.confirm_password) throw new Error("The passwords do not match.");
    const body = { name: data.name, email: data.email, password: data.password,
      confirm_password: data.confirm_password };
    if (data.username) body.username = data.username;
    await post("/api/auth/register", body);
    try {
      finish(await post("/api/auth/login", { email: data.email, password: data.password }));
    } catch (error) {
      showNotice($("#register-form"), "Your account was created. Check your email, then sign in.");
    }
  },
  "forgot-form": async (data) => {
    const answer = await post("/api/auth/requestPasswordReset", { email: data.email });
    showNotice($("#forgot-form"), answer.message || "If the address is registered, a reset link is on its way.");
  },
  "reset-form": async (data) => {
    const params = new URLSearchParams(location.search);
    if (data.password !== data.confirm_password) throw new Error("The passwords do not match.");
    await post("/api/auth/resetPassword", { userId: params.get("userId") || "", token: params.get("token") || "",
      password: data.password, confirm_password: data.confirm_password });
    location.assign("/login?reset=1");
  },
};

export function initAuthForms() {
  for (const [id, action] of Object.entries(ACTIONS)) {
    const form = document.getElementById(id);
    if (form) handle(form, action);
  }
  if (new URLSearchParams(location.search).get("reset")) {
    showNotice($("#login-form"), "Your password was changed. Sign in with the new one.");
  }
  const autofocus = $("main form:not([hidden]) input:not([type=hidden])");
  autofocus?.focus();
}
