import pytest

from service import slugs
from service.errors import InvalidSlug


def test_generated_slugs_use_crockford_digits_only():
    made = {slugs.generate() for _ in range(2000)}

    assert all(len(slug) == 6 for slug in made)
    assert not set("".join(made)) & set("ILOU")
    assert set("".join(made)) <= set(slugs.CROCKFORD)
    assert len(made) > 1990


def test_generated_slug_length_follows_setting():
    assert len(slugs.generate(9)) == 9


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("k7f2x9", "K7F2X9"),
        ("PKB-2026", "PKB-2026"),
        (" abc ", "ABC"),
        ("a" * 32, "A" * 32),
    ],
)
def test_custom_slugs_are_kept_in_upper_case(typed, canonical):
    assert slugs.normalize(typed) == canonical


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "ab",
        "a" * 33,
        "a b",
        "abc/def",
        "abç",
        "ab_c",
        "-abc",
        "abc-",
        "x{y}z",
        "ab\x00c",
        "ＡＢＣ",
    ],
)
def test_bad_slugs_are_refused_with_the_rule(bad):
    with pytest.raises(InvalidSlug, match="slug"):
        slugs.normalize(bad)
