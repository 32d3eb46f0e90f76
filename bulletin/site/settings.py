"""The plugin's settings (prefixed ``BULLETIN_``), with their defaults, validated at start-up."""

from __future__ import annotations

from urllib.parse import urlsplit

from bulletin.relations.archive import DEFAULT_URLS
from bulletin.site.paging import PER_PAGE

DEFAULTS = {
    # URL pattern of each page kind; every pattern ends in "/" and the page is saved as
    # index.html inside it. Changing a pattern changes every URL of that kind: do not.
    "BULLETIN_URLS": DEFAULT_URLS,
    # Entries per page of a long list (county, topic, year, bulletins, policies, speeches);
    # an issue counts with its headlines. Pages after the first are at <list URL>page/N/.
    "BULLETIN_PER_PAGE": PER_PAGE,
    # Build drafts (draft: true) too, marked 草稿: only the preview (invoke serve) does.
    "BULLETIN_DRAFTS": False,
}

FIELDS = {
    "issue": {"slug"},
    "item": {"issue", "slug"},
    "policy": {"slug"},
    "speech": {"slug"},
    "counties": {"slug"},
    "topics": {"slug"},
    "year": {"year"},
}


class SettingsError(ValueError):
    pass


def check_urls(urls: dict[str, str]) -> None:
    """Raise SettingsError if a URL pattern is unknown, lacks a field or has no trailing /."""
    for kind, pattern in urls.items():
        if kind not in FIELDS:
            raise SettingsError(f"BULLETIN_URLS: unknown page kind {kind!r}")
        if not pattern.endswith("/"):
            raise SettingsError(f"BULLETIN_URLS[{kind!r}] must end with '/': {pattern!r}")
        for field in FIELDS[kind]:
            if "{" + field + "}" not in pattern:
                raise SettingsError(f"BULLETIN_URLS[{kind!r}] must contain {{{field}}}")


def check_site_url(url: str) -> str:
    """A site's public address (SITEURL) without a trailing slash; SettingsError if invalid.

    An http(s) origin, optionally with a path for a site below one (a GitHub Pages project
    site: ``https://owner.github.io/archive``); no query or fragment.
    """
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError(f"SITEURL must be an http(s) address: {url!r}")
    if parts.query or parts.fragment or url.endswith(("?", "#")):
        raise SettingsError(f"SITEURL must not have a query or fragment: {url!r}")
    return url.rstrip("/")


def autoescaped(jinja_environment: dict) -> dict:
    """Pelican's JINJA_ENVIRONMENT with autoescaping on: every template writes what it prints
    as text, and only the build's own HTML (`bulletin.content.trusted`) unescaped. Not a setting:
    SettingsError if it is turned off."""
    if jinja_environment.get("autoescape", True) is not True:
        raise SettingsError(
            "JINJA_ENVIRONMENT 的 autoescape 不能关闭：内容中的文字必须按文字显示，"
            "不得成为网页标记；请删去这项设置"
        )
    return {**jinja_environment, "autoescape": True}


def validate_settings(pelican_object) -> None:
    settings = pelican_object.settings
    settings["JINJA_ENVIRONMENT"] = autoescaped(settings.get("JINJA_ENVIRONMENT") or {})
    for key, value in DEFAULTS.items():
        settings.setdefault(key, value)
    urls = {**DEFAULT_URLS, **settings["BULLETIN_URLS"]}
    check_urls(urls)
    settings["BULLETIN_URLS"] = urls
    per_page = settings["BULLETIN_PER_PAGE"]
    if not isinstance(per_page, int) or isinstance(per_page, bool) or per_page < 1:
        raise SettingsError(f"BULLETIN_PER_PAGE must be a whole number ≥ 1: {per_page!r}")
    # Publishing (absolute URLs): the site being published is the public one.
    public = settings["SITEURL"] if not settings.get("RELATIVE_URLS") else None
    public = public or settings.get("BULLETIN_PUBLIC_URL") or settings["SITEURL"]
    settings["BULLETIN_PUBLIC_URL"] = check_site_url(public) if public else ""
