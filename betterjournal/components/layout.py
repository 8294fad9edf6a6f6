"""The app shell: header, navigation, feedback, the crisis line. Mobile first."""

from __future__ import annotations

from typing import Any, Literal

import reflex as rx
from reflex_base.utils.imports import ImportVar
from reflex_base.vars.base import VarData
from reflex_components_core.react_router.dom import ReactRouterLink

from betterjournal import routes
from betterjournal.components.inputs import ask_first, dismiss_button
from betterjournal.components.native_form import native_form
from betterjournal.components.reminders import reminder_banner
from betterjournal.components.text import LANGUAGE, Text, tr, tr_counted
from betterjournal.i18n import CRISIS_CALL, CRISIS_LINE, CRISIS_TEXT, LANGUAGE_NAMES, LANGUAGES, N_, pN_
from betterjournal.state.base import PUBLIC_PAGE_NOTICES, AppState
from betterjournal.state.clinician import SharedWaitingState
from betterjournal.state.editor import EditorState
from betterjournal.state.homework import WorksheetState

TAP = "var(--tap)"  # 44 px at the default font size; grows with the reader's text (assets/app.css)

# The path the browser is on (React Router's): the tab bar marks where you are at once,
# without waiting for the server.
CURRENT_PATH = rx.Var(
    _js_expr="bjCurrentPath",
    _var_type=str,
    _var_data=VarData(
        imports={"react-router": [ImportVar(tag="useLocation")]},
        hooks={"const bjCurrentPath = useLocation().pathname.replace(/\\/+$/, '') || '/';": None},
    ),
).to(str)


class DocumentLanguage(rx.Component):
    """Sets <html lang> to the tab's language (assets/language.jsx)."""

    library = "$/public/language.jsx"
    tag = "DocumentLanguage"

    lang: rx.Var[str]
    chosen: rx.Var[str]  # the language the server chose for the tab, once it has


class LightOnPaper(rx.Component):
    """A page printed in the light colours, whatever the screen's (assets/paper.jsx)."""

    library = "$/public/paper.jsx"
    tag = "LightOnPaper"


class FieldMessages(rx.Component):
    """The browser's messages for a field it will not send, in the tab's language (assets/forms.jsx)."""

    library = "$/public/forms.jsx"
    tag = "FieldMessages"

    missing: rx.Var[str]
    choose: rx.Var[str]  # a list (select) with nothing chosen
    email: rx.Var[str]
    short_one: rx.Var[str]  # "Use at least {count} characters." (the field's minimum length)
    short_other: rx.Var[str]
    language: rx.Var[str]


def field_messages() -> rx.Component:
    """Mounted once in each page's frame: every form of the page gets these messages."""
    short_one, short_other = tr_counted("Use at least {count} character.", "Use at least {count} characters.")
    return FieldMessages.create(
        missing=tr("Please fill in this field."),
        choose=tr("Please choose one from the list."),
        email=tr("Enter an email address like name@example.com."),
        short_one=short_one,
        short_other=short_other,
        language=LANGUAGE,
    )


class BrowserTimeZone(rx.Component):
    """A hidden form field holding the browser's time zone (assets/language.jsx)."""

    library = "$/public/language.jsx"
    tag = "BrowserTimeZone"

    name: rx.Var[str]


class FocusOnNewPage(rx.Fragment):
    """After a move to another page (a tapped link, a save that opens the saved item), the
    keyboard's focus goes to the new page's heading instead of falling back to the top of
    the document, so a screen reader says where you are and Tab goes on from there; and the
    tab bar's "More" (large text) closes."""

    def add_imports(self) -> dict[str, list[ImportVar]]:
        return {"react": [ImportVar(tag="useEffect")], "react-router": [ImportVar(tag="useLocation")]}

    def add_hooks(self) -> list[str | rx.Var]:
        return [
            """const bjFocusPath = useLocation().pathname;
useEffect(() => {
  // "More" (large text) closes once one of its tabs is chosen; the focus, on that tab, goes.
  const fromMore = document.activeElement?.closest?.("details.bj-more");
  document.querySelectorAll("details.bj-more[open]").forEach((more) => { more.open = false; });
  const lost = fromMore || !document.activeElement || document.activeElement === document.body;
  const heading = document.querySelector("main h1");
  if (lost && heading && window.bjFocusPathSeen && window.bjFocusPathSeen !== bjFocusPath) {
    heading.focus();
  }
  window.bjFocusPathSeen = bjFocusPath;
  if (!window.bjMoreCloses) {
    // "More" closes as a menu does: Escape (back to "More"), a tap or the focus elsewhere.
    window.bjMoreCloses = true;
    const closeUnless = (target) => {
      const more = document.querySelector("details.bj-more[open]");
      if (more && !more.contains(target)) more.open = false;
    };
    document.addEventListener("focusin", (event) => closeUnless(event.target));
    document.addEventListener("click", (event) => closeUnless(event.target));
    document.addEventListener("keydown", (event) => {
      const more = document.querySelector("details.bj-more[open]");
      if (event.key === "Escape" && more) {
        more.open = false;
        more.querySelector("summary")?.focus();
      }
    });
  }
}, [bjFocusPath]);"""
        ]


