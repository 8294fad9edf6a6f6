"""The installable app: the web app manifest, the service worker and the offline page.

The service worker (pwa_worker.js) keeps only what holds nobody's words: the offline page
and Vite's content-hashed build files. Pages' data travels over the websocket, which a
service worker never sees; it never touches /api/, /_event or anything but a GET. Its
cache is named after the build, so a new build installs a new worker, whose activation
deletes the old cache.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import re
from pathlib import Path

from betterjournal import routes
from betterjournal.i18n import CRISIS_CALL, CRISIS_LINE, CRISIS_TEXT, LANGUAGES, N_, Reader

THEME_COLOUR = "#0d9488"
BACKGROUND_COLOUR = "#ffffff"
START_URL = routes.HOME  # a signed-in person goes on to their work, anyone else sees the home page
# The icons in assets/ (drawn by scripts/make_icons.py): (path, size, purpose).
ICONS = (
    ("/icon-192.png", 192, "any"),
    ("/icon-512.png", 512, "any"),
    ("/icon-maskable-512.png", 512, "maskable"),
)
APPLE_TOUCH_ICON = "/apple-touch-icon.png"  # 180 × 180, what iOS puts on the home screen
# Vite's build output: /assets/<name>-<8-character content hash>.<ext>, never changed in place.
HASHED_ASSET = re.compile(r"^/assets/[^/]+-[A-Za-z0-9_-]{8}\.[a-z0-9]+$")
IMMUTABLE = "public, max-age=31536000, immutable"
WORKER_TEMPLATE = Path(__file__).with_name("pwa_worker.js")

DESCRIPTION = N_("A private space between sessions")
OFFLINE_TITLE = N_("You're offline")
OFFLINE_WORDS = (
    N_("Betterjournal needs a connection to open. Your journal is kept on the server, not on this phone."),
    N_(
        "Words typed while offline stay on the page where they were typed, while it is open, "
        "and are saved as soon as you're back online. A page left or reloaded while offline "
        "couldn't keep them."
    ),
    N_("When you're connected again, tap Try again."),
)
TRY_AGAIN = N_("Try again")


def is_hashed_asset(path: str) -> bool:
    """Whether a request path is one of Vite's content-hashed build files (cacheable forever)."""
    return HASHED_ASSET.match(path) is not None


def manifest(language: str) -> dict[str, object]:
    """The web app manifest, in `language` (the platform shows its name and description)."""
    reader = Reader(language)
    return {
        "id": START_URL,
        "name": "Betterjournal",
        "short_name": "Betterjournal",
        "description": reader.t(DESCRIPTION),
        "lang": language,
        "dir": "ltr",
        "start_url": START_URL,
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [
            {"src": src, "sizes": f"{size}x{size}", "type": "image/png", "purpose": purpose}
            for src, size, purpose in ICONS
        ],
    }


# The look of the app's few plain pages (the offline page, the reminders' one-tap "off"):
# no script, nothing outside, light or dark as the phone is, calm at 11 pm like the app.
CALM_STYLE = f"""
  body {{ margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
         color: #1c2024; background: {BACKGROUND_COLOUR}; line-height: 1.5; }}
  main {{ max-width: 30rem; margin: 0 auto; padding: 2rem 1.25rem 3rem; }}
  .brand {{ color: #0b6b62; font-weight: 700; font-size: 1.25rem; margin: 0 0 1.5rem; }}
  h1 {{ font-size: 1.5rem; margin: 0 0 1rem; }}
  section + section {{ margin-top: 2rem; padding-top: 1.5rem; border-top: 1px solid #d9dde0; }}
  section + section h1 {{ font-size: 1.25rem; }}
  a {{ color: #0b6b62; }}
  .again {{ display: inline-flex; align-items: center; min-height: 2.75rem; padding: 0 1.25rem;
            border: 0; border-radius: 0.75rem; background: #0b6b62; color: #fff; text-decoration: none;
            font: inherit; font-weight: 600; cursor: pointer; }}
  .again:focus-visible {{ outline: 3px solid #1c2024; outline-offset: 2px; }}
  .crisis {{ color: #50575e; font-size: 0.95rem; margin-top: 2rem; }}
  @media (prefers-color-scheme: dark) {{
    body {{ color: #edeef0; background: #111113; }}
    .brand, a {{ color: #53c2b3; }}
    a.again {{ color: #fff; }}
    section + section {{ border-top-color: #3a3f42; }}
    .again:focus-visible {{ outline-color: #edeef0; }}
    .crisis {{ color: #b0b4ba; }}
  }}
"""


