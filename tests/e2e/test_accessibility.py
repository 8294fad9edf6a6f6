"""Every page of the journey, checked as assistive technology and tired thumbs meet it.

axe-core (from npm, `make browser` puts it in .tools/) runs on each page, in English and
in French, for a client on a phone (390×844) and a clinician at a desk (1280×800), and
must find nothing. On the same walk: every control is at least 44×44 px (inline links
inside a sentence are exempt, WCAG 2.5.8), there is one h1 and no skipped heading level,
the landmarks are there, and a 320-px-wide window (a 640-px phone at 200 % zoom) never
scrolls sideways. A few pages are checked again in dark mode. And each Radix class on a page
still has its rules in the stylesheet the build trimmed (betterjournal/stylesheet.py).

A client's fortnight is written straight into the app's database through the core
(untimed setup): check-ins, entries, homework (one returned), an agenda; some shared.
"""

from __future__ import annotations

import io
import random
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from appserver import PROJECT_ROOT, RunningApp
from people import Tab, cut_words, draw_every_chart, sign_in
from PIL import Image
from playwright.sync_api import Browser, Locator, Page, ViewportSize, expect
from sqlmodel import select
from unit_support import link

from betterjournal import routes
from betterjournal.core import agenda, appointments, checkins, drafts, homework, items, journal, sharing
from betterjournal.db import session_scope
from betterjournal.i18n import ENGLISH, FRENCH, Reader, pN_
from betterjournal.models import User, utcnow

pytestmark = pytest.mark.e2e

AXE = PROJECT_ROOT / ".tools" / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "maple-harbour-lantern-73"
ZONE = ZoneInfo("America/Toronto")
PHONE: ViewportSize = {"width": 390, "height": 844}
DESK: ViewportSize = {"width": 1280, "height": 800}
NARROW: ViewportSize = {"width": 320, "height": 640}  # a 640×1280 phone at 200 % zoom
TARGET = 44  # px, each side of anything a finger taps
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


@dataclass
class World:
    """The people and the ids of the pages of the journey, in one language."""

    client_email: str
    clinician_email: str
    client_id: str
    entry_id: str
    shared_entry_id: str
    check_in_id: str
    assignment_id: str
    returned_id: str


def seed(app: RunningApp, language: str) -> World:
    suffix = f"{language.lower().replace('_', '-')}-{uuid.uuid4().hex[:8]}"
    client_email, clinician_email = f"a11y-{suffix}@example.ca", f"a11y-dr-{suffix}@clinic.example"
    app.create_user("client", client_email, "Robin", PASSWORD)
    app.create_user("clinician", clinician_email, "Dr. Haddad", PASSWORD)
    pick = random.Random(7)
    today = datetime.now(ZONE).date()
    with app.core(), session_scope() as session:
        client = session.exec(select(User).where(User.email == client_email)).one()
        clinician = session.exec(select(User).where(User.email == clinician_email)).one()
        link(session, client_id=client.id, clinician_id=clinician.id)

        def share(item_id: uuid.UUID) -> None:
            sharing.set_shared(
                session, owner_id=client.id, item_id=item_id, clinician_id=clinician.id, shared=True
            )

        check_in_ids = []
        for day in range(10):
            item_id = uuid.uuid4()
            felt_at = (utcnow() - timedelta(days=day, hours=2)).isoformat()
            mood = max(0, min(10, round(6 + 2 * pick.gauss(0, 1))))
            values = {"felt_at": felt_at, "mood": mood, "note": "Slept badly." if day == 0 else ""}
            items.save(session, owner_id=client.id, kind=checkins.KIND, item_id=item_id, values=values)
            if day % 2 == 0:
                share(item_id)
            check_in_ids.append(item_id)
        entry_ids = []
        for title, body in (
            ("A hard Monday", "The meeting ran late and I skipped lunch."),
            ("Walk by the river", "Twenty minutes outside helped more than I expected."),
        ):
            entry_id = uuid.uuid4()
            values = {"title": title, "body": body}
            items.save(session, owner_id=client.id, kind=journal.KIND, item_id=entry_id, values=values)
            entry_ids.append(entry_id)
        share(entry_ids[1])
        due = (today + timedelta(days=3)).isoformat()
        assigned = [
            homework.assign(
                session,
                clinician_id=clinician.id,
                client_id=client.id,
                template="builtin:thought_record",
                instructions="After a hard moment this week.",
                due_on=due,
                today=today,
            )[0]
            for _ in range(2)
        ]
        response_id = uuid.uuid4()
        homework.keep_change(
            session,
            client_id=client.id,
            item_id=response_id,
            assignment_id=assigned[1],
            worksheet=None,
            change=lambda *_: {"situation": "The phone call with my sister."},
        )
        homework.save_response(
            session,
            client_id=client.id,
            item_id=response_id,
            assignment_id=assigned[1],
            worksheet=None,
            return_it=True,
        )
        # The client's returned work with a comment, and an entry left unfinished (each page
        # then shows a notice with an icon: at 200 % text, words were cut beside it).
        homework.comment(session, clinician_id=clinician.id, assignment_id=assigned[1], text="Well noticed.")
        drafts.save(
            session,
            owner_id=client.id,
            kind=journal.KIND,
            item_id=uuid.uuid4(),
            values={"title": "Half a thought", "body": "Started on the bus."},
        )
        appointments.plan(
            session,
            clinician_id=clinician.id,
            client_id=client.id,
            day=(today + timedelta(days=1)).isoformat(),
            at="10:00",
            zone=ZONE,
        )
        ready = agenda.prepare(session, client_id=client.id, clinician_id=clinician.id)
        added = agenda.add_text(
            session, client_id=client.id, agenda_id=ready.agenda.id, text="Sleep before work"
        )
        agenda.pin(session, client_id=client.id, agenda_id=ready.agenda.id, kind=agenda.CHART, item_id="")
        share(ready.agenda.id)
        agenda.set_discussed(  # ticked in the brief: the client's line says "Discussed"
            session,
            clinician_id=clinician.id,
            agenda_id=ready.agenda.id,
            line_id=added.lines[0].id,
            discussed=True,
        )
        return World(
            client_email=client_email,
            clinician_email=clinician_email,
            client_id=str(client.id),
            entry_id=str(entry_ids[0]),
            shared_entry_id=str(entry_ids[1]),
            check_in_id=str(check_in_ids[0]),
            assignment_id=str(assigned[0]),
            returned_id=str(assigned[1]),
        )


