// The editor's autosave on the page (wrapped in betterjournal/pages/editor.py).
//
// Bundled by Vite with the page (a 'self' script under the CSP). What it adds to the
// debounced websocket autosave:
// - EditorGate shows the form only while the editor's state is for the item in the URL,
//   so one item's words never show on another item's page.
// - DraftStatus says "Saving…" from the first keystroke until the server echoes the
//   very words on screen back, and "Offline — your words will be saved when you're back"
//   while disconnected (sent again as soon as the connection returns).
// - Words typed but not yet confirmed are sent again after a reconnect; when leaving
//   the page inside the app they are sent at once over the websocket (in order with a
//   save or discard, which the server then honours); when the tab is hidden, closed or
//   reloaded they go over the websocket and are handed to navigator.sendBeacon, which
//   outlives the page, as soon as the page starts to go (`beforeunload`: on a reload,
//   Chromium dropped most beacons handed over only at `pagehide`, 7 of 8 in a probe).
// - Offline with words not sent yet, closing or reloading the tab asks first (the
//   browser's own "Leave site?"): no beacon can reach the server, and nothing is kept
//   in the browser's storage.
// - Once the address is another page's, the form still on screen takes no more words.
// - While typing goes on without a pause, the words go at least once a second (should a
//   browser still drop the beacon, a page that goes loses at most that second).
// - WordCount counts the words on screen as they are typed, offline too.
import { Children, useContext, useEffect, useRef, useState } from "react";
import { useLocation } from "react-router";
import { EventLoopContext } from "$/utils/context-registry";
import { ReflexEvent } from "$/utils/state";
import { counted } from "$/public/forms.jsx";
import { handOver } from "$/public/unsent_words.jsx";

// The words typed into the open editor that the server has not confirmed yet:
// {entryId, title, body, at}. Module-level, so they outlive a remount of the form.
let pending = null;
// The editor on screen: {entryId, titleId, bodyId, writePath, changed()} (one at a time).
let current = null;

// Words to send again: not at all, once a new hydration starts, once the page loaded.
const NONE = 0;
const WAIT_HYDRATE = 1;
const WAIT_LOADED = 2;
const SEND_AT_LEAST_EVERY_MS = 1000;

const onItemPage = (writePath, entryId) =>
  typeof window !== "undefined" &&
  window.location.pathname.replace(/\/$/, "") === writePath &&
  new URLSearchParams(window.location.search).get("id") === entryId;

const valueOf = (id) => document.getElementById(id)?.value ?? "";

if (typeof document !== "undefined") {
  document.addEventListener(
    "input",
    (event) => {
      const id = event.target?.id;
      if (current === null || (id !== current.titleId && id !== current.bodyId)) {
        return;
      }
      pending = {
        entryId: current.entryId,
        title: valueOf(current.titleId),
        body: valueOf(current.bodyId),
        at: Date.now(),
      };
      current.changed();
    },
    true,
  );
  // Tapped on a link, the page's address changes at once but the last form stays on
  // screen until the next page replaces it (a moment, longer on a slow phone). What is
  // typed into it then would vanish with it and go to the item it was for: refused.
  document.addEventListener(
    "beforeinput",
    (event) => {
      const id = event.target?.id;
      if (
        current !== null &&
        (id === current.titleId || id === current.bodyId) &&
        !onItemPage(current.writePath, current.entryId)
      ) {
        event.preventDefault();
      }
    },
    true,
  );
  // Enter in the title goes on to the entry, as a person means it, rather than submitting
  // the form (which, with nothing written yet, answered that the entry can't be empty).
  document.addEventListener(
    "keydown",
    (event) => {
      if (
        current !== null &&
        event.key === "Enter" &&
        !event.isComposing &&
        event.target?.id === current.titleId
      ) {
        event.preventDefault();
        document.getElementById(current.bodyId)?.focus();
      }
    },
    true,
  );
  // A confirmed discard: the words are meant to go, never to be sent again.
  document.addEventListener(
    "click",
    (event) => {
      if (event.target?.closest?.("[data-forgets-typed-words]")) {
        pending = null;
      }
    },
    true,
  );
}

const countWords = (text) => (text.match(/\S+/g) ?? []).length;

/** "123 words": the words on screen as they are typed (offline too), in the tab's
 *  language, whose plural rule chooses between the message's two forms. */
export function WordCount({ bodyId, savedBody, one, other, language }) {
  const [count, setCount] = useState(null);
  useEffect(() => {
    const recount = () => setCount(countWords(valueOf(bodyId)));
    recount(); // the words the editor opened with, or the server's after a save
    const typed = (event) => {
      if (event.target?.id === bodyId) {
        recount();
      }
    };
    document.addEventListener("input", typed, true);
    return () => document.removeEventListener("input", typed, true);
  }, [bodyId, savedBody]);
  if (count === null) {
    return null;
  }
  return counted(one, other, language, count);
}

