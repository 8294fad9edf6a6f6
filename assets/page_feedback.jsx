// Page feedback (wrapped in betterjournal/components/layout.py).
//
// A notice or problem is shown only on the page it was given on: when the person moves
// to another page, the previous page's "Entry saved" disappears at once, before that
// page's own load has answered (bundled by Vite: a 'self' script under the CSP).
import { useContext, useEffect, useRef, useState } from "react";
import { useLocation } from "react-router";
import { EventLoopContext } from "$/utils/context-registry";

const trimmed = (path) => (path || "").replace(/\/+$/, "") || "/";

export function OnPage({ path, children }) {
  const location = useLocation();
  return trimmed(location.pathname) === trimmed(path) ? children : null;
}

// The notice stays in view at the top of the screen where it was said (a tap far down a
// page); once the person scrolls on, a third of a screen or more, it goes back to its place
// at the top of the page rather than lie over what they scroll to (a walk-through: "Check-in
// saved." over the charts). A new notice stays in view again.
// And what was said about a form's last try goes (as its Dismiss does) once the browser
// refuses to send the form again for a check of its own: a walk-through fixed the password
// it was told was wrong, the browser said "Use at least 12 characters", and the old
// "That password isn't right" stayed on top of it.
export function LetGoOnScroll() {
  const anchor = useRef(null);
  useEffect(() => {
    const box = anchor.current && anchor.current.parentElement;
    if (!box) return undefined;
    let from = window.scrollY;
    let dismissed = false;
    const said = new MutationObserver(() => {
      from = window.scrollY;
      dismissed = false;
      delete box.dataset.letGo;
    });
    said.observe(box, { childList: true, subtree: true, characterData: true });
    const scrolled = () => {
      if (!box.dataset.letGo && Math.abs(window.scrollY - from) > window.innerHeight / 3) {
        box.dataset.letGo = "true";
      }
    };
    const refused = () => {
      const dismiss = box.querySelector(".bj-dismiss-feedback");
      if (dismiss && !dismissed) {
        dismissed = true; // once for all the fields one try refused
        dismiss.click();
      }
    };
    window.addEventListener("scroll", scrolled, { passive: true });
    document.addEventListener("invalid", refused, true); // `invalid` does not bubble
    return () => {
      said.disconnect();
      window.removeEventListener("scroll", scrolled);
      document.removeEventListener("invalid", refused, true);
    };
  }, []);
  return <span ref={anchor} hidden />;
}

// Whether the app can reach the server: not when the browser says it is offline, nor while
// the websocket's reconnect attempts are failing. Online at first (as the prerendered page
// is), then the browser's word.
function useReachable() {
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
  return online && connectErrors.length === 0;
}

// Its children only while the app cannot reach the server.
export function WhenOffline({ children }) {
  return useReachable() ? null : children;
}

// Its children only while it can (what the server last said, true only then).
export function WhenOnline({ children }) {
  return useReachable() ? children : null;
}

// The keyboard's focus stays where the person was. A control taken off the page while it
// had the focus (a form drawn again with what the server now holds, "Mark as reviewed"
// become "Reviewed") would hand the focus back to the top of the document: the next Tab
// starts over from the first link. Its like on the page drawn after it (same element,
// same name, same words) takes the focus; else the page's notice, which says what the
// control did; else (a notice put away) the page's heading. A control moved on the page
// (a reordered list) keeps it. A move to another page is
// left to the page's heading (FocusOnNewPage).
// (Chromium sends focusout when it removes the focused element; measured by the tests.)
let focusedOn = null; // the address the focused control was on
if (typeof document !== "undefined") {
  document.addEventListener("focusin", () => {
    focusedOn = window.location.href;
  });
  document.addEventListener(
    "focusout",
    (event) => {
      const gone = event.target;
      if (event.relatedTarget !== null || !(gone instanceof HTMLElement) || !gone.closest("main")) {
        return;
      }
      const { tagName, textContent } = gone;
      const [name, label] = [gone.getAttribute("name"), gone.getAttribute("aria-label")];
      const address = focusedOn;
      requestAnimationFrame(() => {
        const active = document.activeElement;
        if ((active !== null && active !== document.body) || window.location.href !== address) {
          return;
        }
        if (gone.isConnected && !gone.disabled) {
          // Moved, not gone (a line of a reordered list): the browser let go of the focus
          // as the element moved; it goes back to it (disabled now, at the list's end: as
          // for a control gone, below).
          gone.focus();
          return;
        }
        const like = [...document.querySelectorAll(`main ${tagName}`)].find(
          (element) =>
            element.textContent === textContent &&
            element.getAttribute("name") === name &&
            element.getAttribute("aria-label") === label &&
            !element.disabled,
        );
        // A control that names where the focus goes when it is gone (a list item's Remove:
        // its list's Add).
        const after = gone.dataset.focusAfter ? document.getElementById(gone.dataset.focusAfter) : null;
        const notice = document.querySelector('main [role="status"].rt-CalloutRoot');
        const heading = document.querySelector("main h1");
        if (like !== undefined) {
          like.focus();
        } else if (after !== null && !after.disabled) {
          after.focus();
        } else if (notice !== null) {
          notice.tabIndex = -1;
          notice.focus();
        } else if (heading !== null) {
          heading.tabIndex = -1;
          heading.focus();
        }
      });
    },
    true,
  );
}

