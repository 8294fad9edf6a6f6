// The page's language for the browser and assistive technology, and the browser's time
// zone for the sign-in form (wrapped in betterjournal/components/layout.py; bundled by
// Vite: a 'self' script under the CSP).
import { useContext, useEffect, useMemo, useSyncExternalStore } from "react";
import { StateStoreContext, app } from "$/utils/context-registry";

// <html lang> follows the tab's language, so a screen reader reads French as French; the
// language the server chose is remembered for the next page's first paint. On every page, so
// it also marks <html data-hydrated> once React has taken the prerendered page over (before
// that, a tap on a button that needs a script does nothing): the e2e tests wait for it.
export function DocumentLanguage({ lang, chosen }) {
  useEffect(() => {
    document.documentElement.dataset.hydrated = "true";
  }, []);
  useEffect(() => {
    if (lang) document.documentElement.lang = lang;
  }, [lang]);
  useEffect(() => {
    if (chosen === "en" || chosen === "fr-CA") {
      const secure = window.location.protocol === "https:" ? "; secure" : "";
      document.cookie = `bj_language=${chosen}; path=/; max-age=31536000; samesite=strict${secure}`;
    }
  }, [chosen]);
  return null;
}

// The browser's IANA time zone ("America/Vancouver"), sent with the sign-in form: the
// server takes it as the person's first choice until they choose one in Settings.
export function BrowserTimeZone({ name }) {
  let zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (error) {
    zone = "";
  }
  return <input type="hidden" name={name} value={zone} readOnly />;
}

// The tab's language: the server's once it has answered (`field` of the Python state
// `state`: AppState.language); before that, while React hydrates the prerendered page, the
// prerendered English, then this browser's guess. Every translated word reads it as one
// string, so a word is drawn again only when the language shown changes: not when the
// server's first answer confirms the guess, nor when anything else in that state changes
// (the form token, the name, a notice).
let guessed = "";
const guessOnServer = () => "en";

export function useTabLanguage(state, field) {
  const store = useContext(StateStoreContext);
  const [subscribe, shown, prerendered] = useMemo(() => {
    const chosen = () => (store.getSnapshot(state) ?? app.initialState?.[state])?.[field] || "";
    return [
      (listener) => store.subscribe(state, listener),
      () => chosen() || (guessed ||= guessLanguage()),
      () => chosen() || guessOnServer(),
    ];
  }, [store, state, field]);
  return useSyncExternalStore(subscribe, shown, prerendered);
}

// The language this browser last used the app in (remembered by DocumentLanguage), else its own.
export function guessLanguage() {
  if (typeof document !== "undefined") {
    const match = document.cookie.match(/(?:^|;\s*)bj_language=(en|fr-CA)(?:;|$)/);
    if (match) return match[1];
  }
  if (typeof navigator !== "undefined") {
    for (const tag of navigator.languages || [navigator.language || ""]) {
      const lower = (tag || "").toLowerCase();
      if (lower.startsWith("fr")) return "fr-CA";
      if (lower.startsWith("en")) return "en";
    }
  }
  return "en";
}
