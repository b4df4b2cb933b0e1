"""Check external links over HTTP: politely, with retries, and with a cache.

The only module that imports httpx. At most ``concurrency`` requests run at
once and at most ``per_host`` to one host; each has a timeout. A 429, a 5xx,
a timeout or a connection error is tried again after a growing pause (or the
pause the server asks for in ``Retry-After``). HEAD comes first; a server that
answers HEAD with an error is asked again with GET, since many refuse HEAD.
Redirects are followed and reported. Good results are kept in a cache file for
``cache_hours``, so that CI runs do not hammer the sources' sites; broken ones
are checked again every time, so that a fixed link is seen as fixed at once.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import re
import threading
import time
from collections import defaultdict
from collections.abc import Coroutine, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx

from . import __version__
from .config import CheckConfig

T = TypeVar("T")

USER_AGENT = f"briefgen/{__version__} link checker"
MAX_PAUSE = 60.0
"""The longest pause between tries, whatever Retry-After says."""
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class LinkResult:
    """What checking one external URL found."""

    url: str
    ok: bool
    status: int | None
    """The final HTTP status; None when no answer came."""
    reason: str
    """'ok', 'HTTP 404', 'timed out after 10 s', 'connection refused', ..."""
    final_url: str | None = None
    """Where redirects led, when they did."""
    permanent: bool = False
    """True when a redirect on the way was permanent (301 or 308)."""
    checked: float = 0.0
    """When it was checked (seconds since the epoch)."""


def _retry_after(response: httpx.Response) -> float | None:
    """The pause a server asks for, in seconds (Retry-After: seconds or an HTTP date)."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _reason(exc: httpx.HTTPError, timeout: float) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out after {timeout:g} s"
    if isinstance(exc, httpx.ConnectError):
        cause: BaseException | None = exc
        while cause is not None:  # httpx wraps the operating system's error
            if isinstance(cause, ConnectionRefusedError) or "refused" in str(cause).lower():
                return "connection refused"
            cause = cause.__cause__ or cause.__context__
        return f"cannot connect ({exc})"
    if isinstance(exc, httpx.TooManyRedirects):
        return "too many redirects"
    return f"{type(exc).__name__}: {exc}"


def _run(work: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to the end, on a thread of its own if this one already has a loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(work)
    # A loop runs here (a notebook, a test driving a browser): asyncio.run would refuse.
    done: list[T] = []
    failed: list[BaseException] = []

    def run() -> None:
        try:
            done.append(asyncio.run(work))
        except BaseException as exc:
            failed.append(exc)

    thread = threading.Thread(target=run, name="briefgen-external")
    thread.start()
    thread.join()
    if failed:
        raise failed[0]
    return done[0]


class ExternalChecker:
    """Checks a set of URLs with the limits and retries of a CheckConfig."""

    def __init__(self, settings: CheckConfig, cache_file: Path | None = None) -> None:
        self.settings = settings
        self.cache_file = cache_file
        self.cache: dict[str, LinkResult] = self._read_cache()
        self.skip = [re.compile(pattern) for pattern in settings.skip]

    def skipped(self, url: str) -> bool:
        return any(pattern.search(url) for pattern in self.skip)

    def _read_cache(self) -> dict[str, LinkResult]:
        if self.cache_file is None or not self.cache_file.is_file():
            return {}
        try:
            raw = json.loads(self.cache_file.read_text(encoding="utf-8"))
            return {url: LinkResult(**entry) for url, entry in raw.get("links", {}).items()}
        except (ValueError, TypeError, AttributeError):
            return {}  # a damaged cache is only a cache: start again

    def _write_cache(self) -> None:
        if self.cache_file is None:
            return
        self.cache_file.parent.mkdir(parents=True, exist_ok=True)
        links = {url: asdict(result) for url, result in sorted(self.cache.items()) if result.ok}
        self.cache_file.write_text(json.dumps({"links": links}, indent=1), encoding="utf-8")

    def _fresh(self, url: str, now: float) -> LinkResult | None:
        cached = self.cache.get(url)
        if cached and cached.ok and now - cached.checked < self.settings.cache_hours * 3600:
            return cached
        return None

    def check(self, urls: Iterable[str]) -> dict[str, LinkResult]:
        """Check every URL not skipped; the result for each (cached or new)."""
        now = time.time()
        wanted = sorted({u for u in urls if not self.skipped(u)})
        results = {u: cached for u in wanted if (cached := self._fresh(u, now))}
        todo = [u for u in wanted if u not in results]
        if todo:
            results.update(_run(self._check_all(todo)))
        self.cache.update(results)
        self._write_cache()
        return results

    async def _check_all(self, urls: list[str]) -> dict[str, LinkResult]:
        settings = self.settings
        everyone = asyncio.Semaphore(settings.concurrency)
        hosts: dict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(settings.per_host)
        )
        limits = httpx.Limits(max_connections=settings.concurrency)
        async with httpx.AsyncClient(
            follow_redirects=True,
            timeout=settings.timeout,
            limits=limits,
            headers={"User-Agent": USER_AGENT},
        ) as client:

            async def one(url: str) -> LinkResult:
                async with everyone, hosts[urlsplit(url).netloc]:
                    return await self._check_one(client, url)

            found = await asyncio.gather(*(one(url) for url in urls))
        return {result.url: result for result in found}

    async def _check_one(self, client: httpx.AsyncClient, url: str) -> LinkResult:
        settings = self.settings
        pause = 0.5
        last = LinkResult(url, False, None, "not checked")
        for attempt in range(settings.retries + 1):
            wait: float | None = None
            try:
                response = await client.head(url)
                if response.status_code >= 400 and response.status_code not in _RETRY_STATUSES:
                    response = await client.get(url)
                status = response.status_code
                permanent = any(r.status_code in (301, 308) for r in response.history)
                final = str(response.url) if response.history else None
                if status < 400:
                    return LinkResult(url, True, status, "ok", final, permanent, time.time())
                last = LinkResult(
                    url, False, status, f"HTTP {status}", final, permanent, time.time()
                )
                if status not in _RETRY_STATUSES:
                    return last
                wait = _retry_after(response)
            except httpx.HTTPError as exc:
                last = LinkResult(
                    url, False, None, _reason(exc, settings.timeout), None, False, time.time()
                )
            if attempt < settings.retries:
                await asyncio.sleep(min(MAX_PAUSE, wait if wait is not None else pause))
                pause *= 2
        return last
