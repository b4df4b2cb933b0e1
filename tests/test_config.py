"""briefgen.toml: values, defaults and the errors a typo gets."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.config import Config, load_config, parse_config
from briefgen.errors import ConfigError


def messages(text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    assert caught.value.exit_code == 2
    return [d.format() for d in caught.value.diagnostics]


def test_values_and_defaults() -> None:
    config = parse_config('title = "T"\nbase_url = "https://host/briefing"\n')
    assert config == Config(title="T", base_url="https://host/briefing/")
    assert config.language == "en"
    assert config.urls.base_path == "/briefing/"
    assert config.origin == "https://host"
    assert config.absolute_base == "https://host/briefing/"


def test_path_base_url_has_no_origin() -> None:
    config = parse_config('title = "T"\nbase_url = "/docs/"\n')
    assert config.origin == ""
    assert config.urls.page("actors") == "/docs/actors/"


def test_unknown_key_proposes_the_known_one() -> None:
    assert messages('title = "T"\nlangauge = "en"\n') == [
        "briefgen.toml:2:1: error: unknown setting 'langauge' (did you mean 'language'?)"
    ]


def test_wrong_type_quotes_value() -> None:
    assert messages('title = "T"\nlatest = "ten"\n') == [
        "briefgen.toml:2:1: error: 'latest' must be a whole number, not 'ten'"
    ]


def test_toml_syntax_error_has_position() -> None:
    (message,) = messages('title = "T"\nbase_url = \n')
    assert message.startswith("briefgen.toml:2:")
    assert "invalid TOML" in message


def test_missing_title() -> None:
    assert messages('language = "en"\n') == [
        "briefgen.toml:1:1: error: missing setting 'title' (add title = \"My briefing\")"
    ]


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"no briefgen\.toml"):
        load_config(tmp_path)


def test_config_that_is_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "briefgen.toml").write_bytes(b'title = "\xff"\n')
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(tmp_path)


def test_check_table() -> None:
    config = parse_config(
        'title = "T"\n[check]\nskip = ["^https://paywalled\\\\.example/"]\ntimeout = 2.5\ncache_hours = 6\n'
    )
    assert config.check.skip == ("^https://paywalled\\.example/",)
    assert config.check.timeout == 2.5
    assert config.check.cache_hours == 6
    assert config.check.per_host == 2


def test_check_table_errors() -> None:
    assert messages(
        'title = "T"\n[check]\ntimout = 3\nskip = ["(unclosed"]\nconcurrency = 0\n'
    ) == [
        "briefgen.toml:3:1: error: unknown setting 'check.timout' (did you mean 'timeout'?)",
        "briefgen.toml:5:1: error: 'check.concurrency' must be at least 1",
        "briefgen.toml:4:1: error: check.skip pattern '(unclosed' is invalid: missing ), unterminated subpattern at position 0",
    ]


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        ("/", "/"),
        ("/docs", "/docs/"),
        ("https://host", "https://host/"),
        ("https://host:8443/briefing", "https://host:8443/briefing/"),
        ("http://host/a%20b/", "http://host/a%20b/"),
        ("/briefing/2017-01/", "/briefing/2017-01/"),
    ],
)
def test_base_url_gets_its_trailing_slash(written: str, kept: str) -> None:
    config = parse_config(f'title = "T"\nbase_url = "{written}"\n')
    assert config.base_url == kept
    assert config.urls.page("actors").startswith(config.urls.base_path)


@pytest.mark.parametrize(
    ("written", "problem", "fix"),
    [
        ("/a b/", "is not a clean URL path: it has a space", "/a-b/"),
        ("/../", "is not a clean URL path: it has a '..' segment", "/"),
        ("/docs/./x", "is not a clean URL path: it has a '.' segment", "/docs/x/"),
        ("/docs?v=2", "is not a clean URL path: it has a query ('?')", "/docs/"),
        ("/docs/#top", "is not a clean URL path: it has a fragment ('#')", "/docs/"),
        ("/a//b/", "is not a clean URL path: it has an empty segment ('//')", "/a/b/"),
        ("/100%/", "is not a clean URL path: it has the character '%' (not %-encoded)", "/100%25/"),
        (
            "/brèves/",
            "is not a clean URL path: it has the character 'è' (not %-encoded)",
            "/br%C3%A8ves/",
        ),
        (
            "https://host/my site/../x?a#b",
            "is not a clean URL path: it has a query ('?'), a fragment ('#'), a space and a '..' segment",
            "https://host/x/",
        ),
        (
            "ftp://host/x/",
            "is neither an http(s) URL nor a path starting with '/'",
            "https://host/x/",
        ),
        ("//host/x/", "is neither an http(s) URL nor a path starting with '/'", "https://host/x/"),
        ("briefing/", "is neither an http(s) URL nor a path starting with '/'", "/briefing/"),
        ("https://u:secret@host/", "has a user name in it", "https://host/"),
        ("https://host:80x/", "has a port that is not a number", "https://host/"),
    ],
)
def test_base_url_must_be_a_clean_url_or_path(written: str, problem: str, fix: str) -> None:
    text = f'title = "T"\n\nbase_url   =  "{written}"\n'
    assert messages(text) == [
        f"briefgen.toml:3:15: error: base_url '{written}' {problem} (write base_url = \"{fix}\")"
    ]
    # The proposed fix is accepted as it is.
    assert parse_config(f'title = "T"\nbase_url = "{fix}"\n').base_url == fix


def test_base_url_without_a_host_asks_for_one() -> None:
    assert messages('title = "T"\nbase_url = "https:///briefing/"\n') == [
        "briefgen.toml:2:12: error: base_url 'https:///briefing/' has no host "
        '(name the host, e.g. base_url = "https://example.org/briefing/")'
    ]


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "0", "-1.5"])
def test_check_seconds_must_bound_a_wait(value: str) -> None:
    # TOML reads nan and inf as floats: neither bounds anything.
    assert messages(f'title = "T"\n[check]\nmax_seconds = {value}\ntimeout = {value}\n') == [
        f"briefgen.toml:3:1: error: 'check.max_seconds' must be a finite number of seconds above 0, not {value} (e.g. max_seconds = 120)",
        f"briefgen.toml:4:1: error: 'check.timeout' must be a finite number of seconds above 0, not {value} (e.g. timeout = 10)",
    ]


def test_check_seconds_may_be_fractions_and_retries_zero() -> None:
    config = parse_config('title = "T"\n[check]\ntimeout = 0.5\nmax_seconds = 30\nretries = 0\n')
    assert (config.check.timeout, config.check.max_seconds, config.check.retries) == (0.5, 30, 0)
    assert messages('title = "T"\n[check]\nretries = -1\n') == [
        "briefgen.toml:3:1: error: 'check.retries' must be at least 0"
    ]


def test_a_key_set_twice_names_both_lines() -> None:
    # tomllib said only "Cannot overwrite a value", at the end of the second line.
    assert messages('title = "T"\nbase_url = "/"\n\nlatest = 3\nbase_url = "/x/"\n') == [
        "briefgen.toml:5:1: error: invalid TOML: 'base_url' is set twice, on lines 2 and 5 "
        "(keep one of the two)"
    ]


def test_wrong_types_are_quoted_as_toml_writes_them() -> None:
    assert messages('title = true\n[check]\nskip = ["a", false]\n') == [
        "briefgen.toml:1:1: error: 'title' must be text, not true",
        "briefgen.toml:3:1: error: 'check.skip' must be a list of text, not ['a', false]",
    ]
