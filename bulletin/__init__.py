"""The archive's Pelican plugin: bulletin issues, items, policies, speeches and taxonomies.

`register()` only connects functions; the logic lives in the modules named after what they
hold (`content_format`, `rawtext`, `taxonomy`, `archive`, `render`, `checks`), which need no
Pelican build, and the glue in `generator` and `settings`.
"""

# Imports happen in the functions: `bulletin.build.sitebuild` (a submodule) must load without
# Pelican, so that a build with nothing changed decides so in well under a second.


def get_generators(pelican_object):
    from bulletin.site.generator import ArchiveGenerator

    return ArchiveGenerator


def register():
    from pelican import signals

    from bulletin.site.generator import stable_feed_date
    from bulletin.site.settings import validate_settings

    signals.initialized.connect(validate_settings)
    signals.get_generators.connect(get_generators)
    signals.feed_generated.connect(stable_feed_date)
