"""Draw the app's icons once (committed in assets/): `.venv/bin/python scripts/make_icons.py`.

The mark is the teal disc of assets/icon-192.png with a white open book; the maskable
icon fills its square with teal and keeps the mark inside the central 80 % safe zone
that Android's masks may crop to. Pillow comes with reportlab (the summary PDF).
"""

from pathlib import Path

from PIL import Image, ImageDraw

ASSETS = Path(__file__).resolve().parent.parent / "assets"
TEAL = (13, 148, 136, 255)  # #0d9488, the theme colour
WHITE = (255, 255, 255, 255)
SCALE = 4  # drawn larger, then downsampled: smooth edges


def _book(draw: ImageDraw.ImageDraw, size: int, box: float) -> None:
    """A white open book centred in a square of `box` × size."""
    c, w = size / 2, size * box
    top, bottom = c - w * 0.22, c + w * 0.24
    stroke = max(2, round(w * 0.035))
    for side in (-1, 1):
        outer = c + side * w * 0.34
        page = [(c, top + w * 0.04), (outer, top), (outer, bottom - w * 0.04), (c, bottom)]
        draw.polygon(page, fill=WHITE)
    draw.line([(c, top + w * 0.04), (c, bottom)], fill=TEAL, width=stroke)


def icon(size: int, *, maskable: bool = False, disc: bool = True) -> Image.Image:
    big = size * SCALE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if maskable or not disc:
        draw.rectangle([0, 0, big, big], fill=TEAL)
    else:
        draw.ellipse([0, 0, big - 1, big - 1], fill=TEAL)
    _book(draw, big, 0.8 * 0.8 if maskable else 0.8)
    return image.resize((size, size), Image.Resampling.LANCZOS)


if __name__ == "__main__":
    icon(192).save(ASSETS / "icon-192.png", optimize=True)
    icon(512).save(ASSETS / "icon-512.png", optimize=True)
    icon(512, maskable=True).save(ASSETS / "icon-maskable-512.png", optimize=True)
    # iOS draws its own rounded corners and shows transparency as black: a full square.
    icon(180, disc=False).convert("RGB").save(ASSETS / "apple-touch-icon.png", optimize=True)
