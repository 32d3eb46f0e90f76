"""The archive's Pelican plugin: bulletin issues, items, policies, speeches and taxonomies.

`register()` only connects functions; the logic lives in the modules named after what they
hold (`content_format`, `rawtext`, `taxonomy`, `archive`, `render`, `checks`), which need no
Pelican build, and the glue in `generator` and `settings`.
"""

from pelican import signals

from bulletin.generator import ArchiveGenerator, stable_feed_date
from bulletin.settings import validate_settings


def get_generators(pelican_object):
    return ArchiveGenerator


def register():
    signals.initialized.connect(validate_settings)
    signals.get_generators.connect(get_generators)
    signals.feed_generated.connect(stable_feed_date)
