"""The editor page: write or edit one entry, autosaved as a draft while typing."""

from __future__ import annotations

import reflex as rx

from betterjournal import api, routes
from betterjournal.components.entries import back_link, unavailable_or_loading
from betterjournal.components.forms import characters_left, form, words_input
from betterjournal.components.inputs import ask_first, removing_button
from betterjournal.components.items import who_sees_edits
from betterjournal.components.layout import (
    OFFLINE_WORDS,
    WhenOffline,
    labelled_field,
    page_shell,
    unsent_words,
)
from betterjournal.components.text import LANGUAGE, Text, tr, tr_counted
from betterjournal.components.worksheets import prompt_links
from betterjournal.core.validation import BODY_MAX, TITLE_MAX
from betterjournal.state.base import AppState
from betterjournal.state.editor import BODY_ID, TITLE_ID, EditorState

# The page's side of the autosave (status, sending words the debounce would lose): a
# React module in assets/, bundled with the page by Vite (so a 'self' script for the CSP).
AUTOSAVE_MODULE = "$/public/editor_autosave.jsx"


class EditorGate(rx.Component):
    """Its first child while the editor's state is for the item in the page URL, else
    its second: one item's words never show on another item's page, not even for the
    moment before the page's load handler has run."""

    library = AUTOSAVE_MODULE
    tag = "EditorGate"

    entry_id: rx.Var[str]
    ready: rx.Var[bool]


class DraftStatus(rx.Component):
    """The autosave status: "Saving…" from the first keystroke until the server has the
    words on screen, "Offline — your words will be saved when you're back" while
    disconnected, else the server's."""

    library = AUTOSAVE_MODULE
    tag = "DraftStatus"

    entry_id: rx.Var[str]
    saved_title: rx.Var[str]
    saved_body: rx.Var[str]
    draft_seen: rx.Var[str]
    words_mark: rx.Var[str]
    server_status: rx.Var[str]
    failed: rx.Var[bool]
    hydrated: rx.Var[bool]
    form_token: rx.Var[str]
    title_id: rx.Var[str]
    body_id: rx.Var[str]
    title_event: rx.Var[str]
    body_event: rx.Var[str]
    write_path: rx.Var[str]
    keep_url: rx.Var[str]
    saving_text: rx.Var[str]
    offline_text: rx.Var[str]
    reconnecting_text: rx.Var[str]


class WordCount(rx.Component):
    """ "123 words": the words on screen, counted in the browser as they are typed (offline
    too), in the tab's language."""

    library = AUTOSAVE_MODULE
    tag = "WordCount"

    body_id: rx.Var[str]
    saved_body: rx.Var[str]
    one: rx.Var[str]
    other: rx.Var[str]
    language: rx.Var[str]


def _word_count() -> rx.Component:
    one, other = tr_counted("{count} word", "{count} words")
    return rx.text(
        WordCount.create(
            body_id=BODY_ID, saved_body=EditorState.body, one=one, other=other, language=LANGUAGE
        ),
        size="1",
        color_scheme="gray",
        flex_shrink="0",
    )


def _draft_status() -> rx.Component:
    state = EditorState.get_full_name()
    return rx.text(
        DraftStatus.create(
            entry_id=EditorState.entry_id,
            saved_title=EditorState.title,
            saved_body=EditorState.body,
            draft_seen=EditorState.draft_seen,
            words_mark=EditorState.words_mark,
            server_status=EditorState.draft_status,
            failed=EditorState.draft_failed,
            hydrated=rx.State.is_hydrated,
            form_token=AppState.form_token,
            title_id=TITLE_ID,
            body_id=BODY_ID,
            title_event=f"{state}.edit_title",
            body_event=f"{state}.edit_body",
            write_path=routes.WRITE,
            keep_url=api.API_KEEP_DRAFT,
            saving_text=tr("Saving…"),
            offline_text=tr(OFFLINE_WORDS),
            reconnecting_text=tr("Offline — reconnecting…"),
        ),
        size="1",
        color_scheme="gray",
        role="status",
    )


def _discard_button(label: Text, question: Text, explanation: Text, action: Text) -> rx.Component:
    """Discard the draft, after asking: a new entry's words, or the changes to a saved one."""
    return ask_first(
        label,
        dialog_id="discard-draft",
        question=question,
        explanation=explanation,
        keep=tr("Keep writing"),
        go_ahead=removing_button(
            action,
            on_click=EditorState.discard_draft,
            custom_attrs={"data-forgets-typed-words": "true"},
        ),
        variant="soft",
        color_scheme="gray",
        size="3",
    )


