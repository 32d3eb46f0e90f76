"""Everything of Pelican's that is not its public API, in one place.

The build runs Pelican as a command would (`Pelican(settings).run()`); the preview must keep
the generators between builds and write pages atomically into the site being served, which
Pelican offers no public way to do. What that takes of Pelican's internals is here and only
here, for the version pinned in pyproject.toml (`PELICAN_VERSION`); tests/test_pelican_api.py
fails when an upgrade changes any of it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from pelican import Pelican
from pelican.writers import Writer

PELICAN_VERSION = "4.12.0"  # what this adapter was written and tested against


def generator_classes(pelican: Pelican) -> list[type]:
    """The generators a run of `pelican` would use, plugins' included, in Pelican's order."""
    return pelican._get_generator_classes()


def writer_of(pelican: Pelican) -> Writer:
    """The writer a run of `pelican` would use (a plugin may replace it)."""
    return pelican._get_writer()


@contextlib.contextmanager
def quiet_console() -> Iterator[None]:
    """Pelican's own summary silenced (it counts blog articles, of which we have none)."""
    from pelican.log import console

    quiet, console.quiet = console.quiet, True
    try:
        yield
    finally:
        console.quiet = quiet


class AtomicWriter(Writer):
    """Pelican's writer, writing each file aside and renaming it into place: a reader of the
    site being served sees a page as it was or as it is now, never half written."""

    @contextlib.contextmanager
    def _open_w(self, filename, encoding, override=False):
        aside = f"{filename}.part"
        try:
            with super()._open_w(aside, encoding, override) as handle:
                yield handle
        except BaseException:  # a newer edit stopped the round (`Superseded`), or worse
            with contextlib.suppress(FileNotFoundError):
                os.unlink(aside)
            raise
        os.replace(aside, filename)