def client_pages(world: World) -> list[str]:
    return [
        routes.JOURNAL,
        routes.WRITE,
        routes.entry(world.entry_id),
        routes.CHECK_IN,
        routes.CHECK_INS,
        routes.check_in_item(world.check_in_id),
        routes.HOMEWORK,
        routes.assignment(world.assignment_id),
        routes.assignment(world.returned_id),
        routes.PREPARE,
        routes.CARE_TEAM,
        routes.SETTINGS,
        routes.SECURITY,
        routes.SESSIONS,
        routes.YOUR_DATA,
    ]


def clinician_pages(world: World) -> list[str]:
    return [
        routes.CASELOAD,
        routes.CLIENTS,
        routes.client_entries(world.client_id),
        routes.shared_entry(world.shared_entry_id),
        routes.client_check_ins(world.client_id),
        routes.client_homework(world.client_id),
        routes.returned(world.returned_id),
        routes.brief(world.client_id),
        routes.WORKSHEETS,
    ]


PUBLIC_PAGES = [routes.HOME, routes.SIGN_IN, routes.REGISTER, routes.FORGOT]


# --- what is checked on each page -------------------------------------------------------------


# The page has its data (no spinner left: each page shows components/entries.py's `loading`
# until its data is there) and its fonts.
_SETTLED = """() => document.fonts.status === 'loaded' && !document.querySelector('.rt-Spinner')"""
# Two frames: what a change of size or of data lays out is on screen.
_NEXT_FRAMES = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"


