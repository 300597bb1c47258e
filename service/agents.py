"""User agents: is this a guest's phone, or a bot or link-preview fetcher?

Bots are found by crawlerdetect (a maintained list of crawler patterns, which
covers the link-preview fetchers of WhatsApp, Telegram, Facebook, Slack, X,
Discord, LinkedIn and Skype, and the search engines), plus the mail security
scanners it misses. Device, OS and browser come from ua-parser. Both are slow
next to a redirect, so each distinct string is classified once per process.
"""

import re
import threading
from dataclasses import dataclass
from functools import lru_cache

from crawlerdetect import CrawlerDetect
from ua_parser import parse

# the longest user agent we look at, store and cache
MAX_LENGTH = 512

# mail security scanners that open every link in a message before the reader
# does; crawlerdetect does not list them all
_SCANNERS = re.compile(
    r"mimecast|proofpoint|urldefense|safelinks|barracuda|trend ?micro|messagelabs"
    r"|ironport|fireeye|cisco.?secure|sophos|snap url preview|viber|iframely"
    r"|embedly",
    re.IGNORECASE,
)
# command-line HTTP clients: a person checking a code by hand, not a crawler;
# counted as a guest with device class "tool" so a chart can leave them out
_TOOLS = re.compile(r"^(curl|wget|httpie)/", re.IGNORECASE)

_MOBILE_OS = {"iOS", "iPadOS", "Android", "Windows Phone", "KaiOS", "BlackBerry OS"}
_DESKTOP_OS = {"Windows", "Mac OS X", "Linux", "Ubuntu", "Chrome OS", "Fedora"}

_detector = CrawlerDetect()
_detector_lock = threading.Lock()


@dataclass(frozen=True)
class Agent:
    """What a user-agent string tells us, coarsely (no fingerprinting)."""

    bot: bool
    device: str
    os: str
    browser: str
    bot_name: str = ""


def _crawler(user_agent: str) -> str:
    """The crawler's name if ``user_agent`` is a bot, else ''."""
    if not user_agent:
        return "empty"
    if _TOOLS.match(user_agent):
        return ""
    with _detector_lock:
        if _detector.isCrawler(user_agent):
            return _detector.getMatches() or "crawler"
    found = _SCANNERS.search(user_agent)
    return found.group(0) if found else ""


def _device(user_agent: str, os_family: str, device_family: str) -> str:
    if device_family == "Spider":
        return "bot"
    if os_family in _MOBILE_OS:
        if device_family == "iPad" or "Tablet" in user_agent:
            return "tablet"
        if os_family == "Android" and "Mobile" not in user_agent:
            return "tablet"
        return "mobile"
    if os_family in _DESKTOP_OS:
        return "desktop"
    return "other"


@lru_cache(maxsize=16384)
def classify(user_agent: str) -> Agent:
    """Classify a user-agent string (cached per distinct string)."""
    user_agent = user_agent[:MAX_LENGTH]
    bot_name = _crawler(user_agent)
    result = parse(user_agent)
    browser = result.user_agent.family if result.user_agent else "Other"
    os_family = result.os.family if result.os else "Other"
    device_family = result.device.family if result.device else "Other"

    if bot_name:
        return Agent(True, "bot", os_family, browser, bot_name)
    if _TOOLS.match(user_agent):
        return Agent(False, "tool", os_family, browser)
    return Agent(
        False, _device(user_agent, os_family, device_family), os_family, browser
    )
