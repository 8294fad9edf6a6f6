// A row of choices of which one is chosen (the 0–10 scales: components/inputs.py), for the
// keyboard as a radio group is: one Tab stop (the chosen choice, else the first), the arrow
// keys move to the next or the previous choice and choose it, Home and End to the first and
// the last. Drawn as a hidden child of the group, it finds the group's radios there (bundled
// by Vite: a 'self' script under the CSP).
import { useEffect, useRef } from "react";

const MOVES = {
  ArrowRight: 1,
  ArrowDown: 1,
  ArrowLeft: -1,
  ArrowUp: -1,
};

export function RadioKeys() {
  const anchor = useRef(null);
  useEffect(() => {
    const group = anchor.current?.parentElement;
    if (!group) return undefined;
    const radios = () => Array.from(group.querySelectorAll('[role="radio"]'));
    // The one Tab stop follows the choice, whoever made it (a tap, this tab's server).
    const oneTabStop = () => {
      const all = radios();
      const chosen = all.findIndex((radio) => radio.getAttribute("aria-checked") === "true");
      all.forEach((radio, index) => {
        radio.tabIndex = index === Math.max(chosen, 0) ? 0 : -1;
      });
    };
    // A tap shows at once as the choice, before the server's answer (offline, the tap waits
    // in the page until the connection is back: a walk-through tapped 2, then 5, then 3
    // and saw nothing change, then 5 still drawn when 3 was saved). The server's answer, when
    // it comes, is what is drawn; online, an answer that changes nothing (a refusal) puts
    // the server's choice back after a few seconds.
    // A screen reader hears the tap as the choice too (a walk-through heard "3, not selected"
    // offline): the radios' aria-checked follows the tap here, each one's own first kept in
    // data-checked-by-server. The server's answer, when it comes, is React's to draw: the
    // radios it redraws are as it says, and those it leaves get their own back.
    let timer = null;
    const settle = (redrawn = new Set()) => {
      window.clearTimeout(timer);
      timer = null;
      delete group.dataset.tapped;
      radios().forEach((radio) => {
        radio.removeAttribute("data-tapped-here");
        const own = radio.getAttribute("data-checked-by-server");
        if (own === null) return;
        if (!redrawn.has(radio)) radio.setAttribute("aria-checked", own);
        radio.removeAttribute("data-checked-by-server");
      });
      watch.takeRecords(); // what settling put back is not an answer
    };
    const waitForAnswer = () => {
      window.clearTimeout(timer);
      timer = group.dataset.tapped && navigator.onLine ? window.setTimeout(settle, 4000) : null;
    };
    const tapped = (event) => {
      const radio = event.target.closest('[role="radio"]');
      if (!radio || radio.getAttribute("aria-checked") === "true" || radio.disabled) return;
      settle();
      group.dataset.tapped = "true";
      radio.setAttribute("data-tapped-here", "true");
      radios().forEach((each) => {
        each.setAttribute("data-checked-by-server", each.getAttribute("aria-checked") ?? "false");
        each.setAttribute("aria-checked", each === radio ? "true" : "false");
      });
      watch.takeRecords(); // the tap's own change, not the server's answer
      oneTabStop();
      waitForAnswer();
    };
    const watch = new MutationObserver((changes) => {
      const answers = changes.filter((change) => change.attributeName === "aria-checked");
      if (answers.length) settle(new Set(answers.map((change) => change.target)));
      oneTabStop();
    });
    oneTabStop();
    watch.observe(group, { subtree: true, childList: true, attributeFilter: ["aria-checked"] });
    group.addEventListener("click", tapped);
    window.addEventListener("online", waitForAnswer);
    const move = (event) => {
      const all = radios();
      const at = all.indexOf(document.activeElement);
      if (at < 0 || event.altKey || event.ctrlKey || event.metaKey) return;
      let next;
      if (event.key in MOVES) next = (at + MOVES[event.key] + all.length) % all.length;
      else if (event.key === "Home") next = 0;
      else if (event.key === "End") next = all.length - 1;
      else return;
      event.preventDefault(); // the arrow moves the choice, not the page
      all[next].focus();
      // Home on the first choice, already chosen, leaves it chosen (a second tap clears a
      // worksheet's answer: not for a key that only moves).
      if (all[next].getAttribute("aria-checked") !== "true") all[next].click();
    };
    group.addEventListener("keydown", move);
    return () => {
      watch.disconnect();
      window.clearTimeout(timer);
      group.removeEventListener("keydown", move);
      group.removeEventListener("click", tapped);
      window.removeEventListener("online", waitForAnswer);
    };
  }, []);
  return <span ref={anchor} hidden />;
}
