"""Properties of slugs and targets (DESIGN.md, "Contracts"), checked by hypothesis.

The parametrized cases in ``test_slugs.py`` and ``test_targets.py`` pin known
inputs; these tests let hypothesis search for inputs that break the rules:
what a slug may look like, and which URLs a code may send guests to.
"""

import re
from urllib.parse import urlsplit

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from service import slugs, targets
from service.errors import InvalidSlug, InvalidTarget

# no example database: every run starts afresh, and a failure prints the input
# to pin with @example
CHEAP = settings(max_examples=200, deadline=None, database=None)
URLS = settings(max_examples=100, deadline=None, database=None)
BROAD = settings(max_examples=300, deadline=None, database=None)

SLUG = re.compile(r"[A-Z0-9-]{3,32}")
CONTROL = re.compile(r"[\x00-\x20\x7f-\x9f]")

valid_slugs = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9-]{1,30}[A-Za-z0-9]", fullmatch=True)
slugish_text = st.one_of(
    st.text(),
    st.from_regex(r"\s{0,2}[A-Za-z0-9_-]{0,34}\s{0,2}", fullmatch=True),
    st.text(st.sampled_from("aZ09-_ \t\nßſıﬃÇＡ\x00"), max_size=36),
)

LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,20}[A-Za-z0-9])?"
SAFE = "ABCXYZabcxyz0129._~!$&'()*+,;=:@%-"

hosts = st.from_regex(rf"{LABEL}(\.{LABEL}){{0,3}}", fullmatch=True)
segments = st.text(st.sampled_from(SAFE), max_size=20)
paths = st.lists(segments.map("/".__add__), max_size=5).map("".join)
queries = st.just("") | segments.map("?".__add__)
fragments = st.just("") | segments.map("#".__add__)
ports = st.none() | st.integers(0, 65535)
control_chars = st.characters(min_codepoint=0x00, max_codepoint=0x20) | (
    st.characters(min_codepoint=0x7F, max_codepoint=0x9F)
)
user_info = st.from_regex(
    r"[a-z0-9._~%-]{0,10}(:[a-z0-9._~%-]{0,10})?@", fullmatch=True
)
other_schemes = st.from_regex(r"[A-Za-z][A-Za-z0-9+.-]{0,9}", fullmatch=True).filter(
    lambda scheme: scheme.lower() not in ("http", "https")
)


@st.composite
def valid_urls(draw):
    """An http(s) URL from parts that the Targets contract allows."""
    scheme = draw(st.sampled_from(["http", "https", "HTTP", "Https"]))
    port = draw(ports)
    netloc = draw(hosts) + ("" if port is None else f":{port}")
    return f"{scheme}://{netloc}{draw(paths)}{draw(queries)}{draw(fragments)}"


urlish_text = st.text(st.sampled_from("[]@:/.?#%\\-_ aZ09") | st.characters())
arbitrary_targets = st.one_of(
    st.text(),
    st.builds(
        str.__add__,
        st.sampled_from(["http://", "HTTPS://", "https:", "ftp://", "javascript:", ""]),
        urlish_text,
    ),
    st.builds(str.__add__, valid_urls(), urlish_text),
)


@CHEAP
@given(st.integers(4, 16))
def test_generated_slugs_have_the_length_asked_in_crockford_digits(length):
    slug = slugs.generate(length)

    assert len(slug) == length
    assert set(slug) <= set(slugs.CROCKFORD)
    assert slugs.normalize(slug) == slug


# generate() draws from secrets, out of hypothesis's reach: check every slug it
# could return instead (it never returns a reserved word)
@CHEAP
@given(st.text(st.sampled_from(slugs.CROCKFORD), min_size=4, max_size=16))
@example("READYZ")
def test_every_possible_generated_slug_normalizes_to_itself(slug):
    assume(slug not in slugs.RESERVED)
    assert slugs.normalize(slug) == slug


def test_reserved_words_are_never_generated(monkeypatch):
    drawn = iter("READYZ" + "K7F2X9")
    monkeypatch.setattr(slugs.secrets, "choice", lambda _: next(drawn))

    assert slugs.generate(6) == "K7F2X9"


