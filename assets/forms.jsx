// Small kindnesses for the plain HTML forms that post to the server's auth routes (wrapped in
// betterjournal/components/forms.py; bundled by Vite: a 'self' script under the CSP).
import { useEffect, useRef, useState } from "react";

const KEY = "bj-typed:";

// What was typed in the named fields survives the round trip to the server and back when the
// server sends the form back with an error (?error=…), or is handed `to` the page the server
// sends the person to next (the email of a password just chosen, to the sign-in page). Kept
// in this tab's sessionStorage only from the submit to the next page load, which reads it
// once and removes it: never a password (only the fields listed), never kept after the
// page that needed it.
const path = (address) => (address || "").replace(/\/+$/, "") || "/";

export function KeepTyped({ fields, to }) {
  const anchor = useRef(null);
  useEffect(() => {
    const form = anchor.current && anchor.current.closest("form");
    if (!form) return undefined;
    const names = (fields || "").split(",").filter(Boolean);
    const key = KEY + path(window.location.pathname);
    let kept = null;
    try {
      kept = JSON.parse(window.sessionStorage.getItem(key) || "null");
      window.sessionStorage.removeItem(key);
    } catch (error) {
      kept = null;
    }
    const sentBack = new URLSearchParams(window.location.search).has("error");
    if (kept && (sentBack || kept.handed)) {
      for (const name of names) {
        const input = form.elements.namedItem(name);
        if (input && typeof kept[name] === "string" && !input.value) input.value = kept[name];
      }
    }
    const remember = () => {
      const typed = to ? { handed: true } : {};
      for (const name of names) {
        const input = form.elements.namedItem(name);
        if (input && input.type !== "password") typed[name] = String(input.value).slice(0, 200);
      }
      try {
        window.sessionStorage.setItem(to ? KEY + path(to) : key, JSON.stringify(typed));
      } catch (error) {
        // Storage off or full: the person types it again, as before.
      }
    };
    form.addEventListener("submit", remember);
    return () => form.removeEventListener("submit", remember);
  }, [fields, to]);
  return <span ref={anchor} hidden />;
}

// What was typed in a form not sent yet, while the person looks at another page of the app
// and comes back (a clinician checking a shared entry half-way through writing instructions):
// kept in this tab's memory only, under `name`, never in storage, so a reload or a closed tab
// forgets it as it forgets the page (and so does signing in or out: each loads a new page).
// A form sent successfully gets a new `name` from the server (its round, or the comment
// saved), or empties itself (reset_on_submit: the form's reset), so it starts afresh. A
// field is filled again only while it still holds the value it was drawn with, and a choice
// once its option has arrived with the page's state.
const UNSENT = new Map();

export function KeepUnsent({ name }) {
  const anchor = useRef(null);
  useEffect(() => {
    const form = anchor.current && anchor.current.closest("form");
    if (!form || !name) return undefined;
    const kept = UNSENT.get(name) || {};
    const restored = new Set();
    const fields = () =>
      [...form.elements].filter(
        (field) => field.name && field.type !== "hidden" && field.type !== "password" && field.type !== "submit",
      );
    const restore = () => {
      let changed = false;
      for (const field of fields()) {
        const value = kept[field.name];
        if (typeof value !== "string" || restored.has(field.name)) continue;
        if (field.tagName === "SELECT" && ![...field.options].some((option) => option.value === value)) continue;
        if (field.value === field.defaultValue || field.tagName === "SELECT") {
          changed = changed || field.value !== value;
          field.value = value;
        }
        restored.add(field.name);
      }
      // A form folded away (an assignment's "Edit or withdraw") opens on what was typed in it.
      const folded = form.closest("details");
      if (changed && folded) folded.open = true;
    };
    restore();
    const arrived = new MutationObserver(restore); // a select's options come with the state
    arrived.observe(form, { childList: true, subtree: true });
    const remember = () => {
      const typed = {};
      for (const field of fields()) typed[field.name] = String(field.value);
      UNSENT.set(name, typed);
    };
    const forget = () => UNSENT.delete(name);
    form.addEventListener("input", remember);
    form.addEventListener("change", remember);
    form.addEventListener("reset", forget);
    return () => {
      arrived.disconnect();
      form.removeEventListener("input", remember);
      form.removeEventListener("change", remember);
      form.removeEventListener("reset", forget);
    };
  }, [name]);
  return <span ref={anchor} hidden />;
}

