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

Verdict. Near a decoder's limit a single draw of noise decides whether a
symbol reads, so a few points of difference between two rates can be chance.
Each code can be damaged ``--trials`` times with independent draws, and every
pair of decodes (ours and typical under the same damage) is compared: the
pairs where exactly one of the two read are the only evidence. Per kind,
summed over strengths, an exact one-sided sign test on those pairs (McNemar's
test) gives the chance of seeing ours behind at least this often if both were
equally readable. A kind is "behind" only when that chance is under 5 %,
"ahead" likewise the other way round, and a "tie" otherwise.

Usage: ``python scripts/bench_artwork.py [--codes N] [--trials T] [--seed S]
[--kinds blur,contrast,...] [--markdown] [--json FILE] [--check] [--by-mask]``;
``--check`` exits 1 if ours is behind (as above) under any kind of damage;
``--by-mask`` measures instead our symbol under each of the eight mask patterns
(the one choice the artwork has left once text, level and version are fixed),
on the same draws.
"""

import argparse
import json
import math
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


def _drawn(symbol: segno.QRCode) -> np.ndarray:
    """A segno symbol with its quiet zone of 4, black on white, fitted."""
    rows = list(symbol.matrix_iter(scale=1, border=4))
    pixels = np.where(np.array(rows, dtype=bool), DARK, LIGHT).astype(np.uint8)
    return fit(Image.fromarray(pixels))


def ours(slug: str) -> tuple[str, np.ndarray]:
    """Our plaque symbol: the upper-case short URL at level H, quiet zone 4."""
    text = f"{BASE_URL}/{slug}".upper()
    return text, _drawn(make_symbol(text, error="H"))


def typical(slug: str) -> tuple[str, np.ndarray]:
    """What a typical user makes: the lower-case URL, ``qrcode`` defaults."""
    text = f"{BASE_URL}/{slug}".lower()
    return text, fit(qrcode.make(text).get_image())


RENDERERS = {"ours": ours, "typical": typical}


def masked(mask: int) -> Callable:
    """Our symbol with QR mask pattern ``mask`` forced (ISO/IEC 18004, 7.8.2)."""

    def render(slug: str) -> tuple[str, np.ndarray]:
        text = f"{BASE_URL}/{slug}".upper()
        symbol = segno.make_qr(text, error="H", boost_error=False, mask=mask)
        return text, _drawn(symbol)

    return render


# --by-mask: does the one choice left to the artwork, the mask, change a rate?
MASKS = {f"mask {mask}": masked(mask) for mask in range(8)}

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


def draw_seed(seed: int, kind: int, strength: int, code: int, trial: int) -> list:
    """The damage generator's seed; trial 0 keeps the single-draw runs' seeds."""
    return [seed, kind, strength, code] + ([trial] if trial else [])


def run(
    count: int,
    seed: int,
    trials: int = 1,
    kinds: tuple[str, ...] = tuple(DAMAGES),
    renderers: dict[str, Callable] = RENDERERS,
) -> list[dict]:
    """Decode rates per renderer, and the discordant pairs of ours and typical,
    per kind and strength."""
    symbols = {
        name: [render(slug) for slug in slugs(count, seed)]
        for name, render in renderers.items()
    }
    paired = {"ours", "typical"} <= set(renderers)
    rows = []
    for k, (kind, damage) in enumerate(DAMAGES.items()):
        if kind not in kinds:
            continue  # k still counts it: the other kinds keep their seeds
        for s, strength in enumerate(damage.strengths):
            read = dict.fromkeys(renderers, 0)
            only = {"ours": 0, "typical": 0}  # pairs where only this one read
            for c in range(count):
                for t in range(trials):
                    got = {}
                    for name, drawn in symbols.items():
                        text, img = drawn[c]
                        # the same generator state for every renderer: same damage
                        rng = np.random.default_rng(draw_seed(seed, k, s, c, t))
                        damaged = damage.function(img, symbol_box(img), strength, rng)
                        got[name] = decodes(damaged, text)
                        read[name] += got[name]
                    if paired and got["ours"] != got["typical"]:
                        only["ours" if got["ours"] else "typical"] += 1
            row = {"kind": kind, "strength": strength, "unit": damage.unit}
            row |= {name: read[name] / (count * trials) for name in renderers}
            if paired:
                row |= {"only_ours": only["ours"], "only_typical": only["typical"]}
            rows.append(row)
    return rows


def difference(row: dict, pairs: int) -> tuple[float, float]:
    """Ours minus typical decode rate of a row, and the half-width of its 95 %
    confidence interval, from the paired counts (Wald interval for the
    difference of two paired proportions)."""
    wins, losses = row["only_ours"], row["only_typical"]
    spread = wins + losses - (wins - losses) ** 2 / pairs
    return (wins - losses) / pairs, 1.96 * math.sqrt(max(spread, 0)) / pairs


def sign_test(wins: int, losses: int) -> float:
    """One-sided exact sign test: P(at least `losses` of the discordant pairs
    go against ours) if each went either way with even odds."""
    pairs = wins + losses
    if not pairs:
        return 1.0
    return sum(math.comb(pairs, i) for i in range(losses, pairs + 1)) / 2**pairs


def verdicts(rows: list[dict], level: float = 0.05) -> dict[str, tuple[str, float]]:
    """Per kind: "behind", "ahead" or "tie", with the one-sided p of behind."""
    pairs: dict[str, list[int]] = {}
    for row in rows:
        counts = pairs.setdefault(row["kind"], [0, 0])
        counts[0] += row["only_ours"]
        counts[1] += row["only_typical"]
    result = {}
    for kind, (wins, losses) in pairs.items():
        behind, ahead = sign_test(wins, losses), sign_test(losses, wins)
        verdict = "behind" if behind < level else "ahead" if ahead < level else "tie"
        result[kind] = (verdict, behind)
    return result


def losing_kinds(rows: list[dict]) -> list[str]:
    """The kinds where ours is behind beyond chance (see the module's docstring)."""
    return [kind for kind, (said, _) in verdicts(rows).items() if said == "behind"]


def _layout(head: tuple, cells: list[tuple], markdown: bool, right: int) -> str:
    """Rows of cells as a Markdown table or aligned text; columns from right on
    are numbers."""
    if markdown:
        rule = ["---"] * right + ["---:"] * (len(head) - right)
        lines = [head, rule, *cells]
        return "\n".join("| " + " | ".join(line) + " |" for line in lines)
    widths = [max(len(line[i]) for line in [head, *cells]) for i in range(len(head))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True))
        for line in [head, *cells]
    )


