// Sign-in state of this page. The access token lives in memory only; the refresh token is an
// httpOnly cookie the page never sees. On load the page trades that cookie for a token
// (POST /api/auth/refresh), renews it a minute before it expires, and retries a request once
// after a 401. Refreshes are serialised across tabs with the Web Locks API, because the server
// rotates the refresh token and treats a second use of a rotated one as theft.

let token = null;
let user = null;
let timer = null;
let inflight = null;
let resolveReady;
const readyPromise = new Promise((resolve) => { resolveReady = resolve; });

export const currentUser = () => user;
export const accessToken = () => token;
export const ready = () => readyPromise;

function expiry(jwt) {
  try {
    const payload = JSON.parse(atob(jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
    return (payload.exp || 0) * 1000;
  } catch {
    return 0;
  }
}

export function adopt(answer) {
  token = answer.token;
  user = answer.user || user;
  clearTimeout(timer);
  const wait = Math.max(5_000, expiry(token) - Date.now() - 60_000);
  timer = setTimeout(() => { refresh().catch(() => {}); }, wait);
}

async function doRefresh() {
  const response = await fetch("/api/auth/refresh", {
    method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" },
    body: "{}",
  });
  if (!response.ok) throw new Error(`refresh ${response.status}`);
  const answer = await response.json();
  if (!answer.token) throw new Error("refresh gave no token");
  adopt(answer);
  return token;
}

export function refresh() {
  if (!inflight) {
    const run = navigator.locks ? navigator.locks.request("grc-refresh", doRefresh) : doRefresh();
    inflight = run.finally(() => { inflight = null; });
  }
  return inflight;
}

// Start a signed-in page: get a token or go to the sign-in page.
export async function boot() {
  try {
    await refresh();
  } catch {
    const next = encodeURIComponent(location.pathname + location.search);
    location.replace(`/login?next=${next}`);
    return new Promise(() => {});
  }
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && expiry(token) - Date.now() < 90_000) {
      refresh().catch(() => {});
    }
  });
  resolveReady(user);
  return user;
}

export function markSignedOut() {
  token = null;
  user = null;
  clearTimeout(timer);
}

// fetch() with the bearer token; one retry after refreshing on 401. JSON in, Response out.
export async function api(method, path, body, init = {}) {
  const send = () => {
    const headers = { ...(init.headers || {}) };
    if (token) headers.Authorization = `Bearer ${token}`;
    let payload = body;
    if (body !== undefined && !(body instanceof FormData)) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(body);
    }
    return fetch(path, { ...init, method, headers, body: payload, credentials: "same-origin" });
  };
  let response = await send();
  if (response.status === 401 && token) {
    await refresh();
    response = await send();
  }
  return response;
}

// The JSON of a successful answer, or an Error carrying the API's message and code.
export async function apiJson(method, path, body, init) {
  const response = await api(method, path, body, init);
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const error = new Error(data?.error?.message || data?.message || `Request failed (${response.status})`);
    error.code = data?.error?.code;
    error.status = response.status;
    throw error;
  }
  return data;
}

export async function signOut() {
  try {
    await api("POST", "/api/auth/logout", {});
  } finally {
    markSignedOut();
    location.assign("/login");
  }
}
