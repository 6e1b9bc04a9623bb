// Theme: light, dark or the system's. The choice is a plain cookie so the server renders
// <html data-theme> before the first paint (no inline script is needed to avoid a flash).

const KEY = "grc_theme";

export function currentTheme() {
  return document.documentElement.dataset.theme || "system";
}

export function setTheme(theme) {
  document.documentElement.dataset.theme = theme;
  const secure = location.protocol === "https:" ? "; Secure" : "";
  document.cookie = `${KEY}=${theme}; Path=/; Max-Age=31536000; SameSite=Lax${secure}`;
  document.dispatchEvent(new CustomEvent("grc:theme", { detail: theme }));
}

// Buttons with data-theme-cycle go light → dark → system.
export function initThemeControls(root = document) {
  for (const button of root.querySelectorAll("[data-theme-cycle]")) {
    const label = () => {
      const t = currentTheme();
      button.setAttribute("aria-label", `Theme: ${t}. Change theme`);
      button.querySelectorAll("[data-theme-icon]").forEach((el) => {
        el.hidden = el.dataset.themeIcon !== t;
      });
    };
    label();
    button.addEventListener("click", () => {
      const order = ["light", "dark", "system"];
      setTheme(order[(order.indexOf(currentTheme()) + 1) % order.length]);
      label();
    });
  }
  for (const input of root.querySelectorAll('input[name="theme"]')) {
    input.checked = input.value === currentTheme();
    input.addEventListener("change", () => input.checked && setTheme(input.value));
  }
}