def calm_page(language: str, title: str, sections: str) -> str:
    """One of the app's plain pages: its `sections` (HTML) under the app's name, in its style."""
    return f"""<!DOCTYPE html>
<html lang="{html.escape(language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="theme-color" content="{THEME_COLOUR}">
<title>{html.escape(title)} · Betterjournal</title>
<style>{CALM_STYLE}</style>
</head>
<body>
<main>
<p class="brand">Betterjournal</p>
{sections}
</main>
</body>
</html>
"""


def crisis_line(reader: Reader) -> str:
    """The crisis line, with a tap to call or text (a call needs no connection to the app)."""
    return (
        f'<p class="crisis">{html.escape(reader.t(CRISIS_LINE))} '
        f'<a href="tel:988">{html.escape(reader.t(CRISIS_CALL))}</a> · '
        f'<a href="sms:988">{html.escape(reader.t(CRISIS_TEXT))}</a></p>'
    )


def offline_page(language: str) -> str:
    """A calm page for when the app is opened without a connection: plain HTML, no script,
    its words in the person's language first, then in the other one."""
    order = [language, *(other for other in LANGUAGES if other != language)]
    sections = "\n".join(_offline_section(Reader(lang), first=lang == language) for lang in order)
    return calm_page(language, Reader(language).t(OFFLINE_TITLE), sections)


def _offline_section(reader: Reader, *, first: bool) -> str:
    words = "\n".join(f"<p>{html.escape(reader.t(text))}</p>" for text in OFFLINE_WORDS)
    # The service worker points "Try again" at the page the person asked for (pwa_worker.js).
    again = f'<p><a class="again" href="{START_URL}">{html.escape(reader.t(TRY_AGAIN))}</a></p>'
    heading = "h1" if first else "h2"
    return (
        f'<section lang="{html.escape(reader.language)}">\n'
        f"<{heading}>{html.escape(reader.t(OFFLINE_TITLE))}</{heading}>\n{words}\n{again}\n"
        f"{crisis_line(reader)}\n</section>"
    )


@functools.lru_cache(maxsize=4)
def worker_script(build_files: tuple[str, ...]) -> str:
    """The service worker for a build (the names of its hashed files): its cache name
    changes whenever the build's files, the offline page or the worker itself change."""
    template = WORKER_TEMPLATE.read_text()
    digest = hashlib.sha256(template.encode())
    for name in sorted(build_files):
        digest.update(name.encode() + b"\0")
    for language in LANGUAGES:
        digest.update(offline_page(language).encode())
    scripts_and_styles = [f"/assets/{name}" for name in sorted(build_files) if name.endswith((".js", ".css"))]
    return (
        template.replace("__BUILD__", json.dumps(digest.hexdigest()[:16]))
        .replace("__OFFLINE_URL__", json.dumps(routes.OFFLINE))
        .replace("__HASHED_ASSET__", HASHED_ASSET.pattern.replace("/", r"\/"))
        .replace(
            "__BUILD_FILES__", json.dumps([path for path in scripts_and_styles if is_hashed_asset(path)])
        )
    )


def built_worker_script() -> str:
    """The worker for the build being served now. Its files are listed at each request
    (a few hundred names; browsers ask at most once per page load), so a new build that
    replaces them is a new worker even before the app restarts."""
    from reflex.constants import Dirs
    from reflex.utils.prerequisites import get_web_dir

    built = get_web_dir() / Dirs.STATIC / "assets"
    return worker_script(tuple(sorted(path.name for path in built.iterdir())) if built.is_dir() else ())
