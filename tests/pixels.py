"""Where the ink is in a screenshot (Pillow): for what the DOM cannot tell (a list's ::marker)."""

from __future__ import annotations

import io

from PIL import Image, ImageChops


def ink_box(png: bytes, threshold: int = 170) -> tuple[int, int, int, int] | None:
    """(left, top, right, bottom) of the dark pixels (text) in a screenshot; None if blank.

    A pixel is ink when its darkest channel is below `threshold`."""
    red, green, blue = Image.open(io.BytesIO(png)).convert("RGB").split()
    darkest = ImageChops.darker(ImageChops.darker(red, green), blue)
    return Image.eval(darkest, lambda v: 255 if v < threshold else 0).getbbox()
