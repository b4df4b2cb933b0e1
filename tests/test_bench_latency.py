"""The benchmark's save-to-visible measurement (bench/latency.py).

The servers' ready lines, the marker edits (checked by building the edited brief),
the choice of briefs, and a whole measurement against a stand-in server that never
shows an edit: the deadline is a failure that names the brief, and the server is
stopped, even one that ignores Ctrl-C.
"""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

import pytest
import yaml

from bench.generate import generate
from bench.latency import (
    Address,
    Server,
    Site,
    Spread,
    briefgen_ready,
    edit_body,
    edit_title,
    hugo_ready,
    marker,
    measure_latency,
    spread,
)
from briefgen.build import build


def test_briefgen_ready_line_gives_port_and_base_path() -> None:
    line = "serving http://127.0.0.1:43817/briefing/ (Ctrl-C to stop)\n"
    assert briefgen_ready(line) == Address(43817, "/briefing/")
    assert briefgen_ready("serving http://127.0.0.1:8000/ (Ctrl-C to stop)") == Address(8000, "/")
    assert Address(8000, "/briefing/").url("briefs/x/") == "/briefing/briefs/x/"


@pytest.mark.parametrize(
    "line",
    [
        "built: 408 written (all pages) in 1223 ms",
        "build failed; fix and save to reload (serving http://127.0.0.1:8000/)",
        # Another address is never taken for the server's: only 127.0.0.1 is contacted.
        "serving http://0.0.0.0:8000/ (Ctrl-C to stop)",
        "serving http://[::1]:8000/ (Ctrl-C to stop)",
    ],
)
def test_briefgen_ready_ignores_other_lines(line: str) -> None:
    assert briefgen_ready(line) is None


def test_hugo_ready_line_gives_port() -> None:
    line = "Web Server is available at http://127.0.0.1:50781/ (bind address 127.0.0.1) "
    assert hugo_ready(line) == Address(50781, "/")
    assert hugo_ready("Web Server is available at //localhost:1313/") is None
    assert hugo_ready("Change detected, rebuilding site (#1).") is None


def test_markers_are_distinct_and_none_is_a_prefix_of_another() -> None:
    words = [marker("serve", kind, n) for kind in ("body", "title") for n in range(1, 30)]
    assert len(set(words)) == len(words)
    assert not any(a != b and b.startswith(a) for a in words for b in words)
    assert all(word.isalnum() and word.islower() for word in words)


def test_edits_show_in_the_built_page(tmp_path: Path) -> None:
    project = tmp_path / "project"
    generate(project, 6)
    briefs = sorted((project / "content" / "briefs").glob("*.md"))
    body, title = briefs[1], briefs[4]
    body.write_text(edit_body(body.read_text(encoding="utf-8"), "zqbodyword"), "utf-8")
    before = title.read_text(encoding="utf-8")
    title.write_text(edit_title(before, "zqtitleword"), "utf-8")

    result = build(project, tmp_path / "site", strict=True)

    assert result.diagnostics == ()
    body_page = tmp_path / "site" / "briefs" / body.stem / "index.html"
    assert "zqbodyword" in body_page.read_text(encoding="utf-8")
    title_page = tmp_path / "site" / "briefs" / title.stem / "index.html"
    old_title = yaml.safe_load(before.split("---\n")[1])["title"]
    assert f"zqtitleword {old_title}" in title_page.read_text(encoding="utf-8")
    index = (tmp_path / "site" / "briefs" / "index.html").read_text(encoding="utf-8")
    assert "zqtitleword" in index


@pytest.mark.parametrize(
    ("line", "edited"),
    [
        ('title: "Talks \\"resume\\""', 'title: "zqw Talks \\"resume\\""'),
        ("title: 'Talks resume'", "title: 'zqw Talks resume'"),
        ("title: Talks resume", "title: zqw Talks resume"),
    ],
)
def test_edit_title_keeps_the_quoting(line: str, edited: str) -> None:
    text = f"---\n{line}\ndate: 2024-01-02\n---\n\ntitle: in the body stays\n"
    assert (
        edit_title(text, "zqw")
        == f"---\n{edited}\ndate: 2024-01-02\n---\n\ntitle: in the body stays\n"
    )


def test_edit_title_refuses_a_file_without_a_title() -> None:
    with pytest.raises(ValueError, match="no front matter"):
        edit_title("# Just Markdown\n", "zqw")
    with pytest.raises(ValueError, match="no title: line"):
        edit_title("---\ndate: 2024-01-02\n---\n\ntitle: body text\n", "zqw")


