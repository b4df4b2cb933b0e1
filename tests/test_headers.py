"""The headers the preview sends: netlify.toml's rules, and the policy adapted to the preview."""

from __future__ import annotations

import tomllib

import pytest

from briefgen.errors import ConfigError
from briefgen.headers import (
    THEME_HEADERS,
    HeaderRule,
    parse_header_rules,
    preview_policy,
    read_header_rules,
    style_hash,
)

from .conftest import REPO, Project

ORIGIN = "http://127.0.0.1:8000"


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("/*", "/", True),
        ("/*", "/briefs/x/", True),
        ("/assets/*", "/assets/style.css", True),
        ("/assets/*", "/briefs/x/", False),
        ("/briefs/:slug/", "/briefs/x/", True),
        ("/briefs/:slug/", "/briefs/x/y/", False),
        ("/feed.xml", "/feed.xml", True),
        ("/feed.xml", "/feedxxml", False),  # the dot is literal
        ("/[a]", "/a", False),  # so are brackets
    ],
)
def test_netlify_patterns(pattern: str, path: str, matches: bool) -> None:
    assert HeaderRule(pattern, ()).matches(path) is matches


def test_later_rules_add_to_earlier_ones_and_caching_stays_with_the_preview() -> None:
    rules = read_header_rules(REPO)
    assert rules.source == "netlify.toml"
    asset = rules.for_path("/assets/style.0123456789.css")
    assert asset["X-Frame-Options"] == "DENY"
    assert asset["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "Cache-Control" not in rules.for_preview("/assets/style.0123456789.css")


def test_theme_defaults_are_the_example_site_s_production_headers(project: Project) -> None:
    """A project without netlify.toml is previewed with what the example site deploys with."""
    production = tomllib.loads((REPO / "netlify.toml").read_text())
    (every_page,) = [rule["values"] for rule in production["headers"] if rule["for"] == "/*"]
    rules = read_header_rules(project.root)
    assert rules.source == "theme defaults"
    assert rules.for_path("/briefs/x/") == every_page
    assert THEME_HEADERS.is_file()


def test_a_value_written_over_several_lines_is_one_line() -> None:
    text = '[[headers]]\n  for = "/*"\n  [headers.values]\n    X-Test = """\n      a;\n      b"""\n'
    assert parse_header_rules(text, "netlify.toml").for_path("/") == {"X-Test": "a; b"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[[headers]]\n  for = "/*"\n  [headers.values]\n    X-Frame-Options = DENY\n',
            "netlify.toml:4:23: error: invalid TOML: Invalid value",
        ),
        (
            "[headers]\n  for = '/*'\n",
            "netlify.toml:1:1: error: 'headers' must be a list of tables (write each rule as"
            ' [[headers]] with for = "/*" and a [headers.values] table)',
        ),
        (
            '[build]\n  publish = "site"\n\n[[headers]]\n  fro = "/*"\n',
            "netlify.toml:4:1: error: a [[headers]] rule needs 'for', a path starting with '/'"
            ' (missing) (add for = "/*" for every page)',
        ),
        (
            '[[headers]]\n  for = "*"\n',
            "netlify.toml:1:1: error: a [[headers]] rule needs 'for', a path starting with '/'"
            " ('*') (add for = \"/*\" for every page)",
        ),
        (
            '[[headers]]\n  for = "/*"\n[[headers]]\n  for = "/a/*"\n  [headers.values]\n    X-Max = 3\n',
            "netlify.toml:6:1: error: header 'X-Max' must be text, not 3 (quote it)",
        ),
        (
            '[[headers]]\n  for = "/*"\n  [headers.values]\n    "X Frame" = "DENY"\n',
            "netlify.toml:4:1: error: 'X Frame' is not a valid HTTP header name"
            " (header names are letters, digits and '-', e.g. X-Frame-Options)",
        ),
    ],
)
def test_mistakes_in_netlify_toml(text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_header_rules(text, "netlify.toml")
    assert [d.format() for d in caught.value.diagnostics] == [expected]


def directives(policy: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def test_policy_for_the_preview_adds_only_the_reload_script_and_socket() -> None:
    policy = "default-src 'self'; script-src 'self'; connect-src 'self'; upgrade-insecure-requests"
    assert directives(preview_policy(policy, ORIGIN)) == {
        "default-src": ["'self'"],
        "script-src": ["'self'"],  # 'self' already covers /livereload.js
        "connect-src": ["'self'", "ws://127.0.0.1:8000/livereload"],
    }


def test_policy_that_allows_no_script_gets_exactly_the_reload_script() -> None:
    policy = "default-src 'none'; style-src 'self'"
    assert directives(preview_policy(policy, ORIGIN)) == {
        "default-src": ["'none'"],
        "style-src": ["'self'"],
        "script-src": ["http://127.0.0.1:8000/livereload.js"],
        "connect-src": ["ws://127.0.0.1:8000/livereload"],
    }


def test_policy_without_default_src_is_left_open_where_it_was() -> None:
    assert directives(preview_policy("img-src 'self'", ORIGIN)) == {"img-src": ["'self'"]}


def test_error_page_style_is_allowed_by_its_hash() -> None:
    policy = preview_policy("default-src 'self'", ORIGIN, inline_styles=["body { color: red }"])
    style_src = directives(policy)["style-src"]
    assert style_src == ["'self'", style_hash("body { color: red }")]
    assert style_hash("body { color: red }").startswith("'sha256-")
