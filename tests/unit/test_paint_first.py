"""A page as served: its scripts load after its first paint (betterjournal/paint_first.py),
and the CSP still allows exactly its own inline scripts."""

from __future__ import annotations

import asyncio
import base64
import gzip
import hashlib

from betterjournal.api import SecurityHeaders
from betterjournal.paint_first import paint_first

START = (
    'import "/assets/manifest-1.js";\nimport * as route0 from "/assets/root-2.js";\n'
    'import("/assets/entry.client-3.js");'
)
# The shape React Router prerenders (trimmed): preloads in the head, the start at the end.
BUILT = (
    '<!DOCTYPE html><html lang="en"><head><meta charSet="utf-8"/>'
    '<link rel="modulepreload" href="/assets/manifest-1.js"/>'
    '<link rel="modulepreload" href="/assets/entry.client-3.js"/>'
    '<link rel="modulepreload" href="/assets/root-2.js"/>'
    '<link href="/assets/styles-4.css" rel="stylesheet" type="text/css"/></head>'
    f'<body><main><h1>Sign in</h1></main><script type="module" async="">{START}</script></body></html>'
).encode()


def test_the_head_loads_no_script_and_the_app_starts_after_the_first_paint() -> None:
    served = paint_first(BUILT).decode()
    head, body = served.split("</head>")
    assert "modulepreload" not in head and "<script" not in head
    assert '<link href="/assets/styles-4.css" rel="stylesheet"' in head
    assert "<main><h1>Sign in</h1></main>" in body  # the prerendered page, unchanged
    # The start is kept, word for word, but inert until the boot script adds it again...
    assert f'<script type="text/x-app-start" id="app-start">{START}</script>' in body
    assert 'type="module"' not in body.replace('app.type = "module"', "")
    # ...after two frames, with every script preloaded in parallel as before.
    boot = body.split("</script>")[-2]
    assert "requestAnimationFrame(function () { requestAnimationFrame(" in boot
    assert '["/assets/manifest-1.js", "/assets/entry.client-3.js", "/assets/root-2.js"]' in boot


def test_a_page_of_another_shape_is_served_unchanged() -> None:
    assert paint_first(b"<html><body>offline</body></html>") == b"<html><body>offline</body></html>"
    no_start = BUILT.replace(b'<script type="module" async="">', b"<script>")
    assert paint_first(no_start) == no_start
    two_starts = BUILT.replace(b"</main>", b'</main><script type="module" async="">x</script>')
    assert paint_first(two_starts) == two_starts


def _served(body: bytes, *, gzipped: bool) -> tuple[list[tuple[bytes, bytes]], bytes]:
    async def page(scope, receive, send) -> None:
        headers = [(b"content-type", b"text/html"), (b"content-length", str(len(body)).encode())]
        if gzipped:
            headers.append((b"content-encoding", b"gzip"))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    sent: list[dict] = []

    async def send(message) -> None:
        sent.append(message)

    async def receive() -> dict:
        return {"type": "http.request"}

    asyncio.run(SecurityHeaders(page)({"type": "http", "path": "/signin/", "headers": []}, receive, send))
    return sent[0]["headers"], sent[1]["body"]


def test_the_served_page_is_the_transformed_one_and_its_csp_allows_the_start_when_added_again() -> None:
    for gzipped in (False, True):
        headers, body = _served(gzip.compress(BUILT) if gzipped else BUILT, gzipped=gzipped)
        html = gzip.decompress(body) if gzipped else body
        assert html == paint_first(BUILT)
        fields = dict(headers)
        assert fields[b"content-length"] == str(len(body)).encode()
        policy = fields[b"content-security-policy"].decode()
        script_src = policy.split("script-src ", 1)[1].split(";")[0]
        digest = base64.b64encode(hashlib.sha256(START.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in script_src.split()
        assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