def test_spread_picks_distinct_items_the_same_way_each_time() -> None:
    items = list(range(100))
    picked = spread(items, 10)
    assert picked == spread(items, 10)
    assert len(set(picked)) == 10
    assert picked[0] == 0 and picked[-1] > 80  # through the whole list, not its start
    assert set(spread(items, 10, offset=1)).isdisjoint(picked)
    assert spread(items[:3], 5) == [0, 1, 2, 0, 1]  # fewer items than edits: they repeat
    assert spread([], 3) == []


def test_spread_of_latencies() -> None:
    assert Spread.of([0.3, 0.1, 0.2]) == Spread(0.2, 0.1, 0.3, 3)
    assert Spread.of([]) is None


# A stand-in server: serves a folder over HTTP on 127.0.0.1 and never rebuilds, so no
# edit ever shows; it says it is ready the way `briefgen serve` does, and ignores Ctrl-C
# as a server stuck in its first build would.
STATIC_SERVER = """
import http.server, os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_IGN)
os.chdir(sys.argv[1])
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
print(f"serving http://127.0.0.1:{server.server_port}/ (Ctrl-C to stop)", flush=True)
server.serve_forever()
"""


def test_an_edit_that_never_shows_is_a_failure_and_the_server_is_stopped(
    tmp_path: Path,
) -> None:
    site = tmp_path / "site"
    briefs = tmp_path / "content" / "briefs"
    for name in ("alpha", "beta"):
        (site / "briefs" / name).mkdir(parents=True)
        (site / "briefs" / name / "index.html").write_text(f"<h1>{name}</h1>", "utf-8")
        briefs.mkdir(parents=True, exist_ok=True)
        (briefs / f"{name}.md").write_text(f'---\ntitle: "{name}"\n---\n\nText.\n', "utf-8")
    (site / "briefs" / "index.html").write_text(
        '<a href="/briefs/alpha/">alpha</a> <a href="/briefs/beta/">beta</a>', "utf-8"
    )
    script = tmp_path / "server.py"
    script.write_text(STATIC_SERVER, "utf-8")
    server = Server(
        "stand-in", [sys.executable, str(script), str(site)], tmp_path, briefgen_ready, grace=0.5
    )
    said: list[str] = []

    started = time.perf_counter()
    measured = measure_latency(
        server,
        Site(sorted(briefs.glob("*.md")), lambda brief_id: f"briefs/{brief_id}/"),
        2,
        start_deadline=20,
        deadline=0.3,
        say=said.append,
    )

    assert time.perf_counter() - started < 20  # bounded, even on a busy machine
    assert measured.failure == (
        "the body edit of alpha.md was not visible at /briefs/alpha/ within 0.3 s"
    )
    assert measured.body == [] and said == []
    assert re.search(r"zqserve\d{5}body0001x", (briefs / "alpha.md").read_text(encoding="utf-8"))
    assert server.process is not None and server.process.poll() is not None
    with pytest.raises(ProcessLookupError):
        os.killpg(server.process.pid, 0)  # the whole group is gone


def test_a_server_that_exits_before_serving_is_a_failure(tmp_path: Path) -> None:
    server = Server(
        "broken",
        [sys.executable, "-c", "print('error: no briefgen.toml here'); raise SystemExit(2)"],
        tmp_path,
        briefgen_ready,
    )
    measured = measure_latency(server, Site([], lambda i: i), 1, start_deadline=20)
    assert measured.failure == (
        "broken exited with code 2 before serving: error: no briefgen.toml here"
    )


def test_a_server_hung_in_its_first_build_is_restarted_then_a_failure(tmp_path: Path) -> None:
    # Prints nothing and uses no CPU, as `briefgen serve` did when a forked worker of its
    # first build never ended.
    server = Server(
        "asleep",
        [sys.executable, "-c", "import time; time.sleep(60)"],
        tmp_path,
        briefgen_ready,
        grace=0.5,
        stall=0.5,
    )
    started = time.perf_counter()
    measured = measure_latency(server, Site([], lambda i: i), 1, start_deadline=20)

    assert time.perf_counter() - started < 20  # bounded, even on a busy machine
    assert measured.hangs == ["asleep used no CPU for 0.5 s in its first build (hung)"] * 3
    assert measured.failure == "asleep used no CPU for 0.5 s in its first build (hung):"
    assert server.process is not None and server.process.poll() is not None
