"""The site: the archive rendered through Pelican and the theme.

Owns the Pelican generator, the site's pages and feeds as data (`pages`, `feeds`) and the one
writer of both (`page_writer`), sitemap and open data files, paging, charts, the
Content-Security-Policy, the plugin's settings, the adapter to the `search` package, what a
preview hands the generator (`session`), the record of what each page was made of
(`tracking`, `incremental`, for the preview) and which pages a part build writes (`parts`).

May import every folder above (content, importing, relations, checks) and `search`.
"""
