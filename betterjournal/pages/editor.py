"""The editor page: write or edit one entry, autosaved as a draft while typing."""

from __future__ import annotations

import reflex as rx

from betterjournal.components.entries import loading
from betterjournal.components.layout import labelled_field, page_shell
from betterjournal.core.validation import BODY_MAX, TITLE_MAX
from betterjournal.i18n import t
from betterjournal.state.editor import EditorState


def write_page() -> rx.Component:
    return page_shell(
        rx.cond(
            EditorState.editor_ready,
            rx.form(
                labelled_field(
                    t("Title (optional)"),
                    rx.input(
                        id="title",
                        name="title",
                        value=EditorState.title,
                        on_change=EditorState.edit_title.debounce(600),  # type: ignore[attr-defined]
                        max_length=TITLE_MAX,
                        size="3",
                        width="100%",
                    ),
                ),
                labelled_field(
                    t("Your entry"),
                    rx.text_area(
                        id="body",
                        name="body",
                        value=EditorState.body,
                        on_change=EditorState.edit_body.debounce(800),  # type: ignore[attr-defined]
                        min_height="14em",
                        size="3",
                        width="100%",
                        auto_focus=True,
                    ),
                    hint=t(
                        "Saved as a draft while you type. Up to {limit} characters.", limit=f"{BODY_MAX:,}"
                    ),
                ),
                rx.text(EditorState.draft_status, size="1", color_scheme="gray", role="status"),
                rx.hstack(
                    rx.button(
                        t("Save entry"),
                        type="submit",
                        size="3",
                    ),
                    rx.cond(
                        EditorState.is_new,
                        rx.button(
                            t("Discard draft"),
                            type="button",
                            variant="soft",
                            color_scheme="gray",
                            size="3",
                            on_click=EditorState.discard_draft,
                        ),
                    ),
                    spacing="3",
                    wrap="wrap",
                ),
                rx.text(
                    t("New entries are private. You choose what to share, one entry at a time."),
                    size="1",
                    color_scheme="gray",
                ),
                on_submit=EditorState.save_entry,
                display="flex",
                flex_direction="column",
                gap="0.75em",
                width="100%",
            ),
            loading(t("Opening the editor")),
        ),
        heading=rx.cond(EditorState.is_new, t("New entry"), t("Edit entry")),  # type: ignore[arg-type]
    )
