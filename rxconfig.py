"""Reflex configuration. Every choice here closes one of the framework's open defaults."""

import os

import reflex as rx
from reflex.plugins.sitemap import SitemapPlugin

from betterjournal.page_loading import LoadOrder
from betterjournal.settings import get_settings
from betterjournal.theme import radix_theme

settings = get_settings()

# The largest websocket message a tab may send (Reflex passes it to Socket.IO as
# max_http_buffer_size; a bigger one closes the connection). Our largest events carry one
# entry body (50,000 characters, at most 4 bytes each in UTF-8), possibly twice (a form
# sends its inputs by name and by id): 512 KiB holds that; Reflex's default is 1 MB.
os.environ.setdefault("REFLEX_SOCKET_MAX_HTTP_BUFFER_SIZE", str(512 * 1024))

config = rx.Config(
    app_name="betterjournal",
    telemetry_enabled=False,  # the app talks to no third party
    frontend_port=settings.port,
    backend_port=settings.port,
    deploy_url=settings.public_url,
    api_url=settings.public_url,
    cors_allowed_origins=list(settings.allowed_origins),  # never "*": keeps the Origin check
    state_manager_mode=rx.constants.StateManagerMode.MEMORY,  # decrypted text never on disk
    show_built_with_reflex=False,
    disable_plugins=[SitemapPlugin],  # private app: nothing to index
    # Only the colour scales and components the app uses (theme.py); scripts after styles.
    plugins=[radix_theme(), LoadOrder()],
    # Build files are sent as brotli where the browser takes it (the journal's first load: 242
    # KB instead of 274 as gzip); pages as gzip, which SecurityHeaders reads back (api.py).
    frontend_compression_formats=["brotli", "gzip"],
    default_color_mode="system",  # follows the phone (dark at 11 pm if it is); a choice in Settings
    trusted_proxy_hops=1 if settings.trust_proxy else 0,
    # A disconnected tab's state (decrypted text) leaves server memory after the client idle timeout.
    redis_token_expiration=int(settings.client_idle.total_seconds()),
)
