"""Building and publishing: a whole site, made atomically, verified before it is served.

Owns `sitebuild` (`invoke build` and `invoke publish`: staging, swap, the generations a
target holds), the no-change fingerprint, the verifier, and precompression.

May import every folder above it (content … site) and `search`.
"""
