"""The installed app on a phone: installable, calm offline, no word lost, nothing of anyone's
words in the service worker's caches, and the build's hashed files cached for a year.

Each test that cuts the network does it on a phone of its own (a browser context): its
failed requests are expected console errors, which the shared watch would count against
the journey. Screenshots of the install help and of the offline page, in English and in
French, are written to docs/screenshots/.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import http.client
import io
import re
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from appserver import PROJECT_ROOT, RunningApp
from e2e.conftest import CHROMIUM_ARGS, chromium_path  # the browser fixture's own launch settings
from people import PASSWORD, Tab, sign_in
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect
from sqlmodel import select

from betterjournal import pwa, routes
from betterjournal.core import drafts, items, journal
from betterjournal.db import session_scope
from betterjournal.models import User

pytestmark = pytest.mark.e2e

PHONE: ViewportSize = {"width": 390, "height": 844}

SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"
OFFLINE_WRITING = "Offline — your words will be saved when you're back"

# Every cached response of every cache of this origin: its URL and its body as text.
READ_CACHES = """async () => {
    const found = [];
    for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        for (const request of await cache.keys()) {
            const response = await cache.match(request);
            found.push({cache: name, url: request.url, body: await response.text()});
        }
    }
    return found;
}"""
# Wait for the page's service worker to be active (its install, the offline page's
# caching, is then done) and controlling the page.
WORKER_READY = """async () => {
    const registration = await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
        await new Promise((done) => navigator.serviceWorker.addEventListener('controllerchange', done));
    }
    return registration.scope;
}"""


@pytest.fixture
def phone(browser: Browser, running_app: RunningApp) -> Iterator[Any]:
    contexts: list[BrowserContext] = []

    def open_one(locale: str = "en-CA") -> Tab:
        context = browser.new_context(
            viewport=PHONE, is_mobile=True, has_touch=True, locale=locale, timezone_id="America/Toronto"
        )
        context.set_default_timeout(20_000)
        contexts.append(context)
        return Tab(context.new_page(), running_app)

    yield open_one
    for context in contexts:
        context.close()


def _shoot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - the test's own app
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()


def test_chromium_finds_the_app_installable_with_every_icon_it_names(
    browser: Browser, phone, running_app, tmp_path: Path
) -> None:
    """Installability: no errors from Chromium itself (CDP), a manifest with what installing
    needs, in the browser's language, and icons that exist at their stated sizes.

    In a browser profile of its own: Chromium installs nothing from an incognito context,
    which every new_context is."""
    context = browser.browser_type.launch_persistent_context(
        tmp_path / "profile",
        executable_path=chromium_path(),
        args=CHROMIUM_ARGS,
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        locale="en-CA",
    )
    try:
        _check_installable(Tab(context.pages[0], running_app), running_app)
    finally:
        context.close()

    french = phone(locale="fr-CA")
    french.goto(routes.HOME)
    in_french = french.page.request.get(running_app.url + routes.MANIFEST).json()
    assert in_french["lang"] == "fr-CA"
    assert in_french["description"] == "Un espace privé entre les séances"


def _check_installable(tab: Tab, running_app: RunningApp) -> None:
    tab.goto(routes.HOME)
    assert tab.page.evaluate(WORKER_READY) == running_app.url + "/"
    session = tab.page.context.new_cdp_session(tab.page)
    assert session.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
    manifest_url = session.send("Page.getAppManifest")["url"]
    assert manifest_url == running_app.url + routes.MANIFEST

    response = tab.page.request.get(manifest_url)
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = response.json()
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/" and manifest["scope"] == "/"
    assert manifest["name"] == "Betterjournal" and manifest["short_name"]
    assert manifest["lang"] == "en" and manifest["theme_color"] and manifest["background_color"]
    icons = [(icon["src"], icon["sizes"], icon["purpose"]) for icon in manifest["icons"]]
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= {i[1:] for i in icons}
    apple = tab.page.locator("link[rel=apple-touch-icon]").get_attribute("href")
    for src, sizes in [(src, sizes) for src, sizes, _ in icons] + [(apple, "180x180")]:
        image = tab.page.request.get(running_app.url + str(src))
        assert image.ok and image.headers["content-type"] == "image/png", src
        with Image.open(io.BytesIO(image.body())) as png:
            assert f"{png.width}x{png.height}" == sizes, src


def test_hashed_build_files_are_cached_for_a_year_and_pages_never(running_app) -> None:
    """Measured over HTTP: a Vite-hashed file is `immutable` for a year; the HTML, the
    manifest, the service worker and the offline page are never kept (no-store)."""
    status, headers, html = _get(running_app.url + routes.SIGN_IN + "/")
    assert status == 200 and headers["cache-control"] == "no-store"
    hashed = re.findall(rb'"(/assets/[^"]+\.(?:js|css))"', html)
    assert hashed, "the page names no build file"
    for path in {hashed[0].decode(), next(p.decode() for p in hashed if p.endswith(b".css"))}:
        assert pwa.is_hashed_asset(path), path
        status, headers, _ = _get(running_app.url + path, {"Accept-Encoding": "gzip"})
        assert status == 200 and headers["cache-control"] == "public, max-age=31536000, immutable", path
    for path in (routes.HOME, routes.MANIFEST, routes.SERVICE_WORKER, routes.OFFLINE, "/icon-192.png"):
        status, headers, _ = _get(running_app.url + path)
        assert status == 200 and headers["cache-control"] == "no-store", path
    # The worker is served at the root (its scope is the whole app), versioned by the build.
    _, headers, script = _get(running_app.url + routes.SERVICE_WORKER)
    assert headers["content-type"].startswith("text/javascript")
    assert re.search(rb'const BUILD = "[0-9a-f]{16}";', script)


def test_build_files_come_as_brotli_and_pages_as_gzip_with_their_inline_scripts_hashed(running_app) -> None:
    """Over HTTP, as a phone's browser asks: the scripts and the stylesheet come as brotli
    (12 % fewer bytes than gzip on a slow connection: rxconfig.py); a page comes as gzip,
    which the server reads back to hash its inline scripts into the CSP (Python reads no
    brotli: api.py), and the hashes are those of the page's scripts."""
    phone = {"Accept-Encoding": "gzip, deflate, br, zstd"}
    status, headers, body = _get(running_app.url + routes.SIGN_IN + "/", phone)
    assert status == 200 and headers["content-encoding"] == "gzip"
    html = gzip.decompress(body)
    inline = re.findall(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", html, re.DOTALL)
    assert inline, "the page has no inline script to hash"
    for script in inline:
        digest = base64.b64encode(hashlib.sha256(script).digest()).decode()
        assert f"'sha256-{digest}'" in headers["content-security-policy"]
    built = {p.decode() for p in re.findall(rb'"(/assets/[^"]+\.(?:js|css))"', html)}
    assert any(p.endswith(".css") for p in built) and any(p.endswith(".js") for p in built)
    for path in built:
        status, headers, _ = _get(running_app.url + path, phone)
        assert status == 200 and headers["content-encoding"] == "br", path
    # A browser that takes no brotli gets gzip.
    _, headers, _ = _get(running_app.url + sorted(built)[0], {"Accept-Encoding": "gzip"})
    assert headers["content-encoding"] == "gzip"


def test_the_sign_in_page_loads_only_what_it_shows_and_its_stylesheet_first(running_app) -> None:
    """A phone on a slow connection downloads and runs every script the page names. Radix
    Themes reached every page whole (its menus, tabs, sliders, tables…), which the app
    never makes at run time (betterjournal/theme.py): the sign-in page's scripts hold its
    text fields and none of the components the app never shows (its menus, tabs, cards).
    They are preloaded at low priority, after the stylesheet the first paint waits for
    (betterjournal/page_loading.py)."""
    _, _, html = _get(running_app.url + routes.SIGN_IN + "/")
    preloads = re.findall(rb"<link [^>]*modulepreload[^>]*>", html)
    assert len(preloads) > 5, "the page names too few scripts to be the real build"
    assert all(b'fetchpriority="low"' in link for link in preloads), preloads
    scripts = set(re.findall(rb'"(/assets/[^"]+\.js)"', html))
    code = b"".join(_get(running_app.url + path.decode())[2] for path in scripts)
    assert b"rt-TextFieldRoot" in code  # the sign-in form's fields: the scan reads the real code
    never_shown = (b"rt-ContextMenuContent", b"rt-TabsList", b"rt-HoverCardContent", b"rt-SegmentedControl")
    unused = [name for name in never_shown if name in code]
    assert not unused, f"the sign-in page loads Radix components it never shows: {unused}"


def test_the_icons_and_the_radix_components_come_in_one_script_each(running_app) -> None:
    """The build split them into a file per use (the journal named 21 scripts, 12 under
    2 KB): over HTTP/1.1 a phone fetches six at a time, each a round trip more before the
    page draws its list. Every icon is in one script, every Radix component in another
    (betterjournal/page_loading.py), and each page names those two."""
    assets = running_app.data_dir / "web" / "build" / "client" / "assets"
    scripts = {path.name: path.read_bytes() for path in assets.glob("*.js")}
    icon = b"[[`path`,{d:`"  # an icon's drawing, as lucide-react's modules hold it once built
    with_icons = sorted(name for name, code in scripts.items() if icon in code)
    with_radix = sorted(name for name, code in scripts.items() if b"rt-BaseButton" in code)
    assert len(with_icons) == 1 and with_icons[0].startswith("icons-"), with_icons
    assert len(with_radix) == 1 and with_radix[0].startswith("radix-"), with_radix
    for page in (routes.SIGN_IN, routes.JOURNAL):
        _, _, html = _get(running_app.url + page + "/")
        named = re.findall(rb'<link [^>]*modulepreload[^>]*href="/assets/([^"]+)"', html)
        assert len(named) <= 16, named
        assert {with_icons[0].encode(), with_radix[0].encode()} <= set(named), named


def test_no_page_draws_itself_whole_again_when_a_state_it_shows_changes(running_app) -> None:
    """Each part of a page that shows a state is its own small component, drawn again alone
    when that state changes. Every signed-in page and the sign-in page read AppState
    themselves (their sign-out or sign-in form walked its fields' vars: components/
    native_form.py), so the whole page, each element and its styles, was drawn again at the
    server's first answer and at every notice: on a phone, the largest task after hydrating."""
    built = sorted((running_app.data_dir / "web" / "app" / "routes").glob("*.jsx"))
    assert len(built) > 20 and all("function Component()" in page.read_text() for page in built), built
    reads_state = re.compile(r"useStateContext\(|useTabLanguage\(")
    reading = [page.name for page in built if reads_state.search(page.read_text())]
    assert not reading, f"these pages read a state themselves: {reading}"


def test_a_page_without_its_trailing_slash_is_served_without_a_redirect(running_app) -> None:
    """Links, emails and form redirects name pages without the slash the static build keeps
    them under: each is served at once (a redirect costs a phone a round trip), and only
    our pages are: any other path is answered as before."""
    host = urllib.parse.urlsplit(running_app.url)
    for path in (routes.SIGN_IN, routes.JOURNAL, routes.INSTALL):
        connection = http.client.HTTPConnection(host.hostname or "localhost", host.port, timeout=10)
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        connection.close()
        assert response.status == 200 and b"<html" in body, (path, response.status)
        assert response.getheader("cache-control") == "no-store", path
    connection = http.client.HTTPConnection(host.hostname or "localhost", host.port, timeout=10)
    connection.request("GET", "/journal/../admin%2F..")
    assert connection.getresponse().status != 500
    connection.close()


@pytest.mark.parametrize("locale", ["en", "fr-CA"])
def test_opening_the_app_offline_shows_the_offline_page(phone, running_app, locale) -> None:
    """Acceptance 3 (and 6): after a first visit, the start URL with no network shows the
    calm offline page, in the browser's language first, instead of the browser's error."""
    tab = phone(locale=locale)
    page = tab.page
    tab.goto(routes.HOME)
    page.evaluate(WORKER_READY)

    tab.page.context.set_offline(True)
    page.goto(running_app.url + pwa.START_URL)
    title = "You're offline" if locale == "en" else "Vous êtes hors ligne"
    again = "Try again" if locale == "en" else "Réessayer"
    call = "Call 988" if locale == "en" else "Appeler le 988"
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    expect(page.get_by_role("link", name=again).first).to_be_visible()
    # The crisis line can be tapped: a call or a text needs no connection to the app.
    expect(page.get_by_role("link", name=call).first).to_have_attribute("href", "tel:988")
    assert page.evaluate("document.documentElement.lang") == locale
    _shoot(page, f"offline-390x844-{locale}")

    # Opened at another page, "Try again" goes back to that page (it led to the start page).
    page.goto(running_app.url + routes.CHECK_IN)
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    expect(page.get_by_role("link", name=again).first).to_have_attribute("href", routes.CHECK_IN)
    tab.page.context.set_offline(False)
    page.get_by_role("link", name=again).first.click()
    expect(page.get_by_role("heading", name=title)).not_to_be_visible()
    expect(page.get_by_role("heading", level=1).first).to_be_visible()  # the app again
    expect(page).to_have_url(re.compile("check-in"))  # there, or signing in on the way there


def test_words_written_offline_are_saved_when_back_and_never_cached(phone, running_app) -> None:
    """Acceptance 3: mid-entry, the network goes and comes back; not a word is lost (the
    database holds exactly the words on screen, saved as the entry), and no cache of the
    service worker holds any of them."""
    email = f"pwa-{uuid.uuid4().hex[:8]}@example.ca"
    running_app.create_user("client", email, "Sky Client", PASSWORD)
    tab = phone()
    page = tab.page
    sign_in(tab, email)
    expect(page.get_by_role("heading", name="Your journal")).to_be_visible()
    page.evaluate(WORKER_READY)

    title = running_app.marker("pwa-title")
    first, more = running_app.marker("pwa-online"), " " + running_app.marker("pwa-offline")
    page.get_by_role("navigation").get_by_role("link", name="Write").click()
    page.get_by_label("Title (optional)").fill(title)
    body = page.get_by_label("Your entry")
    body.press_sequentially(first, delay=5)
    status = page.get_by_role("status").filter(has_text=re.compile("^Draft saved$"))
    expect(status).to_be_visible()
    entry_id = re.search(r"[?&]id=([0-9a-f-]{36})", page.url).group(1)  # type: ignore[union-attr]

    page.context.set_offline(True)
    body.press_sequentially(more, delay=5)
    expect(page.get_by_role("status").filter(has_text=OFFLINE_WRITING)).to_be_visible()
    page.wait_for_timeout(1500)  # past the debounce: still on screen, still waiting
    expect(body).to_have_value(first + more)
    page.context.set_offline(False)
    expect(status).to_be_visible()
    with running_app.core(), session_scope() as session:
        owner = session.exec(select(User.id).where(User.email == email)).one()
        draft = drafts.get(session, owner_id=owner, item_id=entry_id)
        assert draft is not None and draft.fields == {"title": title, "body": first + more}

    page.get_by_role("button", name="Save entry").click()
    expect(page.get_by_text("Entry saved. It is private until you share it.")).to_be_visible()
    with running_app.core(), session_scope() as session:
        entry = items.open_own(session, owner_id=owner, kind=journal.KIND, item_id=entry_id)
        assert entry.fields == {"title": title, "body": first + more}

    cached = page.evaluate(READ_CACHES)
    assert any(c["url"] == running_app.url + routes.OFFLINE for c in cached)
    for response in cached:
        path = response["url"].removeprefix(running_app.url)
        assert path == routes.OFFLINE or pwa.is_hashed_asset(path), path
        assert not any(word in response["body"] for word in (title, first, more.strip())), path


def test_a_check_in_tapped_offline_says_so_and_goes_when_back(phone, running_app) -> None:
    """Offline, a page says so at once, on a public page and a signed-in one; on the
    check-in page, what was tapped meanwhile waits, is sent when the connection is back,
    and the check-in saves."""
    email = f"pwa-{uuid.uuid4().hex[:8]}@example.ca"
    running_app.create_user("client", email, "Sky Client", PASSWORD)
    tab = phone()
    page = tab.page
    tab.goto(routes.SIGN_IN)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.context.set_offline(True)
    public_notice = page.get_by_role("status").filter(has_text="You're offline. Check your connection")
    expect(public_notice).to_be_visible()
    page.context.set_offline(False)
    expect(page.get_by_role("status").filter(has_text="You're offline.")).to_have_count(0, timeout=20_000)
    sign_in(tab, email)
    page.get_by_role("navigation").get_by_role("link", name="Check in").click()
    mood = page.get_by_role("radiogroup", name="Mood")
    expect(mood).to_be_visible()
    offline = page.get_by_role("status").filter(has_text="You're offline.")
    expect(offline).to_have_count(0)

    page.context.set_offline(True)
    expect(offline).to_be_visible()
    six = mood.get_by_role("radio", name="6", exact=True)
    six.click()
    # Shown and heard as chosen at once, while the server's answer waits for the connection.
    expect(six).to_be_checked()
    expect(six).to_have_attribute("data-checked-by-server", "false")
    page.context.set_offline(False)
    expect(offline).to_have_count(0, timeout=20_000)
    expect(six).not_to_have_attribute("data-checked-by-server", re.compile(".*"))
    expect(six).to_be_checked()
    page.get_by_role("button", name="Save check-in").click()
    expect(page.get_by_role("status").filter(has_text="Check-in saved.")).to_be_visible()
    expect(page.get_by_role("link").filter(has_text="Mood 6 / 10")).to_be_visible()


def test_a_check_in_saved_offline_survives_a_tap_to_a_page_not_opened_yet(phone, running_app) -> None:
    """Walk-through: opened at the check-in page (as a reminder's link opens it), a check-in
    saved offline, then a tap on Homework, a page this tab had not opened: the router fetched
    its script, failed, and reloaded the whole tab into the offline page, and the check-in
    waiting to be sent went with it. Once the first page is quiet, the worker keeps every
    page's script: the tap stays in the app, and the check-in goes when the connection is back."""
    email = f"pwa-{uuid.uuid4().hex[:8]}@example.ca"
    running_app.create_user("client", email, "Sky Client", PASSWORD)
    tab = phone()
    page = tab.page
    sign_in(tab, email)
    tab.goto(routes.CHECK_IN)
    kept = """async () => {
        for (const name of await caches.keys()) {
            const paths = (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname);
            if (paths.some((path) => /homework/.test(path))) return true;
        }
        return false;
    }"""
    deadline = time.monotonic() + 30
    while not page.evaluate(kept):  # the worker keeps every page's script once this one is quiet
        assert time.monotonic() < deadline, "the pages' scripts were not kept"
        page.wait_for_timeout(500)
    note = running_app.marker("offline-check-in-note")
    page.context.set_offline(True)
    page.get_by_role("radiogroup", name="Mood").get_by_role("radio", name="4", exact=True).click()
    page.get_by_text("More (optional)").click()
    page.get_by_label("Note").fill(note)
    page.get_by_role("button", name="Save check-in").click()
    page.get_by_role("navigation").get_by_role("link", name="Homework").click()
    expect(page.get_by_role("heading", name="Homework", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Try again")).to_have_count(0)  # not the offline page
    page.context.set_offline(False)
    expect(page.get_by_role("status").filter(has_text="Check-in saved.")).to_be_visible(timeout=20_000)
    tab.goto(routes.CHECK_INS)
    expect(page.get_by_role("link").filter(has_text="Mood 4 / 10")).to_be_visible()


@pytest.mark.parametrize("locale", ["en", "fr-CA"])
def test_the_install_help_is_public_and_linked_from_every_page(phone, running_app, locale) -> None:
    """Acceptance 6: the install help page, for Android/Chrome and iOS Safari, open to
    anyone and reached by the small link at the foot of the pages."""
    tab = phone(locale=locale)
    page = tab.page
    french = locale == "fr-CA"
    tab.goto(routes.SIGN_IN)
    page.get_by_role(
        "link", name="Installer sur votre téléphone" if french else "Install on your phone"
    ).click()
    heading = "Installer sur votre téléphone" if french else "Install on your phone"
    expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Android (Chrome)")).to_be_visible()
    ios = "iPhone et iPad (Safari)" if french else "iPhone and iPad (Safari)"
    expect(page.get_by_role("heading", name=ios)).to_be_visible()
    expect(
        page.get_by_text(
            "Faites défiler vers le bas et touchez «\u00a0Sur l'écran d'accueil\u00a0»."
            if french
            else "Scroll down and tap Add to Home Screen."
        )
    ).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _shoot(page, f"install-390x844-{locale}")


def test_the_install_help_keeps_a_signed_in_persons_navigation(phone, running_app) -> None:
    email = f"pwa-{uuid.uuid4().hex[:8]}@example.ca"
    running_app.create_user("client", email, "Rae Client", PASSWORD)
    tab = phone()
    sign_in(tab, email)
    expect(tab.page.get_by_role("heading", name="Your journal")).to_be_visible()
    tab.page.get_by_role("link", name="Install on your phone").click()
    expect(tab.page.get_by_role("heading", name="Install on your phone", level=1)).to_be_visible()
    expect(tab.page.get_by_role("navigation").get_by_role("link", name="Write")).to_be_visible()


def test_a_new_build_waits_until_the_person_chooses_to_reload(phone, running_app) -> None:
    """A new build (here: one more hashed file in the served build) is a new worker; it
    waits, the page says "A new version is ready — reload", and the tap lets it take over,
    reloads the page and leaves only the new version's cache."""
    tab = phone()
    page = tab.page
    tab.goto(routes.SIGN_IN)
    page.evaluate(WORKER_READY)
    old = page.evaluate("caches.keys()")
    assert len(old) == 1 and old[0].startswith("betterjournal-shell-")
    button = page.get_by_role("button", name="A new version is ready — reload")
    expect(button).not_to_be_visible()

    new_file = running_app.data_dir / "web" / "build" / "client" / "assets" / "next-Zq7xK2pA.js"
    new_file.write_text("export {};\n")
    try:
        page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
        expect(button).to_be_visible()
        assert old[0] in page.evaluate("caches.keys()")  # the old version's cache stays until the tap
        with page.expect_navigation():
            button.click()
    finally:
        new_file.unlink()
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    expect(button).not_to_be_visible()
    new = page.evaluate("caches.keys()")
    assert len(new) == 1 and new != old


# The browser's install offer, as Chromium makes it when the app qualifies (a headless
# browser never does): an event whose prompt() shows the browser's own dialog.
OFFER_TO_INSTALL = """() => {
    window.__prompted = 0;
    const offer = new Event('beforeinstallprompt', {cancelable: true});
    offer.prompt = () => { window.__prompted += 1; };
    offer.userChoice = Promise.resolve({outcome: 'dismissed'});
    window.dispatchEvent(offer);
    return offer.defaultPrevented;
}"""


def test_the_install_prompt_is_offered_on_the_install_page_only(phone, running_app) -> None:
    """Never nagging: the browser's offer is held back (no mini-infobar) and shown nowhere
    but the install page, by its button, once."""
    tab = phone()
    page = tab.page
    tab.goto(routes.SIGN_IN)
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    assert page.evaluate(OFFER_TO_INSTALL) is True  # the browser's own banner suppressed
    install = page.get_by_role("button", name="Install Betterjournal")
    expect(install).to_have_count(0)
    page.get_by_role("link", name="Install on your phone").click()
    expect(page.get_by_role("heading", name="Install on your phone", level=1)).to_be_visible()
    install.click()
    assert page.evaluate("window.__prompted") == 1
    expect(install).to_have_count(0)  # a prompt is shown once


# Each text's contrast with the page's background (WCAG's formula), in the browser.
_CONTRASTS = """() => {
    const rgb = s => s.match(/[\\d.]+/g).slice(0, 3).map(Number);
    const lum = c => { const [r, g, b] = rgb(c).map(v => v / 255).map(
        v => v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
        return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
    const ratio = (a, b) => (Math.max(lum(a), lum(b)) + 0.05) / (Math.min(lum(a), lum(b)) + 0.05);
    const page = getComputedStyle(document.body).backgroundColor;
    return {page: lum(page), texts: [...document.querySelectorAll('p, h1, h2')].map(el => {
        const own = getComputedStyle(el.querySelector('a') || el);
        const behind = own.backgroundColor === 'rgba(0, 0, 0, 0)' ? page : own.backgroundColor;
        return [el.textContent.slice(0, 30), ratio(own.color, behind)];
    })};
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_offline_page_follows_the_phones_light_or_dark(browser, running_app, scheme) -> None:
    """Opened at 11 pm on a phone in dark mode, the offline page was white (walk-through): it
    follows the phone like the app, every text at 4.5:1 or more."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, color_scheme=scheme)
    try:
        page = context.new_page()
        page.goto(running_app.url + routes.OFFLINE)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        seen = page.evaluate(_CONTRASTS)
        assert (seen["page"] < 0.05) == (scheme == "dark"), seen["page"]
        assert [text for text, ratio in seen["texts"] if ratio < 4.5] == [], seen["texts"]
    finally:
        context.close()
