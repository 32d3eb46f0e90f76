"""The live preview of `invoke serve`: the site kept in memory, only what an edit
changed made again.

May import every other folder of `bulletin` and `search`; nothing imports it but the tasks.
"""
