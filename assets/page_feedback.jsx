// Page feedback that belongs to one page (wrapped in betterjournal/components/layout.py).
//
// A notice or problem is shown only on the page it was given on: when the person moves
// to another page, the previous page's "Entry saved" disappears at once, before that
// page's own load has answered (bundled by Vite: a 'self' script under the CSP).
import { useLocation } from "react-router";

const trimmed = (path) => (path || "").replace(/\/+$/, "") || "/";

export function OnPage({ path, children }) {
  const location = useLocation();
  return trimmed(location.pathname) === trimmed(path) ? children : null;
}