class FocusOnProblem(rx.Component):
    """On a page a form sent by the browser came back to with a problem, the focus goes to
    the field to fix (assets/page_feedback.jsx)."""

    library = "$/public/page_feedback.jsx"
    tag = "FocusOnProblem"

    problem: rx.Var[str]


class OnPage(rx.Component):
    """Its children only while the browser is on `path` (assets/page_feedback.jsx)."""

    library = "$/public/page_feedback.jsx"
    tag = "OnPage"

    path: rx.Var[str]


class WhenNear(rx.Component):
    """Its children drawn only once their place comes within 200 px of the screen, then kept
    (assets/draw_later.jsx): for what is costly to draw, such as a chart. Give the place its
    size (a box of fixed height around it), so nothing moves when it is drawn."""

    library = "$/public/draw_later.jsx"
    tag = "WhenNear"


class WhenOpen(rx.Component):
    """Inside an `rx.el.details`: its children drawn only once the details are opened, then
    kept (assets/draw_later.jsx): for a long table under "Show as a table"."""

    library = "$/public/draw_later.jsx"
    tag = "WhenOpen"


_PRINT_WHEN_DRAWN = rx.Var(
    "printWhenDrawn",
    _var_data=VarData(imports={"$/public/draw_later.jsx": [ImportVar(tag="printWhenDrawn")]}),
)


def print_button() -> rx.Component:
    """A button for a page of charts, "Print / save as PDF". Each chart is drawn only as it
    nears the screen, so the browser's own Print leaves those below blank; this one draws
    them all first (assets/draw_later.jsx). Not printed itself (assets/app.css)."""
    return rx.button(
        rx.icon("printer", aria_hidden="true"),
        tr("Print / save as PDF"),
        variant="soft",
        size="3",
        class_name="bj-print-button",
        custom_attrs={"onClick": _PRINT_WHEN_DRAWN},
    )


QUEUED_WHILE_OFFLINE = N_(
    "You're offline. What you do here will be sent when the connection is back: keep this page open."
)


class WhenOffline(rx.Component):
    """Its children only while the server cannot be reached (assets/page_feedback.jsx)."""

    library = "$/public/page_feedback.jsx"
    tag = "WhenOffline"


# Where a person writes, while the server cannot be reached (the editor, a worksheet).
OFFLINE_WORDS = N_("Offline — your words will be saved when you're back")


class LetGoOnScroll(rx.Component):
    """Lets the notice around it scroll away once the person scrolls on (page_feedback.jsx)."""

    library = "$/public/page_feedback.jsx"
    tag = "LetGoOnScroll"


class WhenOnline(rx.Component):
    """Its children only while the server can be reached (assets/page_feedback.jsx)."""

    library = "$/public/page_feedback.jsx"
    tag = "WhenOnline"


def offline_notice(message: Text) -> rx.Component:
    """Said at the top of a page while the connection is down, and kept on screen as the
    page scrolls (assets/app.css: a walk-through's client, typing far down a worksheet,
    saw no sign of it)."""
    return WhenOffline.create(
        rx.callout(
            message,
            icon="wifi-off",
            color_scheme="amber",
            role="status",
            width="100%",
            class_name="bj-offline",
        )
    )


def _dismissible(
    message: Any, *, icon: str, color_scheme: Any, role: Literal["status", "alert"]
) -> rx.Component:
    """A notice or problem with a button that puts it away (at the top of the screen, over
    the page, until the person scrolls on)."""
    return rx.box(
        rx.callout(message, icon=icon, color_scheme=color_scheme, role=role, width="100%", padding_right=TAP),
        dismiss_button(
            tr("Dismiss this message"),
            AppState.dismiss_feedback,
            position="absolute",
            top="0",
            right="0",
            class_name="bj-dismiss-feedback",  # also tapped when the browser refuses a form (LetGoOnScroll)
        ),
        position="relative",
        width="100%",
    )


