"""``briefgen export ftm``: FollowTheMoney entities, validated by the followthemoney library."""

from __future__ import annotations

import importlib
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from briefgen.cli import main

from .conftest import IN_CI, REPO

try:
    # As Any: the types differ with the library installed or not, and mypy runs on both.
    ftm: Any = importlib.import_module("followthemoney")
except ImportError:  # pragma: no cover - the machine could not build pyicu
    if IN_CI:
        raise
    pytest.skip(
        "the ftm extra is not installed (pyicu needs a C++ compiler and libicu-dev)",
        allow_module_level=True,
    )


def _entities(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    out = tmp_path_factory.mktemp("ftm") / "briefing.ftm.json"
    result = CliRunner().invoke(main, ["export", "ftm", "--project", str(REPO), "-o", str(out)])
    assert result.exit_code == 0, result.output
    entities = _entities(out.read_text(encoding="utf-8"))
    assert f"wrote {len(entities)} entities to {out}" in result.stderr
    return entities


def test_every_entity_is_valid_for_its_schema(exported: list[dict[str, Any]]) -> None:
    model = ftm.model
    ids = {entity["id"] for entity in exported}
    assert len(ids) == len(exported), "entity ids are unique"
    for entity in exported:
        schema = model.get(entity["schema"])
        assert schema is not None and not schema.abstract, entity
        schema.validate(entity)
        for name in schema.required:
            assert entity["properties"].get(name), (entity["id"], name)
        for name, values in entity["properties"].items():
            prop = schema.properties[name]
            if prop.type.name == "entity":
                # Every reference points to an entity of the export, of the right schema.
                for value in values:
                    target = next(e for e in exported if e["id"] == value)
                    assert model.get(target["schema"]).is_a(prop.range), (entity["id"], name)


def test_the_briefing_maps_onto_followthemoney(exported: list[dict[str, Any]]) -> None:
    by_id = {entity["id"]: entity for entity in exported}
    trump = by_id["briefgen-actor-donald-trump"]
    assert trump["schema"] == "Person"
    assert trump["properties"]["wikidataId"] == ["Q22686"]
    assert by_id["briefgen-actor-russia"]["schema"] == "PublicBody"
    assert by_id["briefgen-actor-exxon-mobil"]["schema"] == "Organization"
    held = [
        (
            by_id[o["properties"]["post"][0]]["properties"]["name"][0],
            o["properties"].get("startDate"),
        )
        for o in exported
        if o["schema"] == "Occupancy" and o["properties"]["holder"] == [trump["id"]]
    ]
    assert held == [
        ("President-elect of the United States", ["2016-11-09"]),
        ("President of the United States", ["2017-01-20"]),
    ]
    counts = Counter(entity["schema"] for entity in exported)
    assert counts["Article"] == 2  # the two news sources
    assert counts["Event"] == 9
    assert counts["Documentation"] > 0  # statements
    aleppo = next(
        e for e in exported if e["schema"] == "Event" and "Aleppo" in e["properties"]["name"][0]
    )
    assert aleppo["properties"]["startDate"] == ["2016-12"]
    assert aleppo["properties"]["description"] == ["c. December 2016"]
    assert aleppo["properties"]["proof"] == ["briefgen-source-haaretz-2017-01-17"]


def test_the_export_prints_to_standard_output(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["export", "ftm", "--project", str(REPO)])
    assert result.exit_code == 0, result.output
    first = _entities(result.stdout)[0]
    assert first["id"].startswith("briefgen-actor-")