def table(rows: list[dict], pairs: int, markdown: bool) -> str:
    """The decode-rate table, with the pairs where only one of the two read and
    the difference in points with its 95 % interval."""
    head = (
        "damage",
        "strength",
        "ours",
        "typical",
        "only ours",
        "only typical",
        "ours - typical",
    )
    cells = []
    for row in rows:
        shift, margin = difference(row, pairs)
        cells.append(
            (
                row["kind"],
                f"{row['strength']:g} {row['unit']}".strip(),
                f"{row['ours']:.1%}",
                f"{row['typical']:.1%}",
                str(row["only_ours"]),
                str(row["only_typical"]),
                f"{shift * 100:+.1f} ± {margin * 100:.1f}"
                if row["only_ours"] or row["only_typical"]
                else "0",
            )
        )
    return _layout(head, cells, markdown, right=2)


def mask_table(rows: list[dict], markdown: bool) -> str:
    """Our decode rate under each forced mask, per kind and strength."""
    head = ("damage", "strength", *MASKS)
    cells = [
        (
            row["kind"],
            f"{row['strength']:g} {row['unit']}".strip(),
            *(f"{row[name]:.1%}" for name in MASKS),
        )
        for row in rows
    ]
    return _layout(head, cells, markdown, right=2)


def verdict_table(rows: list[dict], markdown: bool) -> str:
    """Per kind of damage: the verdict and the one-sided p of ours behind."""
    head = ("damage", "only ours", "only typical", "p (ours behind)", "verdict")
    cells = []
    for kind, (verdict, p) in verdicts(rows).items():
        wins = sum(row["only_ours"] for row in rows if row["kind"] == kind)
        losses = sum(row["only_typical"] for row in rows if row["kind"] == kind)
        cells.append((kind, str(wins), str(losses), f"{p:.3g}", verdict))
    return _layout(head, cells, markdown, right=1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codes", type=int, default=100, help="sample codes")
    parser.add_argument("--trials", type=int, default=1, help="damage draws a code")
    parser.add_argument(
        "--kinds",
        default=",".join(DAMAGES),
        help="comma-separated kinds of damage to run (default: all)",
    )
    parser.add_argument("--seed", type=int, default=4, help="random seed")
    parser.add_argument("--markdown", action="store_true", help="Markdown table")
    parser.add_argument("--json", metavar="FILE", help="also write the rows here")
    parser.add_argument("--check", action="store_true", help="exit 1 if ours loses")
    parser.add_argument(
        "--by-mask",
        action="store_true",
        help="instead: our rate under each of the 8 masks, on the same draws",
    )
    args = parser.parse_args()

    started = time.monotonic()
    kinds = tuple(kind.strip() for kind in args.kinds.split(",") if kind.strip())
    unknown = [kind for kind in kinds if kind not in DAMAGES]
    if unknown or not kinds:
        parser.error(f"unknown kind of damage {unknown}; known: {', '.join(DAMAGES)}")
    if args.by_mask:
        rows = run(args.codes, args.seed, args.trials, kinds, MASKS)
        print(mask_table(rows, args.markdown))
        print(f"\n{args.codes} codes x {args.trials} draws, seed {args.seed}")
        return 0
    rows = run(args.codes, args.seed, args.trials, kinds)
    elapsed = time.monotonic() - started
    losing = losing_kinds(rows)

    print(table(rows, args.codes * args.trials, args.markdown))
    print()
    print(verdict_table(rows, args.markdown))
    print()
    print(
        f"{args.codes} codes x {args.trials} draws, seed {args.seed}, {elapsed:.0f} s"
    )
    if losing:
        print("ours is behind the typical default under: " + ", ".join(losing))
    else:
        print("ours is not behind the typical default under any kind of damage")
    if args.json:
        with open(args.json, "w") as out:
            report = {"codes": args.codes, "trials": args.trials, "seed": args.seed}
            json.dump(report | {"rows": rows}, out)
    return 1 if args.check and losing else 0


if __name__ == "__main__":
    sys.exit(main())
