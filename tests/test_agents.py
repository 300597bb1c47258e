import pytest

from service import agents

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1"
)
ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.6099.144 Mobile Safari/537.36"
)
IPAD = (
    "Mozilla/5.0 (iPad; CPU OS 17_2 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1"
)
WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36"
)

PREVIEWS = {
    "whatsapp": "WhatsApp/2.23.20.0 A",
    "telegram": "TelegramBot (like TwitterBot)",
    "facebook": "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "slack": "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "x": "Twitterbot/1.0",
    "discord": "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
    "linkedin": "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient)",
    "skype": "Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5",
    "google": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "bing": "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "mimecast": "Mimecast URL Protect",
    "proofpoint": "Proofpoint URL Defense",
    "barracuda": "Barracuda Sentinel (EE)",
    "empty": "",
}


@pytest.mark.parametrize("name", PREVIEWS)
def test_bots_and_link_previews_are_bots(name):
    found = agents.classify(PREVIEWS[name])

    assert found.bot
    assert found.device == "bot"
    assert found.bot_name


@pytest.mark.parametrize(
    ("user_agent", "device", "os"),
    [
        (IPHONE, "mobile", "iOS"),
        (ANDROID, "mobile", "Android"),
        (IPAD, "tablet", "iOS"),
        (WINDOWS, "desktop", "Windows"),
        ("curl/8.4.0", "tool", "Other"),
    ],
)
def test_guests_devices_are_classified(user_agent, device, os):
    found = agents.classify(user_agent)

    assert not found.bot
    assert (found.device, found.os) == (device, os)


def test_classification_is_cached_per_string():
    agents.classify.cache_clear()

    agents.classify(IPHONE)
    agents.classify(IPHONE)

    assert agents.classify.cache_info().hits == 1
