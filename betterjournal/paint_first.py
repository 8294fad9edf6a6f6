"""A page paints before its scripts load.

React Router prerenders every page: its HTML already holds what the page first shows, and
needs only the stylesheet to paint. But the head also lists each of the app's ~27 scripts
(~300 KB) as `<link rel="modulepreload">`, and the inline module script that starts the app
imports them at once. On a phone's slow connection they all download beside the stylesheet
and the page paints only once they are in and have run: measured with Lighthouse's mobile
preset on the sign-in page, first paint 3.4 s (simulated slow 4G) and 3.1 s (throttled for
real), against 1.2 s and 2.0 s with this change (docs/performance.md, "Lighthouse on a
phone").

So, as each page is served, `paint_first` takes the preload links out of the head and makes
the app's start script inert (`type="text/x-app-start"`), and a small script at the end of
the body, once the first frame is painted, adds the same preload links (every script
downloads in parallel, as before) and starts the app with the same module script. React
hydrates the page as before. The start script's text is unchanged, so the page's CSP hash of
it (api.content_security_policy) allows it when it is added again.

The cost: the scripts start downloading after the first paint instead of beside the
stylesheet. The page is interactive about 0.6 s later on throttled slow 4G, while the person
already sees the form or page (and types into it: typed text is kept by the hydration).
A page without that shape is served unchanged.
"""

from __future__ import annotations

import json
import re

_PRELOAD = re.compile(rb'<link rel="modulepreload" href="(/[^"<>]+\.js)"/>')
_START = b'<script type="module" async="">'
_INERT_START = b'<script type="text/x-app-start" id="app-start">'
_BOOT = """<script>(function () {
  var started = false;
  function start() {
    if (started) return;
    started = true;
    for (const href of %s) {
      const link = document.createElement("link");
      link.rel = "modulepreload";
      link.href = href;
      document.head.appendChild(link);
    }
    const app = document.createElement("script");
    app.type = "module";
    app.textContent = document.getElementById("app-start").textContent;
    document.body.appendChild(app);
  }
  // After the first frame is on screen: the frame after it has begun.
  requestAnimationFrame(function () { requestAnimationFrame(function () { setTimeout(start); }); });
  setTimeout(start, 1000);  // a tab opened in the background paints no frame
})()</script>"""


def paint_first(html: bytes) -> bytes:
    """The page with its scripts loaded after its first paint (see the module's docstring)."""
    preloads = _PRELOAD.findall(html)
    if not preloads or html.count(_START) != 1 or html.count(b"</body>") != 1:
        return html
    hrefs = json.dumps([href.decode() for href in preloads])
    boot = (_BOOT % hrefs).encode()
    html = _PRELOAD.sub(b"", html).replace(_START, _INERT_START)
    return html.replace(b"</body>", boot + b"</body>")
