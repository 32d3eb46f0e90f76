"""The site's Content-Security-Policy: only our own files may run, load or be fetched.

Every page carries it as ``<meta http-equiv="Content-Security-Policy">`` (base.html), which
works on hosts that cannot set headers (GitHub Pages). A server that can should also send it
as a header, with the directives a meta element cannot carry (``frame-ancestors``): see
``deploy/nginx/archive.conf``, whose header a test compares with `header_policy()`.

- ``script-src 'self'``: our own script files only, no inline script, no ``eval``, no
  WebAssembly (the search page reads the index itself: Pagefind's WebAssembly and worker are
  no longer run, see theme/static/js/search-index.js).
- ``style-src 'self'``: our stylesheet only, no inline styles.
- ``connect-src 'self'``: the search page fetches the index and texts from the site.
- everything else from nowhere (``default-src 'none'``), no ``<base>``, forms to the site.
"""

from __future__ import annotations

POLICY: dict[str, str] = {
    "default-src": "'none'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "connect-src": "'self'",
    "manifest-src": "'self'",
    "base-uri": "'none'",
    "form-action": "'self'",
}
# Directives a <meta> policy may not carry; only a real header can set them.
HEADER_ONLY: dict[str, str] = {
    "frame-ancestors": "'none'",
}


def _format(policy: dict[str, str]) -> str:
    return "; ".join(f"{name} {value}" for name, value in policy.items())


def meta_policy() -> str:
    """The policy as written into every page's ``<meta http-equiv>``."""
    return _format(POLICY)


def header_policy() -> str:
    """The policy as a server should send it in the ``Content-Security-Policy`` header."""
    return _format({**POLICY, **HEADER_ONLY})
