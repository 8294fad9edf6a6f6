// Words an editor's form held, unconfirmed by the server, when it went: typed offline while
// the session ran out, or as another device signed this one out, they never reach the server
// (the tab learns it is signed out and goes to the sign-in page). They are not shown there
// (a signed-out page shows nothing of the person's), but a tap copies them, and signing in
// again on that page puts them back in their draft: the sign-in form sends them along
// (UnsentDraft), and the server writes them only once the password (and the code, with
// two-step sign-in on) has made the person that draft's owner (api.sign_in). Kept in this
// page's memory only, for a few minutes:
// nothing is stored in the browser.
import { useEffect, useRef, useState } from "react";
import { useNavigate } from "react-router";

const KEPT_MS = 5 * 60 * 1000;

/** The editor's form went with these fields unconfirmed (nothing kept if all are blank);
 *  `draft`: the editor's draft fields as the server's draft beacon takes them. */
export function handOver(fields, draft = null) {
  const text = fields.filter((part) => part.trim() !== "").join("\n\n");
  window.bjUnsentWords = text === "" ? null : { text, draft, at: Date.now() };
}

const handedOver = () => {
  const kept = window.bjUnsentWords;
  return kept && Date.now() - kept.at < KEPT_MS ? kept : null;
};

/** Inside the sign-in form: the draft handed over, sent with the sign-in (as `unsent_*`
 *  fields), which puts it back. The form then goes by `fetch` rather than as a page: a
 *  wrong password comes back as the sign-in page drawn in this one (`navigate`), the words
 *  still in its memory for another try; signed in, the next page loads as usual. */
export function UnsentDraft({ signInPath }) {
  const anchor = useRef(null);
  const navigate = useNavigate();
  const [draft, setDraft] = useState(null);
  useEffect(() => setDraft(handedOver()?.draft ?? null), []);
  useEffect(() => {
    const form = anchor.current?.closest("form");
    if (!form || draft === null) {
      return undefined;
    }
    const submit = async (event) => {
      event.preventDefault();
      let answer;
      try {
        answer = await fetch(form.action, {
          method: "POST",
          body: new URLSearchParams(new FormData(form)),
          credentials: "same-origin",
        });
      } catch (error) {
        // No connection: the page says so at its top; the words stay here for the next try
        // (sent as a page, they would go with the browser's error page).
        return;
      }
      const landed = new URL(answer.url);
      const sentBack = landed.pathname.replace(/\/$/, "") === signInPath;
      if (!answer.ok || sentBack) {
        // Sent back with a problem: a password is typed again (as on a page the server sent).
        form.querySelectorAll('input[type="password"]').forEach((field) => {
          field.value = "";
        });
        // (No page at all, as a refused body would get: said as a form to send again.)
        navigate(sentBack ? landed.pathname + landed.search : `${signInPath}?error=form`);
      } else {
        window.location.assign(landed.href);
      }
    };
    form.addEventListener("submit", submit);
    return () => form.removeEventListener("submit", submit);
  }, [draft]);
  return (
    <span ref={anchor} hidden>
      {draft === null
        ? null
        : Object.entries(draft).map(([name, value]) => (
            <input key={name} type="hidden" name={`unsent_${name}`} value={value} readOnly />
          ))}
    </span>
  );
}

/** Its children (a message and a button) when an editor handed words over lately; the
 *  button copies them, and the status under it says so. Nothing otherwise. */
export function UnsentWords({ copied, children }) {
  const [words, setWords] = useState("");
  // Read once this page is in place: the editor's form hands its words over as it goes,
  // which React does after drawing what replaces it (this, on the same page).
  useEffect(() => setWords(handedOver()?.text ?? ""), []);
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
