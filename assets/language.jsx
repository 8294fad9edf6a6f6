// The page's language for the browser and assistive technology, and the browser's time
// zone for the sign-in form (wrapped in betterjournal/components/layout.py; bundled by
// Vite: a 'self' script under the CSP).
import { useEffect } from "react";

// <html lang> follows the tab's language, so a screen reader reads French as French.
export function DocumentLanguage({ lang }) {
  useEffect(() => {
    if (lang) document.documentElement.lang = lang;
  }, [lang]);
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