def _unfinished() -> rx.Component:
    """An empty new entry: the newest unfinished one, one tap away (its words are a draft)."""
    return rx.cond(
        EditorState.unfinished_id != "",
        rx.callout(
            rx.text(
                EditorState.unfinished_line,
                " ",
                rx.link(tr("Continue it"), href=routes.WRITE + "?id=" + EditorState.unfinished_id),
            ),
            icon="file-pen-line",
            color_scheme="gray",
            width="100%",
        ),
    )


def _form() -> rx.Component:
    return form(
        labelled_field(
            tr("Title (optional)"),
            rx.debounce_input(
                words_input(
                    id=TITLE_ID,
                    name="title",
                    on_change=lambda value: EditorState.edit_title(value, EditorState.entry_id),
                    max_length=TITLE_MAX,
                    size="3",
                    width="100%",
                ),
                value=EditorState.title,
                debounce_timeout=600,
            ),
            after=characters_left(TITLE_ID, TITLE_MAX, value=EditorState.title),
        ),
        labelled_field(
            tr("Your entry"),
            rx.debounce_input(
                rx.text_area(
                    id=BODY_ID,
                    name="body",
                    on_change=lambda value: EditorState.edit_body(value, EditorState.entry_id),
                    min_height="14em",
                    size="3",
                    width="100%",
                    auto_focus=True,
                ),
                value=EditorState.body,
                debounce_timeout=800,
            ),
            after=characters_left(BODY_ID, BODY_MAX, value=EditorState.body),
            hint=tr("Saved as a draft while you type. Up to {limit} characters.", limit=BODY_MAX),
        ),
        rx.hstack(
            _draft_status(),
            rx.spacer(),
            _word_count(),
            width="100%",
        ),
        rx.hstack(
            rx.button(tr("Save entry"), type="submit", size="3"),
            # Once there is something to discard: asked "Discard your changes?" with none
            # made, a walk-through didn't know what it would lose ("Back to the entry" is above).
            rx.cond(
                EditorState.has_draft,
                rx.cond(
                    EditorState.is_new,
                    _discard_button(
                        tr("Discard draft"),
                        tr("Discard this draft?"),
                        tr("The words you wrote here will be removed. Your saved entries stay as they are."),
                        tr("Discard"),
                    ),
                    _discard_button(
                        tr("Discard changes"),
                        tr("Discard your changes?"),
                        tr("The entry stays as you last saved it."),
                        tr("Discard changes"),
                    ),
                ),
            ),
            spacing="3",
            wrap="wrap",
        ),
        # Beside the button, not only at the top: a tap on Save offline waits for the
        # connection (Reflex keeps the event and sends it once back).
        WhenOffline.create(
            rx.text(tr("You're offline. Save goes through once you're back."), size="2", role="status")
        ),
        who_sees_edits(
            EditorState.shared_line,
            EditorState.is_new,
            tr("New entries are private. You choose what to share, one entry at a time."),
            tr("This entry is private: only you can see it."),
        ),
        # A new item is a new form: nothing typed into one item's fields carries over.
        key=EditorState.entry_id,
        on_submit=EditorState.save_entry,
        display="flex",
        flex_direction="column",
        gap="0.75em",
    )


def write_page() -> rx.Component:
    return page_shell(
        EditorGate.create(
            rx.fragment(
                # Editing a saved entry: a way back to it other than "Discard changes" (a
                # walk-through found only that, the tab bar, or saving); the words typed stay
                # as a draft, which the entry's page offers to go on with.
                rx.cond(
                    ~EditorState.is_new,
                    back_link(tr("Back to the entry"), routes.ENTRY + "?id=" + EditorState.entry_id),
                ),
                _unfinished(),
                _form(),
            ),
            # Refused (not the client's, or an id the server never handed out), or loading.
            unavailable_or_loading(
                EditorState.editor_unavailable,
                tr("This entry isn't available."),
                rx.link(tr("Write a new entry"), href=routes.WRITE),
                tr("Opening the editor"),
            ),
            entry_id=EditorState.entry_id,
            ready=EditorState.editor_ready,
        ),
        # Prompts, where someone who wants something to write about looks (a walk-through
        # found them only under Homework).
        rx.cond(
            EditorState.is_new & EditorState.editor_ready,
            rx.el.details(
                rx.el.summary(tr("Something to write about"), cursor="pointer", font_weight="500"),
                rx.box(prompt_links(), padding_top="0.75em"),
                width="100%",
            ),
        ),
        # Named once the state is this URL's item: until then the state may be another
        # item's (a walk-through saw "New entry" on the way to Edit), so the page's name.
        heading=EditorGate.create(  # type: ignore[arg-type]
            rx.fragment(rx.cond(EditorState.is_new, tr("New entry"), tr("Edit entry"))),
            rx.fragment(tr("Write")),
            entry_id=EditorState.entry_id,
            ready=EditorState.editor_ready,
        ),
        says_offline=False,  # the draft status says it, about the words on screen
        signed_out=unsent_words(),
    )
