"""The preview server: build into a temporary folder, watch the project, reload open pages.

livereload does what it does well: serve files, inject its script into pages
and tell them to reload over its WebSocket. We own the rest, because the
package's own server has faults writers would feel: it polls every file every
800 ms, rebuilds once per saved file, drops a change that comes within 3 s of a
reload, runs builds on its event loop (pages hang meanwhile), only logs
exceptions, answers any host name and accepts WebSocket connections from any
origin. Here, ``watchfiles`` (inotify) notices changes in a thread, a burst of
saves becomes one rebuild, the build runs in that thread, and only the reload
message goes through the event loop. A failed build replaces every open page
with an error page until the writer fixes it.

- ``app.py``: the tornado application (the only livereload import): which
  hosts, paths and origins it answers, with which headers;
- ``watch.py``: the watcher thread (the only watchfiles import);
- ``server.py``: the first build, the rebuilds, start and stop.
"""

from __future__ import annotations

from .server import PreviewServer, bind, is_loopback, serve

__all__ = ["PreviewServer", "bind", "is_loopback", "serve"]
