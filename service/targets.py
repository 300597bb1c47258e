"""Targets: the URLs a code may send guests to (DESIGN.md, "Targets").

Only ``http`` and ``https``, with a real host, no user-info and no control
characters, at most 2,048 characters, and inside the operator's allow-list
when one is set. This is what keeps the office's short domain from being
borrowed for phishing.

A code may also target its own landing page (issue 7): the literal
:data:`LANDING`, which no URL can be mistaken for.
"""

import re
from urllib.parse import urlsplit

from .errors import InvalidTarget

# a code whose target is this word answers with its own landing page
LANDING = "landing"
MAX_LENGTH = 2048
# characters a Location header may carry as they are; others are percent-encoded
LOCATION_SAFE = "".join(chr(c) for c in range(0x21, 0x7F))
MAX_HOST_LENGTH = 253

# a host name of ASCII labels (RFC 1123), or an IPv4 address; Unicode hosts
# must be written in their punycode (xn--) form so that look-alike letters
# cannot hide a different site
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
_CONTROL = re.compile(r"[\x00-\x20\x7f-\x9f]")


def validate(target: str, allowed_hosts: tuple[str, ...] = ()) -> str:
    """Return ``target`` unchanged if a code may point there: a URL or the landing page.

    Raises :class:`InvalidTarget` with the rule the target breaks.
    """
    if target == LANDING:
        return target
    return validate_url(target, allowed_hosts)


def describe(target: str) -> str:
    """A target as people read it: the URL, or 'landing page'."""
    return "landing page" if target == LANDING else target


def validate_url(target: str, allowed_hosts: tuple[str, ...] = ()) -> str:
    """Return ``target`` unchanged if it is a URL guests may be sent to.

    Raises :class:`InvalidTarget` with the rule the target breaks.
    """
    shown = target[:60] + ("…" if len(target) > 60 else "")
    if not target:
        raise InvalidTarget("target is empty; give a full http:// or https:// URL")
    if len(target) > MAX_LENGTH:
        raise InvalidTarget(f"target is longer than {MAX_LENGTH} characters")
    if _CONTROL.search(target):
        raise InvalidTarget(
            f"target {shown!r} contains spaces or control characters; "
            "percent-encode them"
        )

    try:
        parts = urlsplit(target)
    except ValueError as exc:  # e.g. an unclosed [ or a look-alike of '@'
        raise InvalidTarget(f"target {shown!r} is not a valid URL: {exc}") from None
    if not parts.netloc.isascii():
        # checked before hostname lower-cases it: the Kelvin sign becomes 'k'
        raise InvalidTarget(
            f"target {shown!r} has non-ASCII letters in its host; write it in its "
            "xn-- form"
        )
    if parts.scheme.lower() not in ("http", "https"):
        raise InvalidTarget(f"target {shown!r} must start with http:// or https://")
    if "@" in parts.netloc:
        raise InvalidTarget(f"target {shown!r} may not carry a user name or password")
    try:
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise InvalidTarget(f"target {shown!r} has a bad port") from None
    _check_host(host, shown)
    if allowed_hosts and not host_allowed(host, allowed_hosts):
        raise InvalidTarget(
            f"host {host} is not in CIBERQ_ALLOWED_TARGET_HOSTS; "
            "ask an operator to allow it"
        )
    return target


def _check_host(host: str, shown: str) -> None:
    if not host:
        raise InvalidTarget(f"target {shown!r} has no host")
    if len(host) > MAX_HOST_LENGTH:
        raise InvalidTarget(f"host of target {shown!r} is longer than 253 characters")
    if not host.isascii():
        raise InvalidTarget(
            f"host {host[:60]!r} has non-ASCII letters; write it in its xn-- form"
        )
    if host.startswith("[") or ":" in host:
        return  # an IPv6 literal, already parsed by urlsplit
    labels = host.rstrip(".").split(".")
    if not all(_LABEL.fullmatch(label) for label in labels):
        raise InvalidTarget(f"host {host[:60]!r} is not a valid host name")


def host_allowed(host: str, allowed_hosts: tuple[str, ...]) -> bool:
    """True when ``host`` is listed, or falls under a listed ``*.domain``."""
    host = host.lower().rstrip(".")
    for allowed in allowed_hosts:
        if allowed.startswith("*."):
            domain = allowed[2:]
            if host == domain or host.endswith("." + domain):
                return True
        elif host == allowed:
            return True
    return False
