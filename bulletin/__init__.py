"""The archive's Pelican plugin: bulletin issues, items, policies, speeches and taxonomies.

`register()` only connects functions. The logic lives in folders that show the pipeline,
each standing on the ones below it: `content` (the model and file format), `importing`,
`relations` (the archive as a whole), `checks`, `site` (the Pelican glue), `build` and
`preview` (docs/architecture.md). This package may import all of them, lazily; nothing in
them imports it.
"""

# Imports happen in the functions: `bulletin.build.sitebuild` (a submodule) must load without
# Pelican, so that a build with nothing changed decides so in well under a second.


def get_generators(pelican_object):
    from bulletin.site.generator import ArchiveGenerator

    return ArchiveGenerator


def register():
    from pelican import signals

    from bulletin.site.feeds import stable_feed_date
    from bulletin.site.settings import validate_settings

    signals.initialized.connect(validate_settings)
    signals.get_generators.connect(get_generators)
    signals.feed_generated.connect(stable_feed_date)