def _shared_waiting() -> rx.Component:
    """A page redrawn by a push left out what was newly shared (so "Seen" is never said for
    a tab nobody looked at): one tap shows it."""
    return rx.callout(
        rx.el.span(
            tr("Something new was shared with you since this page opened."),
            " ",
            rx.button(
                tr("Show it"), on_click=SharedWaitingState.show_shared_waiting, size="2", variant="soft"
            ),
        ),
        icon="bell",
        color_scheme="teal",
        role="status",
        width="100%",
    )


def feedback() -> rx.Component:
    """Notices are announced politely; problems assertively. Both say what to do next, and
    both belong to the page they were given on: another page never shows them."""
    return rx.el.div(
        OnPage.create(
            rx.cond(
                AppState.notice != "",
                _dismissible(AppState.notice, icon="check", color_scheme="teal", role="status"),
            ),
            rx.cond(
                AppState.problem != "",
                _dismissible(AppState.problem, icon="info", color_scheme="amber", role="alert"),
            ),
            path=AppState.feedback_on,
        ),
        OnPage.create(
            rx.cond(AppState.shared_waiting_on != "", _shared_waiting()), path=AppState.shared_waiting_on
        ),
        # Stays in view at the top while the page is scrolled: what a button far down the
        # page did is said where the person is, not a screen's height above them; once they
        # scroll on, it stays at the top of the page instead.
        LetGoOnScroll.create(),
        class_name="bj-feedback",
    )


def footer(*extra: rx.Component) -> rx.Component:
    """The crisis line on every page, calm, with a tap to call or text 988. Plain elements
    styled by class (assets/app.css): every page draws it on its first load."""
    return rx.el.footer(
        rx.el.p(tr(CRISIS_LINE)),
        rx.el.div(
            rx.el.a(tr(CRISIS_CALL), href="tel:988"),
            rx.el.a(tr(CRISIS_TEXT), href="sms:988"),
        ),
        rx.el.div(ReactRouterLink.create(tr("Install on your phone"), to=routes.INSTALL)),
        *[rx.el.div(part, class_name="bj-footer-more") for part in extra],
        class_name="bj-footer",
    )


def _nav_link(
    label: Text,
    href: str,
    icon: str,
    *,
    also: tuple[str, ...] = (),
    exact: bool = False,
    here_when: Any = None,
) -> rx.Component:
    """A tab; the one for the page you are on (`href`, a page under it unless `exact`, or
    one of `also`, under it when it ends in "/"; and only `here_when`, if given) says so to
    a screen reader and shows it with a bar and bold words, not colour alone."""
    here = href == CURRENT_PATH
    for path in (*also, *(() if exact else (href + "/",))):
        here = here | (CURRENT_PATH.startswith(path) if path.endswith("/") else path == CURRENT_PATH)
    if here_when is not None:
        here = here & here_when
    return ReactRouterLink.create(
        rx.icon(icon, size=22, aria_hidden="true"),
        rx.el.span(label),
        to=href,
        aria_current=rx.cond(here, "page", "false"),
        class_name="bj-tab",  # its look is in assets/app.css: a plain link, drawn once
    )


def sign_out_form(*, everywhere: bool = False) -> rx.Component:
    """Sign out (of this session, or every one): in the header, the footer, and on the two
    steps of two-step sign-in, the way out of a sign-in left half done."""
    return native_form(
        rx.el.input(type="hidden", name="form_token", value=AppState.form_token, read_only=True),
        *([rx.el.input(type="hidden", name="everywhere", value="yes", read_only=True)] if everywhere else []),
        rx.button(
            tr("Sign out on all devices") if everywhere else tr("Sign out"),
            type="submit",
            variant="solid" if everywhere else "soft",
            color_scheme=None if everywhere else "gray",
            size="2",
        ),
        action=routes.API_SIGN_OUT,
        method="post",
        # The header's stays on one line; the dialog's long one wraps in large text.
        class_name="bj-sign-out-all" if everywhere else "bj-sign-out",
    )


