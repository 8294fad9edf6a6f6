// Page feedback (wrapped in betterjournal/components/layout.py).
//
// A notice or problem is shown only on the page it was given on: when the person moves
// to another page, the previous page's "Entry saved" disappears at once, before that
// page's own load has answered (bundled by Vite: a 'self' script under the CSP).
import { useContext, useEffect, useState } from "react";
import { useLocation } from "react-router";
import { EventLoopContext } from "$/utils/context-registry";

const trimmed = (path) => (path || "").replace(/\/+$/, "") || "/";

export function OnPage({ path, children }) {
  const location = useLocation();
  return trimmed(location.pathname) === trimmed(path) ? children : null;
}

// Its children only while the app cannot reach the server: the browser says it is
// offline, or the websocket's reconnect attempts are failing. Online at first (as the
// prerendered page is), then the browser's word.
export function WhenOffline({ children }) {
  const [, connectErrors] = useContext(EventLoopContext);
  const [online, setOnline] = useState(true);
  useEffect(() => {
    const update = () => setOnline(navigator.onLine);
    update();
    window.addEventListener("online", update);
    window.addEventListener("offline", update);
    return () => {
      window.removeEventListener("online", update);
      window.removeEventListener("offline", update);
    };
  }, []);
  return !online || connectErrors.length > 0 ? children : null;
}
