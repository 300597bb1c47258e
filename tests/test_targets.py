import pytest

from service import targets
from service.errors import InvalidTarget


@pytest.mark.parametrize(
    "good",
    [
        "https://baliprov.go.id/",
        "http://example.org/path?q=1#top",
        "https://xn--bcher-kva.example/",
        "https://example.org:8443/a",
        "https://203.0.113.7/x",
        "https://[2001:db8::1]/x",
        "https://example.org/" + "a" * 2000,
    ],
)
def test_http_and_https_targets_are_accepted(good):
    assert targets.validate(good) == good


@pytest.mark.parametrize(
    ("bad", "rule"),
    [
        ("javascript:alert(1)", "http"),
        ("JAVASCRIPT:alert(1)", "http"),
        ("data:text/html,<script>alert(1)</script>", "http"),
        ("ftp://example.org/file", "http"),
        ("example.org/page", "http"),
        ("//example.org/page", "http"),
        ("", "empty"),
        ("https://user:pass@example.org/", "user name"),
        ("https://evil.example@baliprov.go.id/", "user name"),
        ("https://example.org/\r\nSet-Cookie: x=1", "control"),
        ("https://example.org/\nx", "control"),
        ("https://example.org/\x00", "control"),
        ("https://example.org/\x7f", "control"),
        ("https://exa mple.org/", "control"),
        ("https://example.org/" + "a" * 2030, "2048"),
        ("https://" + "a" * 250 + ".org/", "253"),
        ("https://bücher.example/", "xn--"),
        ("https://аpple.com/", "xn--"),
        ("https://exa_mple.org/", "not a valid host"),
        ("https://-bad.example/", "not a valid host"),
        ("https:///nohost", "no host"),
        ("https://example.org:99999/", "port"),
    ],
)
def test_dangerous_targets_are_refused_with_the_rule(bad, rule):
    with pytest.raises(InvalidTarget, match=rule):
        targets.validate(bad)


ALLOWED = ("baliprov.go.id", "*.baliprov.go.id", "disbud.example")


@pytest.mark.parametrize(
    "host",
    ["baliprov.go.id", "pkb.baliprov.go.id", "a.b.baliprov.go.id", "disbud.example"],
)
def test_allow_list_admits_listed_hosts_and_subdomains(host):
    assert targets.validate(f"https://{host}/x", ALLOWED)


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "baliprov.go.id.evil.example",
        "xbaliprov.go.id",
        "sub.disbud.example",
    ],
)
def test_allow_list_refuses_other_hosts(host):
    with pytest.raises(InvalidTarget, match="CIBERQ_ALLOWED_TARGET_HOSTS"):
        targets.validate(f"https://{host}/x", ALLOWED)