def settle(page: Page) -> None:
    """Wait until the page has its heading and its data (and Plotly has drawn), and the
    fade-ins are over."""
    expect(page.locator("h1").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    page.wait_for_function(_SETTLED)
    draw_every_chart(page)  # Plotly has drawn every chart's box (pages/checkins.py's `chart`)
    page.wait_for_timeout(150)


def _resized(page: Page) -> None:
    """After a change of window size: laid out again, and charts redrawn to fit (Plotly
    redraws on the window's resize event, a moment later)."""
    page.evaluate(_NEXT_FRAMES)
    if page.locator(".bj-chart").count():
        page.wait_for_timeout(300)


def axe_violations(page: Page) -> list[str]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return result.violations.flatMap(v => v.nodes.map(n =>
                `${v.id}: ${n.target.join(' ')} — ${n.failureSummary.replace(/\\s+/g, ' ')}`));
        }""",
        AXE_TAGS,
    )
    return list(found)


SMALL_TARGETS = """(min) => {
    const tappable = 'a[href], button, input:not([type=hidden]), select, textarea, summary, '
        + '[role=switch], [role=checkbox], [role=radio], [role=tab]';
    const inSentence = (el) => {
        if (el.tagName !== 'A') return false;
        const parent = el.parentElement;
        const own = [...parent.childNodes].filter(n => n !== el).map(n => n.textContent).join('').trim();
        return getComputedStyle(el).display === 'inline' && own.length > 0;
    };
    const out = [];
    for (const el of document.querySelectorAll(tappable)) {
        const box = el.getBoundingClientRect();
        if (box.width === 0 || box.height === 0 || el.closest('[aria-hidden=true]')) continue;
        if (getComputedStyle(el).visibility === 'hidden' || inSentence(el)) continue;
        // A control inside its label is tapped through the whole label.
        const label = el.closest('label');
        const area = label ? label.getBoundingClientRect() : box;
        if (Math.round(area.width) < min || Math.round(area.height) < min) {
            const name = (el.getAttribute('aria-label') || el.textContent || el.name || el.id || '').trim();
            const size = `${Math.round(area.width)}×${Math.round(area.height)} px`;
            out.push(`${el.tagName.toLowerCase()} "${name.slice(0, 40)}" is ${size}`);
        }
    }
    return out;
}"""

# A control inside a link or a button: two controls (and two tab stops) for one action,
# and invalid HTML; axe does not flag a button in a link.
NESTED_CONTROLS = """() => [...document.querySelectorAll('a[href], button')]
    .filter(el => el.querySelector('a[href], button, input, select, textarea'))
    .map(el => `${el.tagName.toLowerCase()} "${el.textContent.trim().slice(0, 40)}" holds another control`)
    // A form in a form: the HTML parser drops it from the prerendered page (its buttons then
    // submit the outer form until React has drawn the page), and a browser submits only one.
    .concat([...document.querySelectorAll('form form')].map(f => `a form inside a form: "${
        f.textContent.trim().slice(0, 40)}"`))"""

HEADINGS_AND_LANDMARKS = """() => {
    const out = [];
    const levels = [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')]
        .filter(h => h.getClientRects().length > 0).map(h => Number(h.tagName[1]));
    const ones = levels.filter(l => l === 1).length;
    if (ones !== 1) out.push(`${ones} h1 on the page`);
    levels.forEach((level, i) => {
        if (i > 0 && level > levels[i - 1] + 1) out.push(`skipped: h${levels[i - 1]}, then h${level}`);
    });
    for (const landmark of ['header', 'main', 'footer']) {
        const found = document.querySelectorAll(`body ${landmark}:not(main ${landmark}, footer ${landmark})`);
        if (found.length !== 1) out.push(`${found.length} ${landmark} landmarks`);
    }
    for (const nav of document.querySelectorAll('nav')) {
        if (!nav.getAttribute('aria-label')) out.push('a nav without aria-label');
    }
    return out;
}"""


def sideways(page: Page) -> list[str]:
    """The page is wider than the phone's screen. (Not than `innerWidth`: a phone widens its
    layout to fit a page that is too wide, so only the screen's width catches a page that
    pushed it.)"""
    size = page.viewport_size
    assert size is not None
    wide = page.evaluate("() => document.scrollingElement.scrollWidth")
    if wide <= size["width"]:
        return []
    # The innermost elements that reach past the screen's edge: what to fix.
    past = page.evaluate(
        """width => [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > width + 0.5 && el.checkVisibility())
            .filter(el => {  // not inside a box that scrolls or clips it (a table, the tab bar)
                for (let up = el.parentElement; up && up !== document.body; up = up.parentElement)
                    if (getComputedStyle(up).overflowX !== 'visible') return false;
                return true;
            })
            .filter(el => ![...el.children].some(c => c.getBoundingClientRect().right > width + 0.5))
            .slice(0, 3)
            .map(el => `${el.tagName.toLowerCase()}.${[...el.classList].slice(0, 3).join('.')}`
                + ` "${(el.textContent || el.getAttribute('aria-label') || '').trim().slice(0, 40)}"`)""",
        size["width"],
    )
    return [f"the page is {wide} px wide in a {size['width']} px window: {', '.join(past)}"]


# The Radix classes Radix's own stylesheets give rules to (before the build trimmed them),
# filled once the app has been built (the `worlds` fixture).
RADIX_RULED: set[str] = set()
_RADIX_SELECTOR = re.compile(r"\.((?:[a-z]+\\:)?rt-[A-Za-z0-9-]+)")


def radix_ruled(app: RunningApp) -> set[str]:
    themes = app.data_dir / "web" / "node_modules" / "@radix-ui" / "themes"
    css = "".join((themes / name).read_text() for name in ("components.css", "utilities.css"))
    return {name.replace("\\:", ":") for name in _RADIX_SELECTOR.findall(css)}


def rules_trimmed_away(page: Page) -> list[str]:
    """Radix classes on the page that Radix gives rules to, and the served stylesheet none."""
    missing = page.evaluate(
        """() => {
            const named = new Set();
            const collect = rules => { for (const rule of rules) {
                if (rule.selectorText) named.add(rule.selectorText);
                if (rule.cssRules) collect(rule.cssRules);
            } };
            for (const sheet of document.styleSheets) collect(sheet.cssRules);
            const selectors = [...named].join(' ');
            const used = new Set();
            for (const el of document.querySelectorAll('[class]'))
                for (const name of el.classList) if (/^([a-z]+:)?rt-/.test(name)) used.add(name);
            return [...used].filter(name => !selectors.includes('.' + CSS.escape(name))).sort();
        }"""
    )
    assert RADIX_RULED, "the Radix rules were not read (the worlds fixture)"
    return [f"{name} has no rules: the stylesheet lost them" for name in missing if name in RADIX_RULED]


def check(page: Page, where: str, *, narrow: bool) -> list[str]:
    """Every problem on the page that is open, each prefixed with where it was found."""
    settle(page)
    problems = axe_violations(page)
    problems += rules_trimmed_away(page)
    problems += page.evaluate(SMALL_TARGETS, TARGET)
    problems += page.evaluate(HEADINGS_AND_LANDMARKS)
    problems += page.evaluate(NESTED_CONTROLS)
    if narrow:
        size = page.viewport_size
        page.set_viewport_size(NARROW)
        _resized(page)
        problems += [
            f"at 320 px: {p}"
            for p in sideways(page)
            + _header_spill(page)
            + _header_rows(page)
            + page.evaluate(SMALL_TARGETS, TARGET)  # a tab squeezed by a long one (walk-through 14)
        ]
        if size:
            page.set_viewport_size(size)
    return [f"{where}: {problem}" for problem in problems]


def _header_rows(page: Page) -> list[str]:
    """In text of the usual size, the header's controls keep to the app name's row (at 320 px
    in French, "Déconnexion" took a row of its own)."""
    return page.evaluate(
        """() => {
            const name = document.querySelector('header .bj-app-name');  // a signed-in page's
            if (!name) return [];
            const row = name.getBoundingClientRect();
            return [...document.querySelectorAll('header button, header .bj-icon-link')]
                .filter(el => el.getBoundingClientRect().top >= row.bottom - 1)
                .map(el => (el.textContent || el.getAttribute('aria-label')).trim())
                .map(words => `"${words}" is on a row of its own`);
        }"""
    )


def _header_spill(page: Page) -> list[str]:
    """The header's controls stay inside the window; the tab bar too, on one row that covers
    at most a quarter of the screen, the tab of the page you are on in view (in large text the
    row scrolls sideways inside the bar)."""
    return page.evaluate(
        """() => {
            const out = [];
            for (const el of document.querySelectorAll('header a, header button')) {
                const box = el.getBoundingClientRect();
                const name = (el.textContent || el.getAttribute('aria-label')).trim();
                if (box.right > innerWidth + 0.5) out.push(`"${name}" is outside the window`);
            }
            const nav = document.querySelector('nav');
            if (!nav) return out;
            const bar = nav.getBoundingClientRect();
            if (bar.right > innerWidth + 0.5 || bar.bottom > innerHeight + 0.5)
                out.push('the tab bar is outside the window');
            if (bar.height > innerHeight / 4)
                out.push(`the tab bar is ${Math.round(bar.height)} px tall in a ${innerHeight} px window`);
            for (const tab of nav.querySelectorAll('a')) {  // a label wider than its tab runs into the next
                if (tab.scrollWidth > tab.clientWidth + 1)
                    out.push(`the tab "${tab.textContent.trim()}" is narrower than its label`);
                // Two lines at most ("Faire / le / point" took three in French at 320 px).
                const words = document.createRange();
                words.selectNodeContents(tab.querySelector('span') || tab);
                const lines = new Set([...words.getClientRects()].map(r => Math.round(r.top))).size;
                if (lines > 2) out.push(`the tab "${tab.textContent.trim()}" is on ${lines} lines`);
            }
            const here = nav.querySelector('[aria-current="page"]');
            if (here) {
                const tab = here.getBoundingClientRect();
                if (tab.left < bar.left - 0.5 || tab.right > bar.right + 0.5)
                    out.push(`the tab "${here.textContent.trim()}" of this page is scrolled out of view`);
            }
            return out;
        }"""
    )


def walk(page: Page, base: str, paths: list[str], *, narrow: bool) -> list[str]:
    problems = []
    for path in paths:
        page.goto(base + path)
        problems += check(page, path, narrow=narrow)
    return problems


def open_tab(browser: Browser, app: RunningApp, language: str, viewport: ViewportSize, **options) -> Tab:
    context = browser.new_context(
        viewport=viewport,
        locale="fr-CA" if language == FRENCH else "en-CA",
        timezone_id="America/Toronto",
        bypass_csp=True,  # lets Playwright inject axe; the app's own CSP is tested elsewhere
        **options,
    )
    context.set_default_timeout(20_000)
    return Tab(context.new_page(), app)


def report(problems: list[str]) -> str:
    return f"{len(problems)} accessibility problems:\n" + "\n".join(problems)


# --- the tests --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def worlds(running_app: RunningApp) -> dict[str, World]:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make browser`")
    RADIX_RULED.update(radix_ruled(running_app))
    return {language: seed(running_app, language) for language in (ENGLISH, FRENCH)}


@pytest.mark.parametrize("language", [ENGLISH, FRENCH])
def test_public_pages_and_the_two_step_code(browser: Browser, running_app, worlds, language) -> None:
    tab = open_tab(browser, running_app, language, PHONE, is_mobile=True, has_touch=True)
    problems = walk(tab.page, running_app.url, PUBLIC_PAGES, narrow=True)
    # The two-step code page, half-way through a clinician's sign-in.
    tab.goto(routes.SIGN_IN)
    tab.page.get_by_label(Reader(language).t("Email")).fill(worlds[language].clinician_email)
    tab.page.get_by_label(Reader(language).t("Password")).fill(PASSWORD)
    tab.page.get_by_role("button", name=Reader(language).t("Sign in")).click()
    expect(tab.page.get_by_role("heading", name=Reader(language).t("Two-step sign-in"))).to_be_visible()
    problems += check(tab.page, routes.SIGN_IN_CODE, narrow=True)
    tab.page.context.close()
    assert not problems, report(problems)


@pytest.mark.parametrize("language", [ENGLISH, FRENCH])
def test_every_client_page_on_a_phone(browser: Browser, running_app, worlds, language) -> None:
    world = worlds[language]
    tab = open_tab(browser, running_app, language, PHONE, is_mobile=True, has_touch=True)
    sign_in(tab, world.client_email, PASSWORD, french=language == FRENCH)
    tab.page.wait_for_url("**/journal")
    problems = walk(tab.page, running_app.url, client_pages(world), narrow=True)
    tab.page.context.close()
    assert not problems, report(problems)


@pytest.mark.parametrize("language", [ENGLISH, FRENCH])
def test_every_clinician_page_at_a_desk(browser: Browser, running_app, worlds, language) -> None:
    world = worlds[language]
    tab = open_tab(browser, running_app, language, DESK)
    sign_in(tab, world.clinician_email, PASSWORD, french=language == FRENCH)
    tab.page.wait_for_url("**/clients")
    problems = walk(tab.page, running_app.url, clinician_pages(world), narrow=True)
    tab.page.context.close()
    assert not problems, report(problems)


def test_dark_mode_keeps_its_contrast(browser: Browser, running_app, worlds) -> None:
    world = worlds[ENGLISH]
    tab = open_tab(browser, running_app, ENGLISH, PHONE, is_mobile=True, has_touch=True, color_scheme="dark")
    problems = walk(tab.page, running_app.url, [routes.SIGN_IN], narrow=False)
    sign_in(tab, world.client_email, PASSWORD)
    tab.page.wait_for_url("**/journal")
    assert tab.page.evaluate("() => document.documentElement.classList.contains('dark')")
    pages = [routes.JOURNAL, routes.entry(world.entry_id), routes.CHECK_IN, routes.CHECK_INS, routes.SETTINGS]
    problems += walk(tab.page, running_app.url, pages, narrow=False)
    problems += _chart_words_and_grid_in_the_dark(tab)
    tab.page.context.close()
    assert not problems, report(problems)


def _contrast(first: list[float], second: list[float]) -> float:
    def luminance(rgb: list[float]) -> float:
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (v / 255 for v in rgb)]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _chart_words_and_grid_in_the_dark(tab) -> list[str]:
    """Axe leaves the charts out (they are aria-hidden: their summaries speak for them), so
    their colours are read here: Plotly's slate words were 2:1 on the dark page, its grid
    lines near-white."""
    tab.goto(routes.CHECK_INS)
    # The first chart's words: the one read below (the charts are drawn one after the other).
    tab.page.locator(".bj-chart").first.locator(".main-svg .xtick text").first.wait_for(state="attached")
    seen = tab.page.evaluate(
        """() => {
            const rgb = (value) => value.match(/[\\d.]+/g).slice(0, 3).map(Number);
            const chart = document.querySelector('.bj-chart');
            let under = chart;  // the first box under the chart that paints a background
            const clear = (box) => /rgba\\(.*, 0\\)$|transparent/.test(getComputedStyle(box).backgroundColor);
            while (under.parentElement && clear(under)) {
                under = under.parentElement;
            }
            return {
                page: rgb(getComputedStyle(under).backgroundColor),
                words: [...chart.querySelectorAll('.xtick text, .ytick text')].map(
                    (text) => rgb(getComputedStyle(text).fill)),
                grid: [...chart.querySelectorAll('.gridlayer path')].map(
                    (line) => rgb(getComputedStyle(line).stroke)),
            };
        }"""
    )
    problems = [
        f"chart words {words} on {seen['page']}: {_contrast(words, seen['page']):.1f}:1"
        for words in seen["words"]
        if _contrast(words, seen["page"]) < 4.5
    ]
    problems += [
        f"chart grid {line} on {seen['page']}: {_contrast(line, seen['page']):.1f}:1, glaring"
        for line in seen["grid"]
        if _contrast(line, seen["page"]) > 3
    ]
    return problems + ([] if seen["words"] and seen["grid"] else [f"no chart words or grid: {seen}"])


def test_tabs_show_where_you_are_and_the_crisis_line_calls_or_texts(browser, running_app, worlds) -> None:
    world = worlds[ENGLISH]
    tab = open_tab(browser, running_app, ENGLISH, PHONE, is_mobile=True, has_touch=True)
    page = tab.page
    tab.goto(routes.SIGN_IN)
    for place in (page, page.get_by_role("contentinfo")):  # on a public page, in its footer
        expect(place.get_by_role("link", name="Call 988")).to_have_attribute("href", "tel:988")
        expect(place.get_by_role("link", name="Text 988")).to_have_attribute("href", "sms:988")
    sign_in(tab, world.client_email, PASSWORD)
    page.wait_for_url("**/journal")
    tabs = page.get_by_role("navigation", name="Main")
    for path, current in (
        (routes.JOURNAL, "Journal"),
        (routes.entry(world.entry_id), "Journal"),
        (routes.WRITE, "Write"),
        (routes.write(world.entry_id), "Journal"),  # editing a saved entry: in the journal
        (routes.CHECK_INS, "Check in"),
        (routes.assignment(world.assignment_id), "Homework"),
        (routes.CARE_TEAM, "Care team"),
    ):
        tab.goto(path)
        settle(page)
        expect(tabs.get_by_role("link", name=current)).to_have_attribute("aria-current", "page")
        expect(tabs.locator("[aria-current=page]:visible")).to_have_count(1)
        # Not by colour alone: the tab you are on has a bar above it and bold words.
        marks = tabs.locator("a").evaluate_all(
            """links => links.map(a => [
                a.getAttribute('aria-current'),
                getComputedStyle(a).borderTopColor,
                getComputedStyle(a.querySelector('span')).fontWeight,
            ])"""
        )
        for aria_current, bar, weight in marks:
            here = aria_current == "page"
            assert (bar != "rgba(0, 0, 0, 0)") == here, (path, marks)
            assert (int(weight) >= 700) == here, (path, marks)
        expect(page.get_by_role("contentinfo").get_by_role("link", name="Call 988")).to_be_visible()
    # Under the pointer, or just tapped (a phone keeps the tapped link "hovered"), a tab, a
    # card and a link in the text keep their colour: Reflex turned them pale (accent 8:
    # 1.9:1 for a grey tab).
    tab.goto(routes.JOURNAL)
    settle(page)
    for control in (
        tabs.get_by_role("link", name="Homework"),
        tabs.get_by_role("link", name="Journal"),
        page.get_by_role("main").get_by_role("link").filter(has=page.locator(".rt-Card")).first,
        page.get_by_role("contentinfo").get_by_role("link", name="Call 988"),
    ):
        resting = control.evaluate("a => getComputedStyle(a).color")
        control.hover()
        expect(control).to_have_css("color", resting)
    page.context.close()


@pytest.mark.parametrize(
    ("viewport", "language"),
    [(PHONE, ENGLISH), (PHONE, FRENCH), (NARROW, ENGLISH), (NARROW, FRENCH)],
    ids=["390px", "390px-fr", "320px", "320px-fr"],
)
def test_a_larger_browser_font_grows_the_text_and_nothing_spills(
    browser, running_app, worlds, viewport, language
) -> None:
    """The browser's own font size at 32 px (200 %): text in rem doubles; the header keeps
    "Sign out" on screen, the tab bar stays in the window, nothing scrolls sideways. French
    too: its words are longer ("Se déconnecter de tous les appareils")."""
    world = worlds[language]
    tab = open_tab(browser, running_app, language, viewport, is_mobile=True, has_touch=True)
    page = tab.page
    sign_in(tab, world.client_email, PASSWORD, french=language == FRENCH)
    page.wait_for_url("**/journal")
    settle(page)
    sizes = """() => ['main p', 'footer p', 'nav a span'].map(
        s => parseFloat(getComputedStyle(document.querySelector(s)).fontSize))"""
    before = page.evaluate(sizes)
    page.context.new_cdp_session(page).send("Page.setFontSizes", {"fontSizes": {"standard": 32, "fixed": 26}})
    page.reload()
    settle(page)
    after = page.evaluate(sizes)
    assert all(round(a / b, 2) == 2 for a, b in zip(after, before, strict=True)), (before, after)
    problems = []
    for path in (*client_pages(world), routes.entry(world.shared_entry_id)):  # (its share lines)
        tab.goto(path)
        settle(page)
        page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")  # "More"
        found = sideways(page) + _header_spill(page) + _overlapping(page)
        found += cut_words(page) + _squeezed_fields(page) + _cut_heading_words(page)
        problems += [f"{path}: {p}" for p in found]
        sign_out_words = Reader(language).t("Sign out")
        sign_out = page.get_by_role("banner").get_by_role("button", name=sign_out_words, exact=True)
        box = sign_out.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], (path, box)
        if viewport == PHONE:  # Settings beside it, not on a row of its own (a screen's fifth)
            settings = page.get_by_role("banner").get_by_role("link", name=Reader(language).t("Settings"))
            gear = settings.bounding_box()
            assert gear is not None and abs(gear["y"] + gear["height"] / 2 - box["y"] - box["height"] / 2) < 8
            # The page keeps most of the screen: the header and the tab bar took 43 % of it
            # (targets twice 44 px tall, each tab's words on two lines); now about a third.
            header, bar = (page.locator(s).bounding_box() for s in ("header", "nav.bj-tab-bar"))
            assert header and bar and header["height"] <= 0.27 * viewport["height"], (path, header)
            assert bar["height"] <= 0.1 * viewport["height"], (path, bar)
    problems += _tabs_off_screen(page, language)
    page.context.close()
    assert not problems, report(problems)


def _tabs_off_screen(page: Page, language: str) -> list[str]:
    """Every tab on screen, in the bar or under its "More" (a walk-through: in large text the
    bar scrolled sideways, and Prepare and Care team were never seen); "More" leads on."""
    reader, width = Reader(language), (page.viewport_size or {})["width"]
    names = [reader.t(n) for n in ("Journal", "Write", "Homework", "Prepare")]
    names += [reader.t(pN_("tab", "Check in")), reader.t(pN_("tab", "Care team"))]
    nav = page.get_by_role("navigation", name=reader.t("Main"))
    page.evaluate("() => { document.querySelector('details.bj-more').open = false; }")  # (opened above)
    nav.get_by_text(reader.t(pN_("tab", "More")), exact=True).click()
    problems = []
    for name in names:
        tab = nav.get_by_role("link", name=name, exact=True)
        box = tab.bounding_box() if tab.count() == 1 else None
        if box is None or box["x"] < 0 or box["x"] + box["width"] > width + 0.5 or not tab.is_visible():
            problems.append(f"the tab {name!r} is not on screen: {box}")
    nav.get_by_role("link", name=reader.t(pN_("tab", "Care team")), exact=True).click()
    page.wait_for_url("**/care-team")
    expect(nav.get_by_role("link", name=reader.t("Prepare"), exact=True)).to_be_hidden()  # "More" closed
    return problems


def _cut_heading_words(page: Page) -> list[str]:
    """A word of the page's heading cut across two lines (a walk-through at 320 px and 200 %
    text: "Passwor/d", "Paramètr/es"; wider than the column, which `cut_words` lets pass)."""
    return page.evaluate(
        """() => {
            const heading = document.querySelector('main h1');
            const out = [];
            const walker = document.createTreeWalker(heading, NodeFilter.SHOW_TEXT);
            for (let node; (node = walker.nextNode()); ) {
                for (const word of node.data.matchAll(/[^\\s\\-\u2010-\u2014/]+/g)) {
                    const range = document.createRange();
                    range.setStart(node, word.index);
                    range.setEnd(node, word.index + word[0].length);
                    const lines = new Set([...range.getClientRects()]
                        .filter(box => box.width > 0).map(box => Math.round(box.top)));
                    if (lines.size > 1) out.push(`the heading's "${word[0]}" is cut across lines`);
                }
            }
            return out;
        }"""
    )


def _squeezed_fields(page: Page) -> list[str]:
    """Text fields squeezed narrower than three characters by what sits beside them (the
    journal's search field was 55 px wide at 390 px and 0 px at 320 px: nothing could be
    read or typed in it)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('input, textarea')]
            .filter(field => !['checkbox', 'radio', 'hidden', 'range'].includes(field.type))
            .filter(field => field.getClientRects().length > 0)
            .filter(field => field.getBoundingClientRect().width
                < 3 * parseFloat(getComputedStyle(field).fontSize))
            .map(field => `a field squeezed to ${Math.round(field.getBoundingClientRect().width)} px: `
                + (field.labels?.[0]?.textContent || field.getAttribute('aria-label') || field.name))"""
    )


def test_the_clinicians_pages_fit_a_narrow_screen_in_the_largest_text(browser, running_app, worlds) -> None:
    """Found in a walk-through: the brief's and the homework's date fields kept their own
    width (323 px) at 320 px in large text, and the page scrolled sideways."""
    world = worlds[ENGLISH]
    tab = open_tab(browser, running_app, ENGLISH, NARROW, is_mobile=True, has_touch=True)
    page = tab.page
    sign_in(tab, world.clinician_email, PASSWORD)
    page.context.new_cdp_session(page).send("Page.setFontSizes", {"fontSizes": {"standard": 32, "fixed": 26}})
    problems = []
    for path in clinician_pages(world):
        tab.goto(path)
        settle(page)
        page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
        problems += [f"{path}: {p}" for p in sideways(page)]
    page.context.close()
    assert problems == [], report(problems)


def test_the_public_pages_fit_a_narrow_screen_in_the_largest_text(browser, running_app) -> None:
    """Found in a walk-through: at 320 px with the browser's text at 200 %, the sign-in,
    register, forgot-password and start pages scrolled sideways by 11 px: the header's app
    name, one long word in large type, could neither wrap nor shrink."""
    tab = open_tab(browser, running_app, ENGLISH, NARROW, is_mobile=True, has_touch=True)
    page = tab.page
    page.context.new_cdp_session(page).send("Page.setFontSizes", {"fontSizes": {"standard": 32, "fixed": 26}})
    problems = []
    for path in (routes.HOME, routes.SIGN_IN, routes.REGISTER, routes.FORGOT):
        tab.goto(path)
        expect(page.locator("h1").first).to_be_visible()
        page.wait_for_load_state("networkidle")
        problems += [f"{path}: {p}" for p in sideways(page) + _header_spill(page)]
    page.context.close()
    assert problems == [], report(problems)


def _overlapping(page: Page) -> list[str]:
    """Buttons drawn over one another (a grid of fixed columns whose buttons grew with the text)."""
    return page.evaluate(
        """() => {
            const boxes = [...document.querySelectorAll('main button')]
                .filter(el => el.checkVisibility())  // not in a closed <details>
                .map(el => [el.textContent.trim(), el.getBoundingClientRect()])
                .filter(([, box]) => box.width > 0 && box.height > 0);
            const out = [];
            boxes.forEach(([a, p], i) => boxes.slice(i + 1).forEach(([b, q]) => {
                const across = Math.min(p.right, q.right) - Math.max(p.left, q.left);
                const down = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
                if (across > 1 && down > 1) out.push(`the buttons "${a}" and "${b}" overlap`);
            }));
            return out;
        }"""
    )


MOVING = """() => {
    const probe = document.createElement('div');  // anything the app may animate one day
    probe.style.transition = 'opacity 300ms';
    probe.style.animation = 'bj-probe 1s infinite';
    document.body.append(probe);
    const moving = [...document.querySelectorAll('body *')].filter(el => {
        const style = getComputedStyle(el);
        return style.transitionDuration.split(',').some(d => parseFloat(d) > 0)
            || style.animationName !== 'none';
    }).map(el => el === probe ? 'probe' : el.tagName + '.' + el.className);
    probe.remove();
    return moving;
}"""


@pytest.mark.parametrize("motion", ["no-preference", "reduce"])
def test_no_motion_when_the_phone_asks_for_less(browser, running_app, worlds, motion) -> None:
    world = worlds[ENGLISH]
    tab = open_tab(browser, running_app, ENGLISH, PHONE, reduced_motion=motion)
    sign_in(tab, world.client_email, PASSWORD)
    tab.page.wait_for_url("**/journal")
    tab.goto(routes.entry(world.entry_id))  # its share switch slides
    settle(tab.page)
    moving = tab.page.evaluate(MOVING)
    tab.page.context.close()
    if motion == "reduce":
        assert moving == []
    else:
        assert "probe" in moving and len(moving) > 1, moving


def test_each_chart_has_its_summary_and_a_data_table(browser, running_app, worlds) -> None:
    world = worlds[FRENCH]
    tab = open_tab(browser, running_app, FRENCH, PHONE, is_mobile=True, has_touch=True)
    page = tab.page
    french = Reader(FRENCH)
    sign_in(tab, world.client_email, PASSWORD, french=True)
    page.wait_for_url("**/journal")
    tab.goto(routes.CHECK_INS)
    settle(page)
    shows = page.get_by_text(french.t("Show as a table"))
    expect(shows).to_have_count(4)  # the trend, the year, the weekdays, the tags
    for index in range(4):
        shows.nth(index).click()
    tables = page.get_by_role("table")
    expect(tables).to_have_count(3)
    # No check-in has a tag yet: a sentence says so, not a table of headers alone.
    expect(page.get_by_text(french.t("Nothing to put in a table yet."))).to_have_count(1)
    trend = tables.first
    expect(trend.get_by_role("columnheader").first).to_have_text(french.t("Day"))
    expect(trend.get_by_role("columnheader").nth(1)).to_have_text(french.t("Mood"))
    expect(trend.get_by_role("rowheader")).to_have_count(10)  # the ten days with a check-in
    # Numbers read as in French: a decimal comma in the 7-day averages.
    assert "," in trend.inner_text()
    problems = [f"{routes.CHECK_INS} (tables open): {p}" for p in axe_violations(page) + sideways(page)]
    # A table wider than the phone (in large text) scrolls in its box, and its edge says more
    # is beyond it (a walk-through found columns cut off with no hint).
    page.context.new_cdp_session(page).send("Page.setFontSizes", {"fontSizes": {"standard": 32, "fixed": 26}})
    page.wait_for_timeout(200)
    wide = page.locator(".bj-scrolls-sideways .rt-ScrollAreaViewport").filter(has=page.get_by_role("table"))
    widths = wide.evaluate_all("boxes => boxes.map(box => box.scrollWidth - box.clientWidth)")
    assert max(widths) > 40, widths
    widest = wide.nth(widths.index(max(widths)))
    widest.scroll_into_view_if_needed()
    _shows_more_beyond_its_edges(page, widest, "light")
    page.context.close()
    assert not problems, report(problems)


def test_appearance_follows_the_phone_or_the_choice_in_settings(browser, running_app, worlds) -> None:
    world = worlds[ENGLISH]
    tab = open_tab(browser, running_app, ENGLISH, PHONE, color_scheme="dark")
    page = tab.page
    sign_in(tab, world.client_email, PASSWORD)
    page.wait_for_url("**/journal")
    dark = "() => document.documentElement.classList.contains('dark')"
    assert page.evaluate(dark)  # the phone's setting
    tab.goto(routes.SETTINGS)
    settle(page)
    choice = page.get_by_role("radiogroup", name="Appearance")
    expect(choice.get_by_role("radio", name="Same as my phone")).to_be_checked()
    choice.get_by_role("radio", name="Light").click()
    expect(choice.get_by_role("radio", name="Light")).to_be_checked()
    assert not page.evaluate(dark)
    page.reload()  # kept by this browser
    settle(page)
    assert not page.evaluate(dark)
    problems = [f"{routes.SETTINGS} (light, chosen): {p}" for p in axe_violations(page)]
    page.get_by_role("radiogroup", name="Appearance").get_by_role("radio", name="Same as my phone").click()
    page.wait_for_function(dark)
    page.context.close()
    assert not problems, report(problems)


# What the page's words and the paper would be while the browser lays the page out to print:
# read in a "beforeprint" listener added after the app's own.
WORDS_ON_PAPER = """
window.__onPaper = [];
addEventListener('beforeprint', () => window.__onPaper.push(
    [...document.querySelectorAll('h1, main p')].map((words) => getComputedStyle(words).color)));
