"""The one translation function every user-visible string goes through.

English is the source language; Canadian French arrives as a second catalogue with
the same keys (the English text). A missing translation falls back to English.
"""

from __future__ import annotations

from betterjournal.settings import get_settings

CATALOGUES: dict[str, dict[str, str]] = {"en": {}}


def t(message: str, **values: object) -> str:
    """Translate `message` into the deployment's language, then fill `{named}` values."""
    text = CATALOGUES.get(get_settings().locale, {}).get(message, message)
    return text.format(**values) if values else text
