// What is costly to draw, drawn only when it is wanted, then kept (wrapped in
// betterjournal/components/layout.py; bundled by Vite: a 'self' script under the CSP).
// A chart page on a phone drew its four charts and their four data tables (a row a day)
// in one long task that froze the page; now the charts in view are drawn at once, each
// one below as the person scrolls towards it, and a table when its "Show as a table" is
// opened. Paper has no scrolling: "Print / save as PDF" (components/layout.py)
// draws every chart before it opens the browser's print dialog.
import { useEffect, useRef, useState } from "react";

const NEAR = "200px 0px"; // within 200 px of the screen, below it or above (a page reopened part-way down)

// [the place's ref, whether to draw]: false until `watch(place, draw)` calls `draw`, then
// true for good. `watch` returns how to stop watching, or nothing.
function useDrawnOnce(watch) {
  const place = useRef(null);
  const [drawn, setDrawn] = useState(false);
  useEffect(() => (drawn ? undefined : watch(place.current, () => setDrawn(true))), [drawn]);
  return [place, drawn];
}

// The charts that come near the screen are drawn one after the other, each in a task of its
// own: the two a phone shows at once were drawn in one long task (about 800 ms at a phone's
// speed), and a tap waited for both. The next one starts once the last one's drawing is on
// the page (Plotly's SVG in its place), or has left the page, or after 5 s.
let drawing = Promise.resolve();

function drawInTurn(element, draw) {
  drawing = drawing.then(
    () =>
      new Promise((done) => {
        draw();
        const since = performance.now();
        const drawnOrGone = () => {
          if (
            element.querySelector(".main-svg") ||
            !element.isConnected ||
            performance.now() - since > 5000
          ) {
            // Plotly's off-screen measuring drawing, left at the end of the page: hidden from
            // screen readers, which read it as an unnamed image (a walk-through).
            document.getElementById("js-plotly-tester")?.setAttribute("aria-hidden", "true");
            setTimeout(done, 0); // the browser paints, and answers a tap, before the next
          } else {
            requestAnimationFrame(drawnOrGone);
          }
        };
        requestAnimationFrame(drawnOrGone);
      }),
  );
}

// Its children once their place comes near the screen (in turn, above), or the page is to be
// printed (the window's "bj-draw-all" event, all at once; the browser's own "beforeprint" too,
// though the browser lays the page out for paper without waiting for a chart to load and
// draw). Give the place its size (a box of fixed height around it), so nothing moves when
// they are drawn.
export function WhenNear({ children }) {
  const [place, near] = useDrawnOnce((element, draw) => {
    if (typeof IntersectionObserver === "undefined") {
      draw();
      return undefined;
    }
    const watcher = new IntersectionObserver(
      (seen) => {
        if (seen.some((entry) => entry.isIntersecting)) {
          watcher.disconnect(); // once is enough: it is kept once drawn
          drawInTurn(element, draw);
        }
      },
      { rootMargin: NEAR },
    );
    watcher.observe(element);
    const printing = ["bj-draw-all", "beforeprint"];
    printing.forEach((name) => window.addEventListener(name, draw));
    return () => {
      watcher.disconnect();
      printing.forEach((name) => window.removeEventListener(name, draw));
    };
  });
  return (
    <div ref={place} style={{ width: "100%", height: "100%" }}>
      {near ? children : null}
    </div>
  );
}

// "Print / save as PDF": every chart drawn, then the browser's print dialog (after 5 s
// without it, whatever is drawn: a chart's summary is printed under its place anyway).
export function printWhenDrawn() {
  window.dispatchEvent(new Event("bj-draw-all"));
  const boxes = [...document.querySelectorAll(".bj-chart")];
  const since = performance.now();
  const drawn = () => boxes.every((box) => box.querySelector(".main-svg"));
  const printOnceDrawn = () => {
    if (drawn() || performance.now() - since > 5000) {
      window.print();
    } else {
      requestAnimationFrame(printOnceDrawn);
    }
  };
  printOnceDrawn();
}

// Inside a <details>: its children once the details are opened (a closed one shows
// nothing of them, to the eye or to a screen reader).
export function WhenOpen({ children }) {
  const [place, open] = useDrawnOnce((element, draw) => {
    const details = element?.closest("details");
    const toggled = () => {
      if (!details || details.open) {
        draw();
      }
    };
    toggled();
    details?.addEventListener("toggle", toggled);
    return () => details?.removeEventListener("toggle", toggled);
  });
  return (
    <div ref={place} style={{ display: "contents" }}>
      {open ? children : null}
    </div>
  );
}