// "Add another" (a worksheet's list): the new item's field takes the focus once it is
// drawn, where the person will type; the button stayed focused below it, and a screen
// reader said nothing of the new field above. Only while the focus is still where the tap
// left it (the button, or nowhere), or in the field an earlier "Add another" gave it to,
// still empty (tapped twice: the newest): a person who went on to another field before
// the new item came (a slow connection) keeps typing there.
if (typeof document !== "undefined") {
  let given = null; // the field an "Add another" last gave the focus to
  document.addEventListener(
    "click",
    (event) => {
      const button = event.target?.closest?.("[data-focus-new]");
      const list = button ? document.getElementById(button.dataset.focusNew) : null;
      if (list === null) {
        return;
      }
      const before = list.querySelectorAll("fieldset").length;
      const started = Date.now();
      const look = () => {
        const rows = list.querySelectorAll("fieldset");
        if (rows.length > before) {
          const active = document.activeElement;
          const left = active === null || active === document.body || active === button;
          if (left || (active === given && !active.value)) {
            given = rows[rows.length - 1].querySelector("input:not([type=hidden]), textarea, select");
            given?.focus();
          }
        } else if (Date.now() - started < 5000) {
          requestAnimationFrame(look);
        }
      };
      requestAnimationFrame(look);
    },
    true,
  );
}

