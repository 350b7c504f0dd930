"""robots.txt rules for the bot's User-Agent."""

from __future__ import annotations

from bot.intake.web import Robots, robots_url

UA = "unionbot/0.1 (+mailto:ops@union.example)"


def test_robots_url_is_at_the_site_root() -> None:
    assert robots_url("https://paper.example:8443/epaper/html/node_1.htm?x=1#y") == "https://paper.example:8443/robots.txt"


def test_disallowed_paths_and_the_crawl_delay_are_honoured() -> None:
    robots = Robots("User-agent: *\nDisallow: /search\nCrawl-delay: 2\n\nUser-agent: unionbot\nDisallow: /epaper/private/\n")
    assert robots.allows("https://paper.example/epaper/html/node_1.htm", UA)
    assert not robots.allows("https://paper.example/epaper/private/a.htm", UA)
    assert not robots.allows("https://paper.example/search?q=1", "otherbot")
    assert robots.delay("otherbot") == 2.0


def test_no_robots_txt_allows_everything() -> None:
    robots = Robots(None)
    assert robots.allows("https://paper.example/anything", UA)
    assert robots.delay(UA) is None
