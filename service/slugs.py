"""Slugs: the short part of a plaque's URL (DESIGN.md, "Short URL").

Generated slugs use Crockford's base-32 digits, which leave out I, L, O and U
so that a slug read off a plaque cannot be mistyped as another. Custom slugs
use ``A-Z 0-9 -``. Both are case-insensitive and kept in upper case.
"""

import re
import secrets

from .errors import InvalidSlug

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
MIN_LENGTH = 3
MAX_LENGTH = 32

_CUSTOM = re.compile(r"[A-Z0-9-]{3,32}")


def generate(length: int = 6) -> str:
    """A random slug of Crockford base-32 digits."""
    return "".join(secrets.choice(CROCKFORD) for _ in range(length))


def normalize(slug: str) -> str:
    """The canonical (upper-case) form of a custom or generated slug.

    Raises :class:`InvalidSlug` with the rule that the slug breaks.
    """
    text = slug.strip().upper()
    if not MIN_LENGTH <= len(text) <= MAX_LENGTH:
        raise InvalidSlug(
            f"slug {slug[:40]!r} must be {MIN_LENGTH} to {MAX_LENGTH} characters long"
        )
    if not _CUSTOM.fullmatch(text):
        raise InvalidSlug(
            f"slug {slug[:40]!r} may contain only letters A-Z, digits and '-'"
        )
    if text.startswith("-") or text.endswith("-"):
        raise InvalidSlug(f"slug {slug!r} may not start or end with '-'")
    return text


def looks_like_slug(text: str) -> bool:
    """True when a request path could be a slug (cheap, no exception)."""
    return _CUSTOM.fullmatch(text.upper()) is not None
