"""``briefgen check --wikidata``, against a local stand-in for the Wikidata API (never the
real one)."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from briefgen.wikidata import BATCH, fetch

from .conftest import Project

ITEMS: dict[str, Any] = {
    "Q22686": {"labels": {"en": {"language": "en", "value": "Donald Trump"}}, "aliases": {}},
    "Q159": {
        "labels": {"en": {"language": "en", "value": "Russia"}},
        "aliases": {"en": [{"language": "en", "value": "Russian Federation"}]},
    },
    "Q7747": {"labels": {"en": {"language": "en", "value": "Vladimir Putin"}}, "aliases": {}},
}


class _Api(BaseHTTPRequestHandler):
    asked: list[dict[str, list[str]]]

    def do_GET(self) -> None:
        query = parse_qs(urlsplit(self.path).query)
        type(self).asked.append(query)
        ids = query["ids"][0].split("|")
        entities = {i: ITEMS.get(i, {"id": i, "missing": ""}) for i in ids}
        body = json.dumps({"entities": entities}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def api() -> Iterator[tuple[str, list[dict[str, list[str]]]]]:
    asked: list[dict[str, list[str]]] = []
    handler = type("Api", (_Api,), {"asked": asked})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/w/api.php", asked
    server.shutdown()
    server.server_close()


def _ids(project: Project, trump: str, russia: str) -> None:
    project.write(
        "content/actors/donald-trump.md",
        f"---\nname: Donald Trump\nkind: person\naliases: [Trump]\nwikidata: {trump}\n---\n",
    )
    project.write(
        "content/actors/russia.md",
        f"---\nname: Russia\nkind: state\naliases: [Moscow]\nwikidata: {russia}\n---\n",
    )


def test_matching_names_pass(project: Project, api: tuple[str, list[Any]]) -> None:
    endpoint, asked = api
    _ids(project, "Q22686", "Q159")
    project.build()
    result = project.cli("check", "--wikidata", "--wikidata-endpoint", endpoint)
    assert result.exit_code == 0, result.output
    assert "wikidata: 0 problems" in result.output
    assert len(asked) == 1
    assert asked[0]["ids"] == ["Q159|Q22686"]
    assert asked[0]["action"] == ["wbgetentities"]


def test_a_name_that_differs_and_an_unknown_item_are_reported(
    project: Project, api: tuple[str, list[Any]]
) -> None:
    endpoint, _ = api
    _ids(project, "Q7747", "Q999999999")
    project.build()
    result = project.cli("check", "--wikidata", "--wikidata-endpoint", endpoint)
    assert result.exit_code == 1
    lines = [
        line for line in result.stderr.splitlines() if ": warning: " in line or ": error: " in line
    ]
    assert lines == [
        "content/actors/donald-trump.md:5:11: warning: actor 'donald-trump' is named 'Donald Trump', "
        "but Wikidata's Q7747 is labelled 'Vladimir Putin' "
        "(check the id; if it is right, add 'Vladimir Putin' to the actor's aliases)",
        "content/actors/russia.md:5:11: error: Wikidata has no item 'Q999999999' "
        "(check the id on the item's Wikidata page)",
    ]


def test_a_server_that_cannot_be_reached_is_one_error(project: Project) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    _ids(project, "Q22686", "Q159")
    project.build()
    endpoint = f"http://127.0.0.1:{port}/w/api.php"
    result = project.cli("check", "--wikidata", "--wikidata-endpoint", endpoint)
    assert result.exit_code == 1
    assert f"error: could not read the labels from {endpoint}" in result.stderr


def test_without_the_flag_nothing_is_asked(project: Project, api: tuple[str, list[Any]]) -> None:
    _, asked = api
    _ids(project, "Q22686", "Q159")
    project.build()
    result = project.cli("check")
    assert result.exit_code == 0, result.output
    assert asked == [] and "wikidata" not in result.output


def test_the_endpoint_must_be_a_web_address(project: Project) -> None:
    project.build()
    result = project.cli("check", "--wikidata", "--wikidata-endpoint", "wikidata.org")
    assert result.exit_code == 2
    assert "'wikidata.org' is not a web address" in result.output


def test_items_are_asked_for_in_batches(api: tuple[str, list[Any]]) -> None:
    endpoint, asked = api
    ids = [f"Q{n}" for n in range(1, BATCH + 12)]
    entities = fetch(ids, endpoint, timeout=5)
    assert len(entities) == len(ids)
    assert [len(q["ids"][0].split("|")) for q in asked] == [BATCH, 11]
