"""Settings for publishing: pelicanconf.py with only what publishing changes."""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: F403

# The public address of the site; `invoke publish --siteurl URL` overrides it.
SITEURL = BULLETIN_PUBLIC_URL  # noqa: F405
RELATIVE_URLS = False
# The Whoosh index serves `invoke search` on this machine; it is not part of the site.
SEARCH_WHOOSH_PATH = ""