/** The form (first child) while the state is this URL's item; else the second child. */
export function EditorGate({ entryId, ready, children }) {
  const location = useLocation();
  const [content, fallback] = Children.toArray(children);
  const shown =
    ready && entryId !== "" && new URLSearchParams(location.search).get("id") === entryId;
  useEffect(() => {
    // The field focused as the form appears opens with the caret after the words already
    // there (a browser puts it before them), so editing an entry goes on where it ended.
    const field = document.activeElement;
    if (shown && field instanceof HTMLTextAreaElement && field.selectionEnd === 0) {
      field.setSelectionRange(field.value.length, field.value.length);
    }
  }, [shown, entryId]);
  return shown ? content : (fallback ?? null);
}

/** The autosave status line, and the sending of words the debounce would lose. */
export function DraftStatus({
  entryId,
  savedTitle,
  savedBody,
  draftSeen,
  wordsMark,
  serverStatus,
  failed,
  hydrated,
  formToken,
  titleId,
  bodyId,
  titleEvent,
  bodyEvent,
  writePath,
  keepUrl,
  savingText,
  offlineText,
  reconnectingText,
}) {
  const [addEvents, connectErrors] = useContext(EventLoopContext);
  const [, setTyped] = useState(0);
  const [online, setOnline] = useState(
    typeof navigator === "undefined" ? true : navigator.onLine,
  );
  // The latest props, for listeners and the unmount cleanup.
  const latest = useRef({});
  latest.current = { entryId, savedTitle, savedBody, draftSeen, wordsMark, formToken, failed };
  // Words waiting to be sent again: WAIT_HYDRATE until a new hydration starts (after
  // a reconnect), then WAIT_LOADED until the page's load is done (is_hydrated again).
  const resend = useRef(NONE);
  // After a reconnect the words go again even if meanwhile confirmed (the queued edit
  // may land before the editor reopens), so the last reply is about them.
  const resendAlways = useRef(false);
  const remembered = useRef(null); // the words to send again
  const lastSent = useRef(0);
  const dirtySince = useRef(null); // when the words on screen last stopped matching the server's
  const lastBeacon = useRef(null);

  const mine = pending !== null && pending.entryId === entryId ? pending : null;
  const dirty = mine !== null && (mine.title !== savedTitle || mine.body !== savedBody);
  if (mine !== null && !dirty) {
    pending = null; // the server echoed these very words: they are saved
  }
  const offline = !online || connectErrors.length > 0;
  latest.current.offline = offline;

  // Send these words (by default the unconfirmed ones) over the websocket, as edits
  // made on this item's page. `always`: send the body even if the state has it already,
  // so the server's reply is about these words.
  const send = (words = pending, always = false) => {
    const { entryId: id, savedTitle: title, savedBody: body } = latest.current;
    if (words === null || words.entryId !== id) {
      return;
    }
    const routerData = {
      pathname: writePath,
      query: { id },
      asPath: `${writePath}?id=${encodeURIComponent(id)}`,
    };
    const events = [];
    if (words.title !== title) {
      events.push(ReflexEvent(titleEvent, { value: words.title, entry_id: id }));
    }
    if (words.body !== body || (always && events.length === 0)) {
      events.push(ReflexEvent(bodyEvent, { value: words.body, entry_id: id }));
    }
    events.forEach((event) => {
      event.router_data = routerData;
    });
    if (events.length > 0) {
      lastSent.current = Date.now();
      addEvents(events);
    }
  };

  // Hand the unconfirmed words to the browser, to deliver even if the page goes away.
  const beacon = () => {
    const words = pending;
    const {
      entryId: id,
      savedTitle: title,
      savedBody: body,
      draftSeen: seen,
      wordsMark: mark,
      formToken: token,
    } = latest.current;
    if (
      words === null ||
      words === lastBeacon.current ||
      words.entryId !== id ||
      (words.title === title && words.body === body) ||
      typeof navigator.sendBeacon !== "function"
    ) {
      return;
    }
    lastBeacon.current = words; // hidden, then closed: once is enough
    navigator.sendBeacon(
      keepUrl,
      new URLSearchParams({
        form_token: token,
        entry_id: id,
        title: words.title,
        body: words.body,
        // The draft this tab last saw, and the words it held then: one written since on
        // another device is kept apart, not written over (core/drafts.save).
        seen,
        known_title: title,
        known_body: body,
        // Whose words these are (the server's mark, given as the editor opened): written
        // only for that person.
        mark,
      }),
    );
  };

  useEffect(() => {
    current = {
      entryId,
      titleId,
      bodyId,
      writePath,
      changed: () => setTyped((n) => n + 1),
    };
    const goOnline = () => setOnline(true);
    const goOffline = () => {
      setOnline(false);
    };
    // Hidden (another app, another tab) or closing: the words go both ways at once, over
    // the websocket while it is still open and as a beacon, which outlives the page (a
    // browser may drop either as the page goes; the server keeps the last, and both are
    // the same words).
    const going = () => {
      send();
      beacon();
    };
    const hidden = () => {
      if (document.visibilityState === "hidden") {
        going();
      }
    };
    // Offline, neither way reaches the server, and nothing is kept in the browser's
    // storage: the browser asks before the page goes (its own "Leave site?" question),
    // so a reload or a closed tab doesn't lose the words waiting to be sent.
    const leaving = (event) => {
      going();
      const { entryId: id, savedTitle: title, savedBody: body, offline: cut } = latest.current;
      const words = pending;
      const unsent = words !== null && words.entryId === id && (words.title !== title || words.body !== body);
      if (unsent && (cut || !navigator.onLine)) {
        event.preventDefault();
        event.returnValue = ""; // older browsers ask only when this is set
      }
    };
    window.addEventListener("online", goOnline);
    window.addEventListener("offline", goOffline);
    window.addEventListener("beforeunload", leaving, true);
    window.addEventListener("pagehide", going, true);
    document.addEventListener("visibilitychange", hidden, true);
    // Words kept through a remount: the server's state was reset (e.g. a restart) and
    // the editor reopened with the last saved words.
    if (pending !== null && pending.entryId === entryId) {
      resend.current = WAIT_LOADED;
      resendAlways.current = false;
      remembered.current = pending;
    }
    return () => {
      window.removeEventListener("online", goOnline);
      window.removeEventListener("offline", goOffline);
      window.removeEventListener("beforeunload", leaving, true);
      window.removeEventListener("pagehide", going, true);
      document.removeEventListener("visibilitychange", hidden, true);
      if (current?.entryId === entryId) {
        current = null;
      }
      // The form goes with words the server has not confirmed: should this be because the
      // session ended (the sign-in page, or the page signed out), those words can still be
      // copied there, and signing in again there puts them back (assets/unsent_words.jsx).
      if (pending !== null && pending.entryId === entryId) {
        const { savedTitle: title, savedBody: body, draftSeen: seen, wordsMark: mark } = latest.current;
        handOver([pending.title, pending.body], {
          entry_id: entryId,
          title: pending.title,
          body: pending.body,
          seen,
          known_title: title,
          known_body: body,
          // (Another entry's mark, should the page have moved on to it: refused, as it should.)
          mark: latest.current.entryId === entryId ? mark : "",
        });
      }
      // Leaving this item inside the app: send what the debounce still holds. On the
      // same URL the form only remounts; the words stay to be sent again after it.
      if (pending !== null && pending.entryId === entryId && !onItemPage(writePath, entryId)) {
        send();
        pending = null;
      }
    };
  }, [entryId]);

  // Words typed while offline are sent again after the reconnect's hydration and the
  // editor's reopening on the server, so that the server's last reply is about them.
  if (resend.current !== NONE && mine !== null) {
    remembered.current = mine;
  }
  useEffect(() => {
    if (offline && dirty) {
      resend.current = WAIT_HYDRATE;
      resendAlways.current = true;
      remembered.current = mine;
    } else if (resend.current === WAIT_HYDRATE && !hydrated) {
      resend.current = WAIT_LOADED;
    } else if (resend.current === WAIT_LOADED && hydrated && !offline) {
      resend.current = NONE;
      send(pending ?? remembered.current, resendAlways.current);
      remembered.current = null;
    } else if (resend.current === WAIT_HYDRATE && hydrated && !offline && !dirty) {
      // The connection came back without a new hydration and delivered the words.
      resend.current = NONE;
      remembered.current = null;
    }
  });

  // Typing on and on never lets the debounce fire: the words also go at least once a
  // second while they change, so a page that goes suddenly (a reload, a crash, a beacon
  // the browser drops) loses at most the last second.
  useEffect(() => {
    if (!dirty) {
      dirtySince.current = null;
      return;
    }
    const now = Date.now();
    dirtySince.current ??= now;
    const waiting = now - Math.max(dirtySince.current, lastSent.current);
    if (!offline && !failed && waiting >= SEND_AT_LEAST_EVERY_MS) {
      send();
    }
  });

  // No reply long after the last keystroke (a connection that died silently): again.
  useEffect(() => {
    if (!dirty || offline || failed) {
      return;
    }
    const timer = window.setInterval(() => {
      const now = Date.now();
      if (pending !== null && now - pending.at > 8000 && now - lastSent.current > 8000) {
        send();
      }
    }, 2000);
    return () => window.clearInterval(timer);
  }, [dirty, offline, failed]);

  if (offline) {
    return dirty ? offlineText : reconnectingText;
  }
  if (dirty && !failed) {
    return savingText;
  }
  return serverStatus;
}