def _sign_out_everywhere() -> rx.Component:
    """The footer's "Sign out on all devices", after a question: one tap there ended every
    session of the account, the phone's and the laptop's, with no way back."""
    return ask_first(
        tr("Sign out on all devices"),
        dialog_id="sign-out-all",
        question=tr("Sign out on all devices?"),
        explanation=tr(
            "Every phone and computer signed in to your account will be signed out, this one too. "
            "What you wrote is kept."
        ),
        keep=tr("Stay signed in"),
        go_ahead=sign_out_form(everywhere=True),
        variant="ghost",
        color_scheme="gray",
        size="2",
    )


def _client_tabs() -> list[rx.Component]:
    return [
        # Editing a saved entry is in the journal; writing a new one is Write.
        _nav_link(
            tr("Journal"),
            routes.JOURNAL,
            "book-open",
            also=(routes.ENTRY, routes.WRITE),
            exact=True,
            here_when=(CURRENT_PATH != routes.WRITE) | ~EditorState.is_new,
        ),
        # A prompt chosen to write about (not assigned) is writing an entry, not homework.
        _nav_link(
            tr("Write"),
            routes.WRITE,
            "pencil",
            also=(routes.WORKSHEET,),
            here_when=rx.cond(
                CURRENT_PATH == routes.WORKSHEET, WorksheetState.own_prompt, EditorState.is_new
            ),
        ),
        # A tab's label has a context of its own: in French the page's name is long for a
        # sixth of a 320-px phone ("Faire le point" took three lines), so its tab is shorter.
        _nav_link(
            tr(pN_("tab", "Check in")),
            routes.CHECK_IN,
            "smile",
            also=(routes.CHECK_INS, routes.CHECK_INS + "/"),
        ),
        _nav_link(
            tr("Homework"),
            routes.HOMEWORK,
            "clipboard-list",
            here_when=(CURRENT_PATH != routes.WORKSHEET) | ~WorksheetState.own_prompt,
        ),
        _nav_link(tr("Prepare"), routes.PREPARE, "calendar-check"),
        _nav_link(tr(pN_("tab", "Care team")), routes.CARE_TEAM, "users"),
    ]


def _client_nav() -> rx.Component:
    return rx.hstack(
        *_client_tabs(),
        # In large text on a phone the bar shows its first tabs and "More" for the others
        # (assets/app.css): every tab on screen, in one row. (It scrolled sideways, and a
        # walk-through never saw Prepare or Care team.) Shown only then.
        rx.el.details(
            rx.el.summary(
                rx.icon("ellipsis", size=22, aria_hidden="true"),
                rx.el.span(tr(pN_("tab", "More"))),
                # Heard only when "More" holds the page you are on, as the marks show it
                # (assets/app.css): a tab says "current page", and "More" said nothing.
                rx.el.span(tr(pN_("tab", "(the current page is here)")), class_name="bj-heard bj-more-here"),
                class_name="bj-tab",
            ),
            rx.el.div(*_client_tabs()[2:], class_name="bj-more-tabs"),
            class_name="bj-more",
        ),
        justify_content="safe center",  # ("safe": a row wider than the bar starts at its left)
        spacing="0",
        wrap="nowrap",
        class_name="bj-tabs",
        overflow_x="auto",  # a tab a little too wide scrolls in the bar, not the page
        width="100%",
    )


def _clinician_nav() -> rx.Component:
    return rx.hstack(
        # A client's brief is where each caseload row leads: Caseload's, not Clients' (a
        # walk-through's bar said Clients there).
        _nav_link(tr("Caseload"), routes.CASELOAD, "calendar-check", also=(routes.BRIEF,)),
        _nav_link(tr("Clients"), routes.CLIENTS, "users", here_when=CURRENT_PATH != routes.BRIEF),
        justify="center",
        spacing="2",
        wrap="wrap",
        width="100%",
    )


def _admin_nav() -> rx.Component:
    return rx.hstack(
        _nav_link(tr("Requests"), routes.ADMIN, "inbox"),
        _nav_link(tr("Settings"), routes.SETTINGS, "settings"),
        justify="center",
        spacing="2",
        wrap="wrap",
        width="100%",
    )


class UnsentWords(rx.Component):
    """Its children when an editor's form went lately with words the server had not
    confirmed (assets/unsent_words.jsx): the button among them copies the words."""

    library = "$/public/unsent_words.jsx"
    tag = "UnsentWords"

    copied: rx.Var[str]


class UnsentDraft(rx.Component):
    """Inside the sign-in form: an editor's words handed over as the session ended, sent
    with the sign-in, which puts them back in their draft (api.sign_in). Nothing otherwise."""

    library = "$/public/unsent_words.jsx"
    tag = "UnsentDraft"

    sign_in_path: rx.Var[str]