// Inside a form: each change made in it (a box ticked, a time chosen) sends the form at
// once, as the other choices on the same page are kept as soon as they are made; a form
// with a Save button far below its first box was left unsaved without a word.
export function SaveOnChange() {
  const anchor = useRef(null);
  useEffect(() => {
    const form = anchor.current && anchor.current.closest("form");
    if (!form) return undefined;
    const send = (event) => {
      // A time being typed in, not whole yet (a field cleared to type another): not yet.
      if (event.target?.type === "time" && event.target.value === "") return;
      if (typeof form.requestSubmit === "function") {
        form.requestSubmit();
      } else {
        // Safari before 16
        form.dispatchEvent(new Event("submit", { bubbles: true, cancelable: true }));
      }
    };
    form.addEventListener("change", send);
    return () => form.removeEventListener("change", send);
  }, []);
  return <span ref={anchor} hidden />;
}

// A button that shows or hides the password typed in the field with id `target`.
const ONLY_READ_ALOUD = {
  position: "absolute",
  width: "1px",
  height: "1px",
  margin: "-1px",
  padding: 0,
  overflow: "hidden",
  clip: "rect(0 0 0 0)",
  whiteSpace: "nowrap",
  border: 0,
};

// An eye, open or struck through (Lucide's "eye" and "eye-off", drawn inline: no icon
// font, nothing fetched).
const EYE = (
  <>
    <path d="M2.06 12.35a1 1 0 0 1 0-.7 10.75 10.75 0 0 1 19.88 0 1 1 0 0 1 0 .7 10.75 10.75 0 0 1-19.88 0" />
    <circle cx="12" cy="12" r="3" />
  </>
);
const EYE_OFF = (
  <>
    <path d="M10.73 5.08A10.43 10.43 0 0 1 12 5c7 0 10 7 10 7a13.16 13.16 0 0 1-1.67 2.68" />
    <path d="M6.61 6.61A13.53 13.53 0 0 0 2 12s3 7 10 7a9.74 9.74 0 0 0 5.39-1.61" />
    <path d="M9.88 9.88a3 3 0 1 0 4.24 4.24" />
    <path d="m2 2 20 20" />
  </>
);

export function ShowPassword({ target, showLabel, hideLabel }) {
  // An eye, so that the field keeps its width on a narrow screen in large text (a word
  // beside it left the field three letters wide at 320 px with 200 % text); its name is
  // the whole label ("Show password"), from text a screen reader reads (not an
  // aria-label, which would also name the field for label lookups), and its tooltip.
  //
  // The page is prerendered: until React has taken it over, a tap on the button would do
  // nothing, so the button stays disabled until then rather than ignore the tap.
  const [shown, setShown] = useState(false);
  const [ready, setReady] = useState(false);
  useEffect(() => setReady(true), []);
  useEffect(() => {
    const input = document.getElementById(target);
    if (input) input.type = shown ? "text" : "password";
  }, [shown, target]);
  const label = shown ? hideLabel : showLabel;
  return (
    <button
      type="button"
      aria-controls={target}
      disabled={!ready}
      title={label}
      onClick={() => setShown((now) => !now)}
      style={{
        position: "relative", // holds its text read aloud
        display: "inline-flex",
        alignItems: "center",
        justifyContent: "center",
        minHeight: "2.75rem",
        minWidth: "2.75rem",
        padding: 0,
        border: "none",
        borderRadius: "var(--radius-2)",
        background: "transparent",
        color: "var(--accent-11)",
        cursor: ready ? "pointer" : "default",
      }}
    >
      <svg
        aria-hidden="true"
        width="1.25em"
        height="1.25em"
        viewBox="0 0 24 24"
        fill="none"
        stroke="currentColor"
        strokeWidth="2"
        strokeLinecap="round"
        strokeLinejoin="round"
      >
        {shown ? EYE_OFF : EYE}
      </svg>
      <span style={ONLY_READ_ALOUD}>{label}</span>
    </button>
  );
}

// A counted message ("{count} word", "{count} words": tr_counted's two forms) for `count`,
// the language's plural rule choosing the form, the number written as the language writes it.
export function counted(one, other, language, count) {
  const form = new Intl.PluralRules(language).select(count) === "one" ? one : other;
  return form.replace("{count}", new Intl.NumberFormat(language).format(count));
}

