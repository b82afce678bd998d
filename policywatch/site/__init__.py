"""The public policy archive: every released version, its redline, and the feed, as static files.

Reading (``archive``) is kept apart from building (``build``, a pure function
from released versions to files) and from writing (``output``, atomic), so the
same archive feeds the site and the Atom feed and a failed build writes nothing.
"""
