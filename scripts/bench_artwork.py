"""The damage benchmark of issue 4: our plaque symbol against a typical default.

Method. For N random six-digit Crockford slugs on one base URL the script
draws two symbols:

- ours: the short URL in upper case (alphanumeric mode), level H, quiet zone
  of 4 modules, black on white, as ``service.artwork.make_symbol`` builds it;
- typical: the lower-case URL made with the ``qrcode`` library's defaults
  (``qrcode.make(url)``: level M, box size 10, border 4).

Fairness. Both symbols, each with its own quiet zone, are scaled with nearest
neighbour into the same 600 x 600 px image: the same physical size on the
plaque. Each damage is drawn from a random generator seeded by (seed, kind,
strength, code), so both symbols of a code get exactly the same blur, angle,
scratch or patch, placed relative to the symbol's own dark area. A decode
counts only when zxing-cpp returns the expected text exactly (upper case for
ours, lower case for the typical default). Nothing is tuned per renderer.

Usage: ``python scripts/bench_artwork.py [--codes N] [--seed S] [--markdown]
[--json FILE] [--check]``; ``--check`` exits 1 if ours decodes less often
than the typical default under any kind of damage (summed over strengths).
"""

import argparse
import json
import sys
import time
from collections.abc import Callable
from typing import NamedTuple

import cv2
import numpy as np
import qrcode
import segno
import zxingcpp
from PIL import Image

BASE_URL = "https://q.baliprov.go.id"
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
SIZE = 600  # px: the same printed size for both symbols
DARK, LIGHT = 0, 255

try:
    from service.artwork import make_symbol
except ImportError:  # the artwork module is not there yet: same settings

    def make_symbol(text: str, error: str = "H") -> segno.QRCode:
        """Our symbol: smallest version, no error boost, never a Micro QR."""
        return segno.make(text, error=error.lower(), boost_error=False, micro=False)


def fit(image: Image.Image) -> np.ndarray:
    """A symbol image (quiet zone included) scaled into SIZE x SIZE grey pixels."""
    return np.asarray(image.convert("L").resize((SIZE, SIZE), Image.NEAREST))


def ours(slug: str) -> tuple[str, np.ndarray]:
    """Our plaque symbol: the upper-case short URL at level H, quiet zone 4."""
    text = f"{BASE_URL}/{slug}".upper()
    rows = list(make_symbol(text, error="H").matrix_iter(scale=1, border=4))
    pixels = np.where(np.array(rows, dtype=bool), DARK, LIGHT).astype(np.uint8)
    return text, fit(Image.fromarray(pixels))


def typical(slug: str) -> tuple[str, np.ndarray]:
    """What a typical user makes: the lower-case URL, ``qrcode`` defaults."""
    text = f"{BASE_URL}/{slug}".lower()
    return text, fit(qrcode.make(text).get_image())


RENDERERS = {"ours": ours, "typical": typical}

# every damage function: (grey image, symbol box (x0, y0, x1, y1), strength,
# random generator) -> damaged grey image


def none(img, box, strength, rng):
    """No damage: the baseline, which both must decode every time."""
    return img


def blur(img, box, sigma, rng):
    """Gaussian blur of sigma px (a module is about 16 px)."""
    return cv2.GaussianBlur(img, (0, 0), sigma)


def rotation(img, box, angle, rng):
    """Rotation by +/- angle degrees, corners filled white, bilinear."""
    angle *= rng.choice((-1, 1))
    turned = Image.fromarray(img).rotate(
        angle, resample=Image.BILINEAR, expand=True, fillcolor=LIGHT
    )
    return np.asarray(turned)


def perspective(img, box, shrink, rng):
    """Keystone: one random edge shrunk to (1 - shrink) of its length."""
    w = img.shape[1]
    corners = np.float32([[0, 0], [w, 0], [w, w], [0, w]])
    side = int(rng.integers(4))  # top, right, bottom or left edge
    moved = corners.copy()
    a, b = side, (side + 1) % 4
    inward = (corners[b] - corners[a]) * shrink / 2
    moved[a] += inward
    moved[b] -= inward
    matrix = cv2.getPerspectiveTransform(corners, moved)
    return cv2.warpPerspective(img, matrix, (w, w), borderValue=LIGHT)


def noise(img, box, sigma, rng):
    """Additive Gaussian noise of sigma grey levels on every pixel."""
    noisy = img + rng.normal(0, sigma, img.shape)
    return np.clip(noisy, 0, 255).astype(np.uint8)


def scratch(img, box, width, rng):
    """A dark or light line, width % of the symbol wide, through the symbol."""
    x0, y0, x1, y1 = box
    centre = rng.uniform((x0, y0), (x1, y1))
    theta = rng.uniform(0, np.pi)
    reach = 2 * img.shape[0] * np.array([np.cos(theta), np.sin(theta)])
    start, end = (centre - reach).astype(int), (centre + reach).astype(int)
    thickness = max(1, round(width / 100 * (x1 - x0)))
    colour = int(rng.choice((DARK, LIGHT)))
    return cv2.line(img.copy(), tuple(start), tuple(end), colour, thickness)


def patch(img, box, area, rng):
    """A dark or light square of area % of the symbol, anywhere inside it."""
    x0, y0, x1, y1 = box
    side = round(np.sqrt(area / 100) * (x1 - x0))
    x = int(rng.integers(x0, x1 - side + 1))
    y = int(rng.integers(y0, y1 - side + 1))
    damaged = img.copy()
    damaged[y : y + side, x : x + side] = rng.choice((DARK, LIGHT))
    return damaged