// "12 characters left" under a field with a length limit, once few are left: a person who
// reaches the limit (or pastes more than fits, which the browser cuts) sees why the field
// stops taking text. Counted in the browser as they type, in the tab's language (its plural
// rule chooses between the message's two forms). Screen readers hear it once the typing
// pauses, not at every key. `value`: what the server last put in the field (a draft
// brought back), which no input event announces.
// Characters as the server counts them (Unicode code points): an emoji is one, though
// JavaScript's length counts its two UTF-16 halves. A field with a `maxlength` is counted
// as the browser counts for it (halves), since that is what stops the typing there.
const PAIRS = /[\uD800-\uDBFF][\uDC00-\uDFFF]/g;
const characters = (field) =>
  field.maxLength > 0 ? field.value.length : field.value.length - (field.value.match(PAIRS)?.length ?? 0);

export function CharactersLeft({ target, limit, value, one, other, overOne, overOther, language }) {
  const [left, setLeft] = useState(null);
  const [heard, setHeard] = useState("");
  useEffect(() => {
    const recount = () => {
      const field = document.getElementById(target);
      if (field) setLeft(limit - characters(field));
    };
    recount();
    const typed = (event) => {
      if (event.target?.id === target) recount();
    };
    // A form's reset empties its fields just after its event: count once it has.
    const reset = () => window.setTimeout(recount, 0);
    document.addEventListener("input", typed, true);
    document.addEventListener("reset", reset, true);
    return () => {
      document.removeEventListener("input", typed, true);
      document.removeEventListener("reset", reset, true);
    };
  }, [target, limit, value]);
  const shown = left !== null && left <= Math.max(10, Math.round(limit / 10));
  // Past the limit (a field that takes more, as an entry's body does, to keep it all as a
  // draft): how many to take out.
  const text = !shown
    ? ""
    : left >= 0
      ? counted(one, other, language, left)
      : counted(overOne, overOther, language, -left);
  useEffect(() => {
    const timer = window.setTimeout(() => setHeard(text), 1000);
    return () => window.clearTimeout(timer);
  }, [text]);
  return (
    <>
      {shown && (
        <span
          aria-hidden="true"
          style={{
            fontSize: "var(--font-size-1)",
            lineHeight: "var(--line-height-1)",
            color: "var(--gray-11)",
          }}
        >
          {text}
        </span>
      )}
      <span style={ONLY_READ_ALOUD} aria-live="polite">
        {heard}
      </span>
    </>
  );
}

// The browser's own messages for a field it will not send ("Please fill out this field."),
// in the tab's language rather than the browser's: a client who chose French on an English
// phone read them in English. Set as the field's message when the browser finds it invalid
// (the `invalid` event, before it shows its bubble), cleared as soon as the field changes.
// Only the checks the app's fields use; any other keeps the browser's own words. A field
// with a range says its own limits' messages (`data-too-late`, `data-too-early`).
export function FieldMessages({ missing, choose, email, shortOne, shortOther, language }) {
  useEffect(() => {
    const message = (field) => {
      const validity = field.validity;
      if (validity.valueMissing) return field.tagName === "SELECT" ? choose : missing;
      if (validity.typeMismatch && field.type === "email") return email;
      if (validity.tooShort) return counted(shortOne, shortOther, language, field.minLength);
      if (validity.rangeOverflow) return field.dataset?.tooLate || "";
      if (validity.rangeUnderflow) return field.dataset?.tooEarly || "";
      return "";
    };
    const invalid = (event) => {
      const field = event.target;
      if (typeof field.setCustomValidity !== "function") return;
      field.setCustomValidity(""); // what the field itself lacks now, not an earlier message
      field.setCustomValidity(message(field));
    };
    const changed = (event) => event.target.setCustomValidity?.("");
    document.addEventListener("invalid", invalid, true); // `invalid` does not bubble
    document.addEventListener("input", changed, true);
    document.addEventListener("change", changed, true);
    return () => {
      document.removeEventListener("invalid", invalid, true);
      document.removeEventListener("input", changed, true);
      document.removeEventListener("change", changed, true);
    };
  }, [missing, choose, email, shortOne, shortOther, language]);
  return null;
}
