"""Evidence that holds up: a release's bundle (``bundle``), its check (``verify``), chain heads in git (``anchor``).

It sits above the site: a bundle holds the redline page the site's template
draws, the proof of notice from the ledger and the release from git.
"""
