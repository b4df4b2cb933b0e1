"""Rendering: template overrides, escaping, sub-path URLs."""

from __future__ import annotations

import re

import pytest

from briefgen.errors import ConfigError

from .conftest import Project


def test_project_template_overrides_builtin_file_by_file(project: Project) -> None:
    project.write(
        "templates/tag.html",
        """
        {% extends "base.html" %}
        {% block main %}<h1 class="custom">Tagged {{ node.name }}</h1>{% endblock %}
        """,
    )
    project.build()
    assert '<h1 class="custom">Tagged syria</h1>' in project.page("tags/syria/index.html")
    # Other pages still come from the built-in theme.
    assert 'class="statement"' in project.page("briefs/invitation/index.html")


def test_front_matter_is_escaped(project: Project) -> None:
    project.write(
        "content/briefs/sanctions.md",
        '---\ntitle: "<script>alert(1)</script> & co"\ndate: 2017-01-16\nsummary: "a \\"quoted\\" <b>"\n---\n[[Trump]]\n',
    )
    project.build()
    page = project.page("briefs/sanctions/index.html")
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page
    assert 'content="a &#34;quoted&#34; &lt;b&gt;"' in page


def test_every_link_is_under_the_sub_path(project: Project) -> None:
    project.write("briefgen.toml", 'title = "T"\nbase_url = "https://host/briefing/"\n')
    project.write("static/img/map.png", "png")
    project.build()
    page = project.page("briefs/invitation/index.html")
    assert re.search(r'href="/briefing/assets/style\.[0-9a-f]{10}\.css"', page)
    assert 'href="/briefing/actors/sergei-lavrov/"' in page
    assert '<link rel="canonical" href="https://host/briefing/briefs/invitation/">' in page
    assert 'href="/actors/' not in page
    assert (project.out / "img" / "map.png").read_text() == "png"


def test_template_syntax_error_names_template_and_line(project: Project) -> None:
    project.write("templates/tags.html", "{% extends 'base.html' %}\n{% block main %}\n{% if %}\n")
    with pytest.raises(ConfigError) as caught:
        project.build()
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.path == "templates/tags.html"
    assert diagnostic.line == 3
    assert "template syntax error" in diagnostic.message


def test_plain_text_outputs_are_not_html_escaped(project: Project) -> None:
    """_redirects is plain text: '&amp;' there would be a path no browser ever asks for."""
    project.write("briefgen.toml", 'title = "T"\nbase_url = "https://host/briefing"\n')
    path = project.root / "content/briefs/sanctions.md"
    aliases = 'aliases: [/briefs/rock&roll/, "/briefs/it\'s/", /briefs/café/, /briefs/a%C3%A9/]'
    path.write_text(path.read_text().replace("tags: [sanctions]", f"tags: [sanctions]\n{aliases}"))
    project.build()
    assert project.page("_redirects").splitlines() == [
        "/briefing/briefs/rock&roll/ /briefing/briefs/sanctions/ 301",
        "/briefing/briefs/it's/ /briefing/briefs/sanctions/ 301",
        # Beyond ASCII, encoded as browsers send it; an alias written encoded stays as it is.
        "/briefing/briefs/caf%C3%A9/ /briefing/briefs/sanctions/ 301",
        "/briefing/briefs/a%C3%A9/ /briefing/briefs/sanctions/ 301",
    ]


def test_only_markup_templates_escape(project: Project) -> None:
    project.write("templates/_redirects.txt", "{{ '<b>&' }}\n")
    project.write(
        "templates/404.html",
        "{% extends 'base.html' %}{% block main %}{{ '<b>&' }}{% endblock %}",
    )
    project.build()
    assert project.page("_redirects") == "<b>&\n"
    assert "&lt;b&gt;&amp;" in project.page("404.html")