def _outcome(slug):
    try:
        return slugs.normalize(slug)
    except InvalidSlug:
        return InvalidSlug


@CHEAP
@given(valid_slugs)
def test_normalize_is_idempotent_and_case_insensitive(slug):
    canonical = _outcome(slug)

    assert _outcome(slug.lower()) == canonical
    assert _outcome(slug.upper()) == canonical
    if canonical is not InvalidSlug:
        assert slugs.normalize(canonical) == canonical


@BROAD
@given(slugish_text)
def test_normalize_refuses_or_returns_a_custom_slug(text):
    try:
        slug = slugs.normalize(text)
    except InvalidSlug:
        return

    assert SLUG.fullmatch(slug)
    assert not slug.startswith("-")
    assert not slug.endswith("-")
    assert slugs.looks_like_slug(text.strip())
    assert slugs.looks_like_slug(slug)


@BROAD
@given(arbitrary_targets)
@example("http://[")
@example("http://a\ufe6bb.com/")
@example("http://\u212aemenkeu.go.id/")
def test_validate_refuses_or_returns_a_safe_target(text):
    try:
        target = targets.validate(text)
    except InvalidTarget:
        return

    parts = urlsplit(target)

    assert target == text
    assert re.match(r"https?://", target, re.IGNORECASE)
    assert parts.scheme.lower() in ("http", "https")
    assert parts.hostname
    assert parts.netloc.isascii()
    assert "@" not in parts.netloc
    assert not CONTROL.search(target)
    assert len(target) <= targets.MAX_LENGTH


@URLS
@given(valid_urls())
def test_urls_built_from_valid_parts_are_accepted(url):
    assert targets.validate(url) == url


@CHEAP
@given(st.integers(2000, 2100))
def test_targets_longer_than_2048_are_refused(length):
    url = "https://example.org/" + "a" * (length - len("https://example.org/"))

    if length <= targets.MAX_LENGTH:
        assert targets.validate(url) == url
    else:
        with pytest.raises(InvalidTarget, match="2048"):
            targets.validate(url)


@URLS
@given(valid_urls(), control_chars, st.data())
def test_a_control_character_anywhere_is_refused(url, char, data):
    at = data.draw(st.integers(0, len(url)))

    with pytest.raises(InvalidTarget):
        targets.validate(url[:at] + char + url[at:])


@URLS
@given(valid_urls(), user_info)
def test_user_info_is_refused(url, info):
    scheme, rest = url.split("://", 1)

    with pytest.raises(InvalidTarget, match="user name"):
        targets.validate(f"{scheme}://{info}{rest}")


@URLS
@given(valid_urls(), other_schemes)
def test_other_schemes_are_refused(url, scheme):
    rest = url.split(":", 1)[1]

    with pytest.raises(InvalidTarget, match="http"):
        targets.validate(scheme + ":" + rest)


# a small vocabulary, so that hosts and the allow-list often overlap
words = st.sampled_from(["pkb", "baliprov", "xbaliprov", "go", "id", "evil", "a"])
allow_hosts = st.lists(words, min_size=1, max_size=4).map(".".join)
patterns = st.tuples(st.sampled_from(["", "*."]), allow_hosts).map("".join)


@CHEAP
@given(
    allow_hosts,
    st.sampled_from([str.lower, str.upper]),
    st.sampled_from(["", "."]),
    st.lists(patterns, min_size=1, max_size=3).map(tuple),
)
def test_allow_list_admits_only_listed_hosts_and_subdomains(host, case, dot, allowed):
    url = f"https://{case(host)}{dot}/x"
    names = {name for name in allowed if not name.startswith("*.")}
    domains = {name[2:] for name in allowed if name.startswith("*.")}
    # host_allowed lets a *.domain pattern admit the bare domain as well
    listed = (
        host in names
        or host in domains
        or any(host.endswith("." + domain) for domain in domains)
    )

    if listed:
        assert targets.validate(url, allowed) == url
    else:
        with pytest.raises(InvalidTarget, match="CIBERQ_ALLOWED_TARGET_HOSTS"):
            targets.validate(url, allowed)