// What was just typed goes before the page does. A field that saves as it is typed in
// (rx.debounce_input: a worksheet's answers, the Prepare page's note, the editor) sends
// its words after a pause of 0.6–0.8 s; a reload inside that pause lost them (5 reloads
// of 5 after 0–300 ms, in a probe), and a closed tab or a phone putting the app away
// risks the same. As the page starts to go or is hidden:
// - the focused field is told it lost the focus (without moving the focus, so a person
//   who comes back types on): the debounce sends at once over the websocket, which is
//   still open on a reload or a hidden page. A field with nothing waiting sends nothing.
// - that send may not leave: a tab gone at `pagehide` (the only event some phone
//   browsers fire) takes its websocket with it (the editor's probe: 7 of 8 lost), and a
//   connection may have died without a word. So each field marked `data-keep` typed into
//   in the last 30 seconds (focused or not: an earlier send into a dead connection is
//   lost too), inside an element naming the route that keeps it (`data-keep-url`), is
//   also handed to navigator.sendBeacon, which outlives the page: its value, the page's
//   form token, and every `data-keep-<name>` of the two elements as `<name>` (dashes as
//   underscores); once for what was typed, again once more is typed. (The editor has its
//   own: assets/editor_autosave.jsx.)
// The `beforeunload` listener is there only in those seconds after typing: a page with
// one is kept out of some browsers' back/forward cache.
if (typeof window !== "undefined") {
  const BEACON_WITHIN_MS = 30000;
  // Fields typed into lately: field -> {at: when last typed, sent: the value a beacon
  // took since (null: none)}.
  const typed = new Map();
  let quiet = null; // the timer that takes the `beforeunload` listener away again

  const keptAs = (element, into) => {
    for (const name of element.getAttributeNames()) {
      if (name.startsWith("data-keep-") && name !== "data-keep-url") {
        into.set(name.slice("data-keep-".length).replaceAll("-", "_"), element.getAttribute(name));
      }
    }
  };

  const handOver = (field, last) => {
    const keeper = field.closest("[data-keep-url]");
    const token = document.querySelector("input[name=form_token]")?.value;
    if (keeper === null || !token || typeof navigator.sendBeacon !== "function" || last.sent === field.value) {
      return;
    }
    // What the server last gave the page for it (a worksheet's answer): saved already, and
    // sent again it could only go back over what another device typed since.
    if (field.getAttribute("data-keep-seen") === field.value) return;
    const form = new URLSearchParams({ form_token: token });
    keptAs(keeper, form);
    keptAs(field, form);
    form.set("value", field.value);
    if (navigator.sendBeacon(keeper.getAttribute("data-keep-url"), form)) {
      last.sent = field.value;
    }
  };

  function sendWhatWaits() {
    const field = document.activeElement;
    if (field instanceof HTMLInputElement || field instanceof HTMLTextAreaElement) {
      // relatedTarget: the focus is not lost to nowhere (the listener above leaves it).
      field.dispatchEvent(new FocusEvent("focusout", { bubbles: true, relatedTarget: field }));
    }
    const now = Date.now();
    for (const [one, last] of typed) {
      if (!one.isConnected || now - last.at > BEACON_WITHIN_MS) {
        typed.delete(one);
      } else {
        handOver(one, last);
      }
    }
  }

  document.addEventListener(
    "input",
    (event) => {
      const field = event.target;
      if (field instanceof HTMLElement && field.hasAttribute("data-keep")) {
        typed.set(field, { at: Date.now(), sent: null });
      }
      window.clearTimeout(quiet);
      window.addEventListener("beforeunload", sendWhatWaits, true); // once: the same listener
      quiet = window.setTimeout(
        () => window.removeEventListener("beforeunload", sendWhatWaits, true),
        BEACON_WITHIN_MS,
      );
    },
    true,
  );
  window.addEventListener("pagehide", sendWhatWaits, true);
  document.addEventListener(
    "visibilitychange",
    () => {
      if (document.visibilityState === "hidden") {
        sendWhatWaits();
      }
    },
    true,
  );
}

// A button that saves and goes to another page (`data-once`: Save check-in, a worksheet's
// Save and Return) takes one tap a second. The second tap of a double tap otherwise reached
// the server after the first had gone to the next page, or just before that page loaded, and
// the page's notice ("Returned to …") was gone (walk-through). The server still treats a
// second one it gets as a second tap (AppState._second_tap).
// Only a tap on the same button again, with nothing else tapped or typed between: Save, then
// a mood chosen or an answer shortened, then Save again, is no double tap.
if (typeof window !== "undefined") {
  const ONE_TAP_MS = 1000;
  let last = { button: null, at: 0 }; // the last tap: on a `data-once` button (or not), when
  document.addEventListener(
    "click",
    (event) => {
      const button = event.target instanceof Element ? event.target.closest("[data-once]") : null;
      const now = Date.now();
      if (button !== null && button === last.button && now - last.at < ONE_TAP_MS) {
        event.preventDefault(); // a submit button's form is not sent again
        event.stopImmediatePropagation(); // nor does React hear of it
        return;
      }
      last = { button, at: now };
    },
    true,
  );
  const somethingElse = () => {
    last = { button: null, at: 0 };
  };
  document.addEventListener("input", somethingElse, true);
  document.addEventListener("change", somethingElse, true);
}

// A form sent by the browser itself (sign in, create an account) comes back as a new page
// with its problem: the focus would be nowhere (the top of the document), and a screen
// reader would say the page's name, not what went wrong. Once the problem shows, the focus
// goes to the first field left empty (the password: the form keeps the rest), which the
// problem is about; else to the problem itself. Not when the person has the focus already.
export function FocusOnProblem({ problem }) {
  useEffect(() => {
    const active = document.activeElement;
    if (!problem || (active !== null && active !== document.body)) {
      return;
    }
    const empty = [...document.querySelectorAll("main form input:not([type=hidden])")].find(
      (field) => !field.value && !field.disabled,
    );
    const shown = document.querySelector('main [role="alert"]');
    if (empty !== undefined) {
      empty.focus();
    } else if (shown !== null) {
      shown.tabIndex = -1;
      shown.focus();
    }
  }, [problem]);
  return null;
}
