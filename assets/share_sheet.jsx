// The phone's share sheet (navigator.share) for a text the server made, such as an
// invitation code (wrapped in betterjournal/components/share.py; bundled by Vite: a
// 'self' script under the CSP). Where the browser has no share sheet, nothing is shown.
import { useEffect, useState } from "react";

export function ShareSheet({ text, title, children }) {
  // Decided after mounting: the prerendered page can't know the browser.
  const [supported, setSupported] = useState(false);
  useEffect(() => {
    setSupported(typeof navigator !== "undefined" && typeof navigator.share === "function");
  }, []);
  if (!supported) return null;
  const share = () => {
    // Closing the sheet without choosing rejects the promise: that is not an error.
    navigator.share({ title, text }).catch(() => {});
  };
  return (
    <span style={{ display: "contents" }} onClick={share}>
      {children}
    </span>
  );
}
