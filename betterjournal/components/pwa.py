"""The installable app's pieces on every page: head links, the new-version notice, and
the install button of the install page (assets/pwa.jsx registers the service worker)."""

from __future__ import annotations

import reflex as rx

from betterjournal import pwa, routes
from betterjournal.i18n import LANGUAGES, N_, Reader

PWA_MODULE = "$/public/pwa.jsx"
NEW_VERSION = N_("A new version is ready — reload")


class NewVersionNotice(rx.Component):
    """ "A new version is ready — reload" while a new service worker waits.

    It lives in the app's wrap, outside every page and its state, so it takes its words
    in every language and shows the page's own (<html lang>)."""

    library = PWA_MODULE
    tag = "NewVersionNotice"

    texts: rx.Var[dict[str, str]]


class InstallButton(rx.Component):
    """Its child while the browser offers to install the app (beforeinstallprompt)."""

    library = PWA_MODULE
    tag = "InstallButton"

    installed_text: rx.Var[str]


def head() -> list[rx.Component]:
    """The manifest (fetched with the language cookie), theme colour and home-screen icon."""
    return [
        rx.el.link(rel="manifest", href=routes.MANIFEST, cross_origin="use-credentials"),
        rx.el.meta(name="theme-color", content=pwa.THEME_COLOUR),
        rx.el.link(rel="apple-touch-icon", href=pwa.APPLE_TOUCH_ICON, sizes="180x180"),
    ]


def new_version_notice() -> rx.Component:
    return rx.fragment(
        NewVersionNotice.create(texts={language: Reader(language).t(NEW_VERSION) for language in LANGUAGES})
    )