def unsent_words() -> rx.Component:
    """Words typed as the session ended (offline as it ran out, or signed out from another
    device) may not reach the server: not shown once signed out (on the editor's page, then
    on the sign-in page), but one tap copies them, and signing in again on the sign-in page
    puts them back in their draft (UnsentDraft)."""
    return UnsentWords.create(
        rx.callout(
            rx.vstack(
                rx.text(
                    tr(
                        "Words you typed just before you were signed out may not have been saved. "
                        "Sign in again here and they go back into your draft. You can also copy them."
                    )
                ),
                rx.button(tr("Copy my unsaved words"), type="button", size="3"),
                spacing="3",
            ),
            icon="clipboard-copy",
            color_scheme="amber",
            width="100%",
        ),
        copied=tr("Copied."),
    )


def _signed_out_here() -> rx.Component:
    """Shown at once when this device's session was ended from elsewhere (state/live.py)."""
    return rx.cond(
        AppState.signed_out_here,
        rx.callout(
            rx.cond(
                AppState.account_deleted_here,
                # Not "sign in again": there is no account left to sign in to.
                rx.text(tr(PUBLIC_PAGE_NOTICES["deleted"])),
                rx.text(
                    tr("You're signed out on this device."),
                    " ",
                    rx.link(tr("Sign in again"), href=AppState.sign_in_again),
                ),
            ),
            icon="log-out",
            color_scheme="gray",
            role="alert",
            width="100%",
        ),
    )


def page_shell(
    *children: rx.Component,
    heading: Text,
    says_offline: bool = True,
    signed_out: rx.Component | None = None,
) -> rx.Component:
    """A signed-in page: header with sign-out, feedback, content, footer, bottom tab bar.
    `says_offline`: False for a page that says it in its own words (the editor).
    `signed_out`: what the page shows instead of its content once signed out here."""
    return rx.box(
        DocumentLanguage.create(lang=LANGUAGE, chosen=AppState.language),
        LightOnPaper.create(),
        field_messages(),
        rx.el.header(
            _skip_link(),  # in the header's landmark, as all the page's content is
            # Plain elements styled by class (assets/app.css): every signed-in page draws
            # them on its first load. In large text, sign-out moves to a second line
            # instead of off screen.
            rx.el.div(
                # The app's name, not a heading: each page has one h1, its own. Under it, who
                # is signed in, with the whole width the buttons leave (beside them, a phone
                # in French had room for "C…"); a very long name ends in "…".
                rx.el.div(
                    ReactRouterLink.create("Betterjournal", to=routes.HOME, class_name="bj-app-name"),
                    rx.el.p(AppState.viewer_name, class_name="bj-viewer"),
                ),
                ReactRouterLink.create(
                    rx.icon("settings", size=20, aria_hidden="true"),
                    to=routes.SETTINGS,
                    aria_label=tr("Settings"),
                    title=tr("Settings"),
                    class_name="bj-icon-link",
                ),
                sign_out_form(),
            ),
            class_name="bj-header",
        ),
        _main(
            heading,
            (
                # Taps and forms wait in the page and go when the connection is back (Reflex
                # queues them in order).
                *([offline_notice(tr(QUEUED_WHILE_OFFLINE))] if says_offline else []),
                _signed_out_here(),
                # Signed out, the page shows nothing more of the person's (a screen left
                # open, or a phone that changed hands) and takes no words that could go
                # nowhere.
                rx.cond(
                    ~AppState.signed_out_here,
                    rx.fragment(reminder_banner(), *children),
                    *([signed_out] if signed_out is not None else []),
                ),
            ),
            signed_in=True,
        ),
        footer(_sign_out_everywhere()),
        rx.el.nav(
            rx.match(
                AppState.viewer_role,
                ("clinician", _clinician_nav()),
                ("admin", _admin_nav()),
                _client_nav(),
            ),
            aria_label=tr("Main"),
            class_name="bj-tab-bar",
            position="fixed",
            bottom="0",
            left="0",
            right="0",
            background="var(--color-panel-solid)",
            border_top="1px solid var(--gray-5)",
            padding_y="0.25em",
        ),
    )


