"""Check external links over HTTP: politely, with retries, within bounds, and with a cache.

The only module that imports httpx. At most ``concurrency`` requests run at
once and at most ``per_host`` to one host. Each try of a URL (its HEAD, the GET
after it, the redirects they follow) has ``timeout`` seconds in all, and the
whole run ``max_seconds``: what is not checked by then is reported as not
checked, never silently dropped. Only the status line and headers are read,
never a body, so a huge or trickling body costs nothing. A 429, a 5xx (but
501, "HEAD not implemented"), a timeout or a refused connection is tried again
after a growing pause (or the pause the server asks for in ``Retry-After``);
anything else is a final answer. HEAD comes first; a server that answers HEAD
with an error is asked again with GET, since many refuse HEAD. Redirects are
followed here, not by httpx, so that a loop, a redirect to ``mailto:`` or a
redirect without a ``Location`` is one broken link with its reason. Any error
on one URL becomes that URL's reason: one bad server never ends the run. Good
results are kept in a cache file for ``cache_hours``, so that CI runs do not
hammer the sources' sites; broken ones are checked again every time, so that a
fixed link is seen as fixed at once.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import re
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Coroutine, Iterable
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
MAX_REDIRECTS = 10
"""Redirects followed from one URL before it counts as broken."""
PROGRESS_EVERY = 10.0
"""Seconds between two progress lines."""
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_WEB = ("http", "https")

Progress = Callable[[str], None]
"""Receives a line saying how far the run is and which host it waits for."""


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
    unchecked: bool = False
    """True when the URL was not checked at all (time ran out, or not an http(s) URL):
    neither good nor broken, and not cached."""


def _retryable(status: int | None) -> bool:
    """A status worth asking again for: busy (429) or a server error, but 501.

    501 means the server does not implement the method: asking again with GET,
    not asking HEAD again, is what helps.
    """
    return status is not None and (status == 429 or (500 <= status <= 599 and status != 501))


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


def _refused(exc: httpx.ConnectError) -> bool:
    cause: BaseException | None = exc
    while cause is not None:  # httpx wraps the operating system's error
        if isinstance(cause, ConnectionRefusedError) or "refused" in str(cause).lower():
            return True
        cause = cause.__cause__ or cause.__context__
    return False


def _describe(exc: BaseException) -> str:
    """An error as a reason: its type, and its message when it has one."""
    message = str(exc).strip()
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def _host(url: str) -> str:
    """The host and port a URL is fetched from, for the per-host limit and progress lines."""
    try:
        netloc = urlsplit(url).netloc
    except ValueError:  # e.g. an unclosed IPv6 bracket: httpx will refuse the URL itself
        return url
    return netloc.rpartition("@")[2].lower()  # never show user:password@


_LOCATION = "x-briefgen-location"


async def _hide_location(response: httpx.Response) -> None:
    """Move Location aside, for _follow to read.

    httpx builds the request a redirect leads to even when it does not follow
    it, and a Location it cannot parse (``javascript:alert(1)``) raises there,
    before the caller sees the answer.
    """
    if "location" in response.headers:
        response.headers[_LOCATION] = response.headers["location"]
        del response.headers["location"]


def not_checked_in_time(max_seconds: float) -> str:
    """The reason given for each URL the run had no time for."""
    return (
        f"not checked within check.max_seconds = {max_seconds:g}"
        " (raise it, or run again: links found good are cached)"
    )


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


@dataclass(frozen=True, slots=True)
class _Answer:
    """What one request, and the redirects it led to, found."""

    result: LinkResult
    retry_after: float | None = None


class ExternalChecker:
    """Checks a set of URLs with the limits, retries and bounds of a CheckConfig."""

    def __init__(
        self,
        settings: CheckConfig,
        cache_file: Path | None = None,
        *,
        progress: Progress | None = None,
        progress_every: float | None = None,
    ) -> None:
        self.settings = settings
        self.cache_file = cache_file
        self.cache: dict[str, LinkResult] = self._read_cache()
        self.skip = [re.compile(pattern) for pattern in settings.skip]
        self.progress = progress
        self.progress_every = PROGRESS_EVERY if progress_every is None else progress_every

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
        """Check every URL not skipped; the result for each (cached, new, or unchecked)."""
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
        loop = asyncio.get_running_loop()
        started = loop.time()
        deadline = started + settings.max_seconds
        everyone = asyncio.Semaphore(settings.concurrency)
        hosts: dict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(settings.per_host)
        )
        limits = httpx.Limits(max_connections=settings.concurrency)
        async with httpx.AsyncClient(
            follow_redirects=False,  # followed by _follow, which knows a loop from a mailto:
            timeout=settings.timeout,
            limits=limits,
            headers={"User-Agent": USER_AGENT},
            event_hooks={"response": [_hide_location]},
        ) as client:

            async def one(url: str) -> LinkResult:
                try:
                    scheme = urlsplit(url).scheme.lower()
                except ValueError as exc:  # e.g. an unclosed IPv6 bracket
                    return LinkResult(url, False, None, f"invalid URL ({exc})", None, False, 0.0)
                if scheme not in _WEB:
                    reason = "not checked (only http and https links are checked)"
                    return LinkResult(url, False, None, reason, unchecked=True)
                try:
                    # The host's turn first, then a slot of all: a URL waiting for its
                    # busy host must not hold a slot that other hosts could use.
                    async with hosts[_host(url)], everyone:
                        return await self._check_one(client, url, deadline)
                except Exception as exc:
                    # The last resort, for what _attempt does not foresee: the error, with
                    # its type, becomes this URL's reason, and the other URLs go on.
                    return LinkResult(url, False, None, _describe(exc), None, False, time.time())

            tasks = {asyncio.create_task(one(url)): url for url in urls}
            pending = set(tasks)
            next_progress = started + self.progress_every
            while pending and (now := loop.time()) < deadline:
                wake = min(deadline, next_progress) if self.progress else deadline
                _, pending = await asyncio.wait(pending, timeout=max(0.0, wake - now))
                if pending and self.progress and loop.time() >= next_progress:
                    waiting = [tasks[task] for task in pending]
                    self.progress(self._progress_line(urls, waiting, next_progress - started))
                    next_progress += self.progress_every
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

        out_of_time = not_checked_in_time(settings.max_seconds)
        results: dict[str, LinkResult] = {}
        for task, url in tasks.items():
            if task.cancelled():
                results[url] = LinkResult(url, False, None, out_of_time, unchecked=True)
            else:
                results[url] = task.result()
        return results

    @staticmethod
    def _progress_line(urls: Iterable[str], waiting: Iterable[str], elapsed: float) -> str:
        """``after 10 s: 48 of 60 URLs checked; waiting for example.org: 12 of 20 URLs left``."""
        total = Counter(_host(url) for url in urls)
        left = Counter(_host(url) for url in waiting)
        slowest, count = max(left.items(), key=lambda item: (item[1], item[0]))
        line = (
            f"after {elapsed:g} s: {total.total() - left.total()} of {total.total()} URLs"
            f" checked; waiting for {slowest}: {count} of {total[slowest]} URLs left"
        )
        if len(left) > 1:
            line += f" (and {len(left) - 1} other host{'s' * (len(left) > 2)})"
        return line

    async def _check_one(self, client: httpx.AsyncClient, url: str, deadline: float) -> LinkResult:
        settings = self.settings
        loop = asyncio.get_running_loop()
        pause = 0.5
        for attempt in range(settings.retries + 1):
            answer, again = await self._attempt(client, url)
            if not again or attempt == settings.retries:
                return answer.result
            wait = min(MAX_PAUSE, answer.retry_after if answer.retry_after is not None else pause)
            if loop.time() + wait >= deadline:
                # The run would end during the pause: say so now rather than wait for it.
                reason = not_checked_in_time(settings.max_seconds)
                if answer.retry_after is not None:
                    asked = f"{answer.retry_after:g} s"
                    reason = (
                        f"not checked: the server answered {answer.result.reason} and asked "
                        f"for a pause of {asked} (Retry-After), past check.max_seconds = "
                        f"{settings.max_seconds:g} (run again later: links found good are cached)"
                    )
                return LinkResult(url, False, None, reason, unchecked=True)
            await asyncio.sleep(wait)
            pause *= 2
        raise AssertionError("unreachable: the last attempt returns")

    async def _attempt(self, client: httpx.AsyncClient, url: str) -> tuple[_Answer, bool]:
        """One try, HEAD then GET if HEAD fails, within ``timeout`` in all; and whether to retry."""
        timeout = self.settings.timeout

        def failed(reason: str) -> _Answer:
            return _Answer(LinkResult(url, False, None, reason, None, False, time.time()))

        try:
            # httpx's timeout bounds each read; this bounds the whole try, so a server
            # trickling its headers a byte at a time cannot hold a URL for minutes.
            async with asyncio.timeout(timeout):
                answer = await self._follow(client, "HEAD", url)
                if not answer.result.ok and not _retryable(answer.result.status):
                    answer = await self._follow(client, "GET", url)
        except (TimeoutError, httpx.TimeoutException):
            return failed(f"timed out after {timeout:g} s"), True
        except httpx.ConnectError as exc:
            if _refused(exc):
                return failed("connection refused"), True
            return failed(f"cannot connect ({exc})" if str(exc) else "cannot connect"), False
        except httpx.InvalidURL as exc:
            return failed(f"invalid URL ({exc})"), False
        except httpx.HTTPError as exc:  # protocol errors, a dropped connection, ...
            return failed(_describe(exc)), False
        return answer, _retryable(answer.result.status)

    async def _follow(self, client: httpx.AsyncClient, method: str, url: str) -> _Answer:
        """One request and the redirects it leads to, reading headers only, never a body."""
        current = httpx.URL(url)
        seen: Counter[httpx.URL] = Counter()
        permanent = False
        status = 0

        def result(status: int, reason: str) -> LinkResult:
            final = str(current) if len(seen) > 1 or seen[current] > 1 else None
            ok = reason == "ok"
            return LinkResult(url, ok, status, reason, final, permanent, time.time())

        for _ in range(MAX_REDIRECTS + 1):
            seen[current] += 1
            response = await client.send(client.build_request(method, current), stream=True)
            # The status line and headers are all a link check needs: close before the body.
            await response.aclose()
            status = response.status_code
            if status not in _REDIRECTS:
                reason = "ok" if status < 400 else f"HTTP {status}"
                return _Answer(result(status, reason), _retry_after(response))
            permanent = permanent or status in (301, 308)
            location = response.headers.get(_LOCATION, "").strip()
            if not location:
                return _Answer(result(status, f"HTTP {status} without a Location header"))
            try:
                scheme = urlsplit(location).scheme.lower()
                target = current.join(location) if scheme in ("", *_WEB) else None
            except (ValueError, httpx.InvalidURL):
                reason = f"redirects to '{location}', which is not a valid URL"
                return _Answer(result(status, reason))
            if target is None:
                reason = f"redirects to '{location}', which is not an http(s) URL"
                return _Answer(result(status, reason))
            # Twice is allowed: some sites set a cookie and send you back to the same URL.
            if seen[target] >= 2:
                return _Answer(result(status, f"too many redirects (a loop back to {target})"))
            current = target
        return _Answer(result(status, f"too many redirects (more than {MAX_REDIRECTS})"))


MAX_JSON_BYTES = 5_000_000
"""The most a JSON answer (``get_json``) may hold."""


def get_json(url: str, params: dict[str, str], *, timeout: float) -> Any:
    """One GET of a JSON document (no retry, no redirect followed, at most
    ``MAX_JSON_BYTES``, within ``timeout`` seconds in all); ValueError with the reason when
    it fails."""
    headers = {"User-Agent": f"briefgen/{__version__} (briefgen check --wikidata)"}
    deadline = time.monotonic() + timeout
    try:
        with (
            httpx.Client(timeout=timeout, headers=headers) as client,
            client.stream("GET", url, params=params) as response,
        ):
            if response.status_code != 200:
                raise ValueError(f"HTTP {response.status_code}")
            body = b""
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_JSON_BYTES:
                    raise ValueError(f"an answer of more than {MAX_JSON_BYTES} bytes")
                if time.monotonic() > deadline:
                    raise ValueError(f"no whole answer after {timeout:g} s")
    except httpx.HTTPError as exc:
        raise ValueError(_describe(exc)) from None
    try:
        return json.loads(body)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON ({exc.msg})") from None
