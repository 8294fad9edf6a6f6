// The installable app on the page (wrapped in betterjournal/components/pwa.py; bundled by
// Vite: a 'self' script under the CSP).
//
// - Registers the service worker at its plain path, /sw.js (scope: the whole app).
// - NewVersionNotice: once a new worker is installed and waiting, "A new version is
//   ready — reload"; tapping it lets the new worker take over and reloads the page.
// - The browser's install prompt is kept for the "Install on your phone" page, the only
//   place it is offered (InstallButton): never a banner on other pages.
import { useEffect, useState, useSyncExternalStore } from "react";

let waiting = null; // the installed, waiting worker of a new version
let installPrompt = null; // the browser's deferred beforeinstallprompt event
const listeners = new Set();
const changed = () => listeners.forEach((listener) => listener());
const subscribe = (listener) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};

function watch(registration) {
  const noticeWhenInstalled = (worker) => {
    if (!worker) return;
    const check = () => {
      // A controller means an older version runs this page: the new one waits.
      if (worker.state === "installed" && navigator.serviceWorker.controller) {
        waiting = worker;
        changed();
      }
    };
    worker.addEventListener("statechange", check);
    check();
  };
  noticeWhenInstalled(registration.waiting);
  registration.addEventListener("updatefound", () => noticeWhenInstalled(registration.installing));
}

const KEEP_EVERY_PAGE_AFTER_MS = 5000;

if (typeof window !== "undefined") {
  if ("serviceWorker" in navigator) {
    const register = () =>
      navigator.serviceWorker
        .register("/sw.js", { scope: "/" })
        .then(watch)
        .catch(() => {});
    // Once this page has loaded and is quiet, the worker keeps every page's script, so a
    // page not opened yet opens offline too (pwa_worker.js): not while this one loads.
    navigator.serviceWorker.ready
      .then((registration) =>
        setTimeout(() => registration.active?.postMessage("keep-every-page"), KEEP_EVERY_PAGE_AFTER_MS),
      )
      .catch(() => {});
    if (document.readyState === "complete") {
      register();
    } else {
      window.addEventListener("load", register, { once: true });
    }
    let reloading = false;
    navigator.serviceWorker.addEventListener("controllerchange", () => {
      if (waiting !== null && !reloading) {
        reloading = true;
        window.location.reload();
      }
    });
  }
  // No mini-infobar, no nagging: the prompt waits for the install page.
  window.addEventListener("beforeinstallprompt", (event) => {
    event.preventDefault();
    installPrompt = event;
    changed();
  });
  window.addEventListener("appinstalled", () => {
    installPrompt = null;
    changed();
  });
}

const pageLanguage = () =>
  (typeof document !== "undefined" && document.documentElement.lang) || "en";

/** "A new version is ready — reload", while a new version waits. `texts`: by language. */
export function NewVersionNotice({ texts }) {
  const worker = useSyncExternalStore(subscribe, () => waiting, () => null);
  if (worker === null) return null;
  return (
    <div
      role="status"
      style={{
        position: "fixed",
        top: "0.5rem",
        left: "50%",
        transform: "translateX(-50%)",
        zIndex: 1000,
        maxWidth: "calc(100% - 1rem)",
      }}
    >
      <button
        type="button"
        onClick={() => worker.postMessage("skip-waiting")}
        style={{
          minHeight: "2.75rem",
          padding: "0 1rem",
          borderRadius: "0.75rem",
          border: "none",
          background: "#0b6b62",
          color: "#fff",
          font: "inherit",
          fontWeight: 600,
          cursor: "pointer",
        }}
      >
        {texts[pageLanguage()] ?? texts.en}
      </button>
    </div>
  );
}

/** Its child (the install button) while the browser offers to install the app; a tap
 * shows the browser's own prompt. */
export function InstallButton({ installedText, children }) {
  const prompt = useSyncExternalStore(subscribe, () => installPrompt, () => null);
  const [installed, setInstalled] = useState(false);
  useEffect(() => {
    const done = () => setInstalled(true);
    window.addEventListener("appinstalled", done);
    return () => window.removeEventListener("appinstalled", done);
  }, []);
  if (installed) return <p role="status">{installedText}</p>;
  if (prompt === null) return null;
  const ask = async () => {
    prompt.prompt();
    const choice = await prompt.userChoice.catch(() => null);
    installPrompt = null; // a prompt can be shown once
    changed();
    if (choice?.outcome === "accepted") setInstalled(true);
  };
  return <div onClick={ask}>{children}</div>;
}
