// Words an editor's form held, unconfirmed by the server, when it went: typed offline while
// the session ran out, they never reach the server (the tab learns it is signed out once
// the connection is back, and goes to the sign-in page). They are not shown there (a
// signed-out page shows nothing of the person's), but a tap copies them, to paste once
// signed in again. Kept in this page's memory only, for a few minutes: nothing is stored.
import { useEffect, useState } from "react";

const KEPT_MS = 5 * 60 * 1000;

/** The editor's form went with these fields unconfirmed (nothing kept if all are blank). */
export function handOver(fields) {
  const text = fields.filter((part) => part.trim() !== "").join("\n\n");
  window.bjUnsentWords = text === "" ? null : { text, at: Date.now() };
}

/** Its children (a message and a button) when an editor handed words over lately; the
 *  button copies them, and the status under it says so. Nothing otherwise. */
export function UnsentWords({ copied, children }) {
  const [words, setWords] = useState("");
  // Read once this page is in place: the editor's form hands its words over as it goes,
  // which React does after drawing what replaces it (this, on the same page).
  useEffect(() => {
    const kept = window.bjUnsentWords;
    setWords(kept && Date.now() - kept.at < KEPT_MS ? kept.text : "");
  }, []);
  const [done, setDone] = useState(false);
  if (words === "") {
    return null;
  }
  const copy = (event) => {
    if (event.target?.closest?.("button")) {
      navigator.clipboard?.writeText(words).then(
        () => setDone(true),
        () => setDone(false),
      );
    }
  };
  return (
    <div onClick={copy} style={{ width: "100%" }}>
      {children}
      <p role="status" className="rt-Text rt-r-size-2">
        {done ? copied : ""}
      </p>
    </div>
  );
}
