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

# paths of the service itself: a code may not shadow them
RESERVED = frozenset(
    {"ADMIN", "API", "DASHBOARD", "HEALTHZ", "READYZ", "METRICS", "STATIC", "LOGIN",
     "LOGOUT", "ROBOTS", "FAVICON"}
)  # fmt: skip


def generate(length: int = 6) -> str:
    """A random slug of Crockford base-32 digits (never a reserved word)."""
    while True:
        slug = "".join(secrets.choice(CROCKFORD) for _ in range(length))
        if slug not in RESERVED:
            return slug


def normalize(slug: str) -> str:
    """The canonical (upper-case) form of a custom or generated slug.

    Raises :class:`InvalidSlug` with the rule that the slug breaks.
    """
    if not slug.isascii():
        # upper-casing Unicode makes ASCII of some letters (ß -> SS): refuse first
        raise InvalidSlug(
            f"slug {slug[:40]!r} may contain only letters A-Z, digits and '-'"
        )
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
    if text in RESERVED:
        raise InvalidSlug(
            f"slug {text} is a path of the service itself; choose another"
        )
    return text


def looks_like_slug(text: str) -> bool:
    """True when a request path could be a slug (cheap, no exception)."""
    return _CUSTOM.fullmatch(text.upper()) is not None