def _main(heading: Text, children: tuple[rx.Component, ...], *, signed_in: bool) -> rx.Component:
    """The page's one main column: its heading, the feedback line, then the content. A
    signed-in page's is wider, and holds a screen's height from the start: its data arrives
    after its frame, and nothing below it jumps when the data comes (layout shift)."""
    return rx.el.main(
        FocusOnNewPage.create(),
        rx.el.div(
            rx.heading(heading, as_="h1", size="6", tab_index=-1, id=PAGE_HEADING),
            feedback(),
            *children,
        ),
        class_name="bj-main bj-signed-in" if signed_in else "bj-main",
    )


PAGE_HEADING = "page-heading"


def _skip_link() -> rx.Component:
    """The first stop of Tab: past the header, to the page's heading (hidden until it has
    the focus). The browser only moves where the next Tab starts; the tap handler moves the
    focus itself, so a screen reader says the heading (and the address stays as it is)."""
    focus_heading = rx.Var(
        f"(event) => {{ const heading = document.getElementById('{PAGE_HEADING}');"
        " if (heading) { event.preventDefault(); heading.focus(); } }"
    )
    return rx.el.a(
        tr("Skip to content"),
        href="#" + PAGE_HEADING,
        class_name="bj-skip-link",
        custom_attrs={"onClick": focus_heading},
    )


def public_shell(*children: rx.Component, heading: Text) -> rx.Component:
    """Sign-in and registration: no navigation, the same calm frame, and a way to switch
    language before signing in."""
    return rx.box(
        DocumentLanguage.create(lang=LANGUAGE, chosen=AppState.language),
        LightOnPaper.create(),
        field_messages(),
        FocusOnProblem.create(problem=AppState.problem),
        rx.el.header(
            _skip_link(),
            rx.hstack(
                # Its one long word breaks rather than push a 320-px screen sideways in large text.
                rx.text(
                    "Betterjournal",
                    size="5",
                    weight="bold",
                    color_scheme="teal",
                    high_contrast=True,
                    min_width="0",
                    overflow_wrap="anywhere",
                ),
                rx.spacer(),
                _language_switch(),
                align="center",
                wrap="wrap",  # the language under the name when both don't fit (320 px)
                width="100%",
            ),
            padding="1.5em 1em 0",
            max_width="30rem",
            margin_x="auto",
        ),
        _main(
            heading,
            (offline_notice(tr("You're offline. Check your connection, then try again.")), *children),
            signed_in=False,
        ),
        footer(),
    )


def _language_switch() -> rx.Component:
    """The other language, named in its own words (and marked as that language)."""
    return rx.hstack(
        *[
            rx.cond(
                language != LANGUAGE,
                rx.button(
                    LANGUAGE_NAMES[language],
                    lang=language,
                    variant="ghost",
                    size="2",
                    on_click=AppState.choose_language(language),
                ),
            )
            for language in LANGUAGES
        ]
    )


def link_button(*children: rx.Component | Text, href: str | rx.Var[str], **button_props: Any) -> rx.Component:
    """A link that looks like a button: one `<a>`, navigated inside the app. (A button
    inside a link would be two controls, and two tab stops, for one action.)"""
    return rx.button(ReactRouterLink.create(*children, to=href), as_child=True, **button_props)


def titled_section(title: Text, *children: rx.Component) -> rx.Component:
    """A part of a page named by its heading: a region a screen reader lists by that name."""
    return rx.el.section(
        rx.vstack(rx.heading(title, as_="h2", size="4"), *children, width="100%"),
        aria_label=title,
        width="100%",
    )


def labelled_field(
    label: Text, control: rx.Component, *, hint: Text = "", after: rx.Component | None = None
) -> rx.Component:
    """A visible label tied to its control by id, with an optional hint, and what goes right
    under the control (`after`: how many characters are left). The hint is the control's
    description too (a walk-through: a screen reader heard a field without what it's for);
    one that may be empty stays in the page, hidden while it is."""
    described = control.id is not None and not (isinstance(hint, str) and not hint)  # type: ignore[attr-defined]
    if described:
        hint_id = f"{control.id}-hint"  # type: ignore[attr-defined]
        control.custom_attrs.setdefault("aria-describedby", hint_id)
        shown_hint = rx.text(hint, size="1", color_scheme="gray", id=hint_id, hidden=hint == "")
    else:
        shown_hint = rx.cond(hint != "", rx.text(hint, size="1", color_scheme="gray"))
    return rx.vstack(
        rx.el.label(label, html_for=control.id, font_weight="500"),  # type: ignore[attr-defined]
        control,
        *([after] if after is not None else []),
        shown_hint,
        spacing="1",
        width="100%",
    )
