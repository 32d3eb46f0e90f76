"""Pelican settings for building and previewing the archive (see publishconf.py for publishing)."""

import os

SITENAME = "温州经济合作文献档案"
SITESUBTITLE = "经济合作交流简报、政策文件与领导讲话"
# Absolute address used in feeds, the sitemap and canonical links; pages link relatively.
SITEURL = "http://localhost:8000"
RELATIVE_URLS = True
# The published site's address (publishconf.py publishes there): the open data and the
# citations on each page point at it even in a preview. A publish to another SITEURL uses that.
BULLETIN_PUBLIC_URL = os.environ.get("SITEURL", "https://archive.example.org")

PATH = "content"
THEME = "theme"
TIMEZONE = "Asia/Shanghai"
DEFAULT_LANG = "zh-CN"

PLUGINS = ["bulletin"]
# Templates are read once a build, not checked for changes at each of the pages' ten or so
# includes and imports (a stat each: 121,000 at 10,000 items). A theme changed during
# `invoke serve` makes a whole build, with templates read afresh.
JINJA_ENVIRONMENT = {"auto_reload": False}

# The archive plugin reads content/bulletins, content/policies and content/speeches itself;
# Pelican's own article and page readers are not used.
ARTICLE_PATHS: list[str] = []
PAGE_PATHS: list[str] = []
DIRECT_TEMPLATES: list[str] = []
# The raw source texts at /raw/ are copied by the plugin, only the types it allows
# (bulletin/content/raw_names.py); Pelican copies only the theme's static files.
STATIC_PATHS: list[str] = []
THEME_STATIC_DIR = "theme"
THEME_STATIC_PATHS = ["static"]

# Feeds are written by the plugin (site, per county, per topic); switch off Pelican's.
FEED_ALL_ATOM = None
FEED_ALL_RSS = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
FEED_MAX_ITEMS = 100  # each feed holds the newest 100 documents (Pelican's default)

DELETE_OUTPUT_DIRECTORY = True
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False

# Search. Pagefind's bundle is written into the site at /pagefind/; the Whoosh index for
# `invoke search` is written here (a symlink to the current build's index, like output/).
SEARCH_WHOOSH_PATH = ".search"
SEARCH_WHOOSH_PROCS = 1  # one writer, its postings in memory (search/whoosh_index.py)
SEARCH_INDEXES = True  # write the Pagefind bundle and the Whoosh index (bench/ turns it off)
# The search index is built in shards of this many documents (search/pagefind_bundle.py):
# a shard is indexed again only when one of its documents changed.
SEARCH_SHARD_SIZE = 1000
# Shards whose documents did not change are taken from here instead of being indexed again
# (None: .build/pagefind-shards beside the content directory; "": no cache).
SEARCH_SHARD_CACHE = None