"""


def test_a_page_printed_from_a_dark_screen_is_printed_in_light_colours(browser, running_app, worlds) -> None:
    """Browsers print without backgrounds: the dark theme's near-white words stood on white
    paper (printed, or saved as PDF), too pale to read. On paper the page takes the light
    colours; the screen is dark again after."""
    world = worlds[ENGLISH]
    tab = open_tab(browser, running_app, ENGLISH, PHONE, color_scheme="dark")
    page = tab.page
    sign_in(tab, world.client_email, PASSWORD)
    page.wait_for_url("**/journal")
    tab.goto(routes.entry(world.entry_id))
    settle(page)
    dark = "() => document.documentElement.classList.contains('dark')"
    assert page.evaluate(dark)
    page.evaluate(f"() => {{ {WORDS_ON_PAPER} }}")

    page.pdf()

    rgb = "(colour) => colour.match(/[\\d.]+/g).slice(0, 3).map(Number)"
    colours = page.evaluate(f"() => window.__onPaper[0].map({rgb})")
    assert len(colours) >= 3, colours  # the heading, the entry's words, the crisis line
    for colour in colours:
        assert _contrast(colour, [255, 255, 255]) >= 4.5, f"{colour} on white paper"
    assert page.evaluate(dark)  # the screen, after printing
    page.context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_in_large_text_more_holds_the_other_tabs_and_shows_it_holds_the_page_you_are_on(
    browser, running_app, worlds, scheme
) -> None:
    """At 200 % text the six tabs scrolled sideways in the bar; a walk-through never saw
    "Prepare" or "Care team". The bar shows its first tabs and "More" for the others; on a
    page under "More", "More" is marked as the tab you are on (a bar above it, bold words)."""
    world = worlds[FRENCH]  # the longest words
    tab = open_tab(browser, running_app, FRENCH, PHONE, is_mobile=True, has_touch=True, color_scheme=scheme)
    page = tab.page
    sign_in(tab, world.client_email, PASSWORD, french=True)
    page.wait_for_url("**/journal")
    page.context.new_cdp_session(page).send("Page.setFontSizes", {"fontSizes": {"standard": 32, "fixed": 26}})
    reader = Reader(FRENCH)
    tab.goto(routes.PREPARE)
    settle(page)
    bar = page.locator("nav .bj-tabs")
    assert bar.evaluate("row => row.scrollWidth <= row.clientWidth + 1")  # nothing beyond its edge
    more = page.get_by_role("navigation").get_by_text(reader.t(pN_("tab", "More")), exact=True)
    marked = more.evaluate(
        """el => {
            const s = getComputedStyle(el.closest('summary'));
            return [s.borderTopColor, s.color, s.fontWeight];
        }"""
    )
    assert marked[0] == marked[1] and int(marked[2]) >= 700, marked
    # and heard: "More" names the page you are on as being in it, where it is (not on Write)
    summary = page.get_by_role("navigation").locator("summary")
    here_too = f"{reader.t(pN_('tab', 'More'))} {reader.t(pN_('tab', '(the current page is here)'))}"
    expect(summary).to_have_accessible_name(here_too)
    more.click()
    here = page.get_by_role("navigation").get_by_role("link", name=reader.t("Prepare"), exact=True)
    expect(here).to_be_visible()
    expect(here).to_have_attribute("aria-current", "page")
    # It closes as a menu does: Escape (the focus back on "More"), or a tap elsewhere.
    here.focus()
    page.keyboard.press("Escape")
    expect(here).to_be_hidden()
    assert page.evaluate("() => document.activeElement.tagName") == "SUMMARY"
    more.click()
    expect(here).to_be_visible()
    page.locator("main h1").click()
    expect(here).to_be_hidden()
    tab.goto(routes.WRITE)
    settle(page)
    expect(summary).to_have_accessible_name(reader.t(pN_("tab", "More")))
    page.context.close()


def _shows_more_beyond_its_edges(page: Page, box: Locator, scheme: str) -> None:
    """A box that scrolls sideways: at its start, its right edge is shaded and not its left;
    scrolled to its end, the other way round."""

    def shade_at_edges() -> tuple[float, float]:
        """How much darker (light) or lighter (dark) the box's two edges are than its middle,
        along its bottom line (under the icons and words)."""
        shot = Image.open(io.BytesIO(box.screenshot())).convert("L")
        y = shot.height - 2
        middle = shot.getpixel((shot.width // 2, y))
        left, right = shot.getpixel((1, y)), shot.getpixel((shot.width - 2, y))
        sign = 1 if scheme == "light" else -1
        return sign * (middle - left), sign * (middle - right)  # type: ignore[operator]

    left, right = shade_at_edges()
    assert left < 3 and right > 12, (left, right)  # at the start: more to the right only
    box.evaluate("row => { row.scrollLeft = row.scrollWidth; }")
    page.wait_for_timeout(100)
    left, right = shade_at_edges()
    assert left > 12 and right < 3, (left, right)  # at the end: more to the left only
