"""The rotation as a static calendar site: pure, a function of the configuration and `now`.

`build_site` returns every file of the site (path -> bytes); the `site` command writes them.
The page embeds the schedule as data, so its script can tell who is on SET when it is opened,
not only when it was built.
"""

from setops.site.build import build_site

__all__ = ["build_site"]
