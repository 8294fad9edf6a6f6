"""The installable app's pure parts: the manifest, the icons it names, the service worker's
version and scope of caching, the offline page, and which paths may be cached for a year."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from PIL import Image

from betterjournal import pwa, routes
from betterjournal.i18n import ENGLISH, FRENCH, LANGUAGES, Reader

ASSETS = Path(__file__).resolve().parents[2] / "assets"


def test_the_manifest_has_what_installing_needs_in_the_persons_language() -> None:
    for language in LANGUAGES:
        manifest = pwa.manifest(language)
        assert manifest["name"] and manifest["short_name"]
        assert manifest["display"] == "standalone"
        assert manifest["start_url"] == routes.HOME and manifest["scope"] == "/"
        assert manifest["lang"] == language
        assert manifest["theme_color"] == pwa.THEME_COLOUR and manifest["background_color"]
        assert manifest["description"] == Reader(language).t(pwa.DESCRIPTION)
    assert pwa.manifest(FRENCH)["description"] != pwa.manifest(ENGLISH)["description"]


def test_every_icon_named_exists_at_its_stated_size() -> None:
    icons = pwa.manifest(ENGLISH)["icons"]
    assert isinstance(icons, list)
    purposes = {(icon["sizes"], icon["purpose"]) for icon in icons}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= purposes
    named = [(icon["src"], icon["sizes"]) for icon in icons] + [(pwa.APPLE_TOUCH_ICON, "180x180")]
    for src, sizes in named:
        with Image.open(ASSETS / src.lstrip("/")) as image:
            assert image.format == "PNG"
            assert f"{image.width}x{image.height}" == sizes, src


def test_only_vites_content_hashed_files_are_cacheable_for_a_year() -> None:
    assert pwa.is_hashed_asset("/assets/entry.client-BcBPaK_9.js")
    assert pwa.is_hashed_asset("/assets/__reflex_global_styles-NccINl-w.css")
    assert pwa.is_hashed_asset("/assets/manifest-096d9259.js")
    for path in (
        "/",
        "/journal",
        "/assets/",
        "/assets/unhashed.js",
        "/assets/x-BcBPaK_9.js/more",
        "/sw.js",
        "/manifest.webmanifest",
        "/icon-192.png",
        "/api/health",
        "/_event/",
    ):
        assert not pwa.is_hashed_asset(path), path


def test_the_worker_is_versioned_by_the_build() -> None:
    first = pwa.worker_script(("a-BcBPaK_9.js", "b-NccINl-w.css"))
    assert pwa.worker_script(("b-NccINl-w.css", "a-BcBPaK_9.js")) == first  # order is not a version
    assert pwa.worker_script(("a-BcBPaK_9.js", "b-XXXXXXXX.css")) != first
    assert "__" not in re.sub(r"__reflex", "", first)  # every placeholder filled in
    version = re.search(r'const BUILD = "([0-9a-f]{16})";', first)
    assert version, first[:400]


def test_the_worker_keeps_every_script_and_stylesheet_of_the_build_and_nothing_else() -> None:
    """The files a page not opened yet needs to open offline (walk-through): the build's
    hashed scripts and stylesheets, not their compressed twins nor anything unhashed."""
    script = pwa.worker_script(
        ("a-BcBPaK_9.js", "a-BcBPaK_9.js.br", "b-NccINl-w.css", "c-NccINl-w.png", "plain.js")
    )
    kept = re.search(r"const BUILD_FILES = (\[.*?\]);", script)
    assert kept is not None
    assert json.loads(kept.group(1)) == ["/assets/a-BcBPaK_9.js", "/assets/b-NccINl-w.css"]


def test_the_worker_caches_nothing_but_the_offline_page_and_hashed_files() -> None:
    script = pwa.worker_script(())
    assert f'const OFFLINE_URL = "{routes.OFFLINE}";' in script
    # GET only, same origin only; navigations go to the network, falling back to the offline page.
    assert 'request.method !== "GET"' in script and "url.origin !== self.location.origin" in script
    assert script.count("cache.put(") == 1  # the one runtime write: a hashed build file
    assert "localStorage" not in script and "indexedDB" not in script


def test_the_offline_page_is_calm_plain_html_in_both_languages_the_persons_first() -> None:
    page = pwa.offline_page(FRENCH)
    assert "<script" not in page
    titles = [html.escape(Reader(language).t(pwa.OFFLINE_TITLE)) for language in (FRENCH, ENGLISH)]
    assert page.index(titles[0]) < page.index(titles[1])
    assert '<html lang="fr-CA">' in page and '<section lang="en">' in page
    assert f'href="{pwa.START_URL}"' in page
    assert "988" in page