def contrast(img, box, percent, rng):
    """Dark lightened toward light, leaving percent % contrast, camera noise."""
    faded = LIGHT - (LIGHT - img.astype(float)) * percent / 100
    # a camera adds noise: without it any contrast above one grey level reads
    return noise(faded, box, 4, rng)


def small(img, box, width, rng):
    """Printed small: the whole image area-averaged to width px, then back up."""
    shift = rng.integers(0, SIZE // width + 1, 2)  # where the pixel grid falls
    moved = np.pad(img, ((shift[0], 0), (shift[1], 0)), constant_values=LIGHT)
    tiny = cv2.resize(moved[:SIZE, :SIZE], (width, width), interpolation=cv2.INTER_AREA)
    return cv2.resize(tiny, (SIZE, SIZE), interpolation=cv2.INTER_NEAREST)


class Damage(NamedTuple):
    function: Callable
    strengths: tuple
    unit: str


DAMAGES = {
    "none": Damage(none, (0,), ""),
    "blur": Damage(blur, (9, 9.5, 10, 11), "sigma px"),
    "rotation": Damage(rotation, (10, 30, 45, 80), "degrees"),
    "perspective": Damage(perspective, (0.6, 0.75, 0.8, 0.85), "edge shrink"),
    "noise": Damage(noise, (100, 120, 140, 160), "sigma grey"),
    "scratch": Damage(scratch, (4, 8, 12, 16), "% width"),
    "patch": Damage(patch, (5, 10, 15, 20), "% area"),
    "contrast": Damage(contrast, (10, 8, 7.5, 7), "% left"),
    "small": Damage(small, (60, 50, 45, 40), "px wide"),
}


def slugs(count: int, seed: int) -> list[str]:
    """Count random six-digit Crockford slugs, the same for the same seed."""
    rng = np.random.default_rng(seed)
    return ["".join(rng.choice(list(CROCKFORD), 6)) for _ in range(count)]


def symbol_box(img: np.ndarray) -> tuple[int, int, int, int]:
    """The bounding box (x0, y0, x1, y1) of the symbol's dark modules."""
    ys, xs = np.nonzero(img < 128)
    return xs.min(), ys.min(), xs.max() + 1, ys.max() + 1


def decodes(img: np.ndarray, text: str) -> bool:
    """Whether zxing-cpp reads exactly text from the image."""
    found = zxingcpp.read_barcodes(img, formats=zxingcpp.BarcodeFormat.QRCode)
    return any(barcode.text == text for barcode in found)


def run(count: int, seed: int) -> list[dict]:
    """Decode rates per renderer for every kind and strength of damage."""
    symbols = {
        name: [render(slug) for slug in slugs(count, seed)]
        for name, render in RENDERERS.items()
    }
    rows = []
    for k, (kind, damage) in enumerate(DAMAGES.items()):
        for s, strength in enumerate(damage.strengths):
            row = {"kind": kind, "strength": strength, "unit": damage.unit}
            for name, drawn in symbols.items():
                read = 0
                for c, (text, img) in enumerate(drawn):
                    # the same generator state for both renderers: same damage
                    rng = np.random.default_rng([seed, k, s, c])
                    damaged = damage.function(img, symbol_box(img), strength, rng)
                    read += decodes(damaged, text)
                row[name] = read / count
            rows.append(row)
    return rows


def losing_kinds(rows: list[dict]) -> list[str]:
    """The kinds where ours decodes less often than typical, over all strengths."""
    totals: dict[str, list[float]] = {}
    for row in rows:
        total = totals.setdefault(row["kind"], [0.0, 0.0])
        total[0] += row["ours"]
        total[1] += row["typical"]
    return [kind for kind, (our, their) in totals.items() if our < their]


def table(rows: list[dict], markdown: bool) -> str:
    """The decode-rate table, plain or Markdown."""
    head = ("damage", "strength", "ours", "typical")
    cells = [
        (
            row["kind"],
            f"{row['strength']:g} {row['unit']}".strip(),
            f"{row['ours']:.0%}",
            f"{row['typical']:.0%}",
        )
        for row in rows
    ]
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "| --- | --- | ---: | ---: |"]
        lines += ["| " + " | ".join(cell) + " |" for cell in cells]
        return "\n".join(lines)
    widths = [max(len(line[i]) for line in [head, *cells]) for i in range(4)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True))
        for line in [head, *cells]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codes", type=int, default=100, help="sample codes")
    parser.add_argument("--seed", type=int, default=4, help="random seed")
    parser.add_argument("--markdown", action="store_true", help="Markdown table")
    parser.add_argument("--json", metavar="FILE", help="also write the rows here")
    parser.add_argument("--check", action="store_true", help="exit 1 if ours loses")
    args = parser.parse_args()

    started = time.monotonic()
    rows = run(args.codes, args.seed)
    elapsed = time.monotonic() - started
    losing = losing_kinds(rows)

    print(table(rows, args.markdown))
    print()
    print(f"{args.codes} codes, seed {args.seed}, {elapsed:.0f} s")
    if losing:
        print("ours is less readable than typical under: " + ", ".join(losing))
    else:
        print("ours >= typical under every kind of damage")
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"codes": args.codes, "seed": args.seed, "rows": rows}, out)
    return 1 if args.check and losing else 0


if __name__ == "__main__":
    sys.exit(main())
