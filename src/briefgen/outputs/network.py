"""The actor network: actors as nodes, co-mentions as ties weighted by the briefs they share.

The only module that imports networkx. It makes the graph, writes it as JSON,
GEXF and GraphML for /data/, and lays out the network page's drawing at build
time with a fixed seed, so a rebuild gives the same bytes and the page needs no
JavaScript. networkx is imported when a network file or the page is made, not
with briefgen: it takes a third of a second and 25 MB, which no other command needs.
A large site's drawing keeps the most-mentioned actors and the
strongest ties among them (``[network] actors`` and ``ties``).

Everything here reads an actor's card (name, kind) and its ``actor-ties`` key
(how many briefs mention it, and who appears with it), never a title or a body.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from ..config import Config
from ..model import ACTOR_KINDS
from ..site import ActorNode, Site
from .entry import Entry, Handle, compact, fragments, json_lines

if TYPE_CHECKING:
    import networkx as nx

SEED = 12
"""The layout's seed: the same site is drawn the same way on every build."""
WIDTH, HEIGHT = 960, 640
"""The drawing's size in SVG units."""
MARGIN_X, MARGIN_Y = 100, 36
"""The room left at its edges, for the names written centred above the circles."""
LABELLED = 30
"""How many of the drawn actors, the most-mentioned, carry a visible name (all have a title)."""


def graph(site: Site, config: Config) -> nx.Graph[str]:
    """Every actor as a node (name, kind, number of briefs, URL), every pair of actors
    mentioned in the same briefs as an edge weighted by how many. Nodes and edges are
    added in sorted order, so what networkx writes does not depend on the site's order."""
    import networkx as nx

    g: nx.Graph[str] = nx.Graph()
    for actor_id, node in sorted(site.actors.items()):
        g.add_node(
            actor_id,
            label=node.actor.name,
            kind=node.actor.kind,
            briefs=len(node.briefs),
            url=config.origin + node.url,
        )
    edges = sorted(
        (actor_id, other, count)
        for actor_id, node in site.actors.items()
        for other, count in node.co_mentions
        if actor_id < other
    )
    for a, b, count in edges:
        g.add_edge(a, b, weight=count)
    return g


def network_json(handle: Handle, config: Config) -> str:
    """The graph as JSON, written from the site without networkx: each actor's node and
    its ties to actors of later ids are kept while the actor's node is the same object."""
    site = handle.raw
    kept_nodes, kept_edges = (
        fragments(handle, "network.json nodes"),
        fragments(handle, "network.json edges"),
    )
    nodes, edges = [], []
    for actor_id, node in sorted(site.actors.items()):

        def one(actor_id: str = actor_id, node: ActorNode = node) -> str:
            return compact(
                {
                    "id": actor_id,
                    "label": node.actor.name,
                    "kind": node.actor.kind,
                    "briefs": len(node.briefs),
                    "url": config.origin + node.url,
                }
            )

        def ties(actor_id: str = actor_id, node: ActorNode = node) -> str:
            return ",\n".join(
                compact({"source": actor_id, "target": other, "weight": count})
                for other, count in sorted(node.co_mentions)
                if actor_id < other
            )

        nodes.append(kept_nodes.get(actor_id, (node,), one))
        edges.append(kept_edges.get(actor_id, (node,), ties))
    kept_nodes.done()
    kept_edges.done()
    return '{\n"edges":' + json_lines(edges) + ',\n"nodes":' + json_lines(nodes) + "\n}\n"


# networkx stamps the day it wrote the file into GEXF's <meta>; a rebuild must not differ.
_GEXF_DATE = re.compile(r' lastmodifieddate="[0-9-]*"')


def network_gexf(handle: Handle, config: Config) -> str:
    import networkx as nx

    text = "\n".join(nx.generate_gexf(graph(handle.raw, config))) + "\n"
    return _GEXF_DATE.sub("", text, count=1)


def network_graphml(handle: Handle, config: Config) -> str:
    import networkx as nx

    out = io.BytesIO()
    nx.write_graphml(graph(handle.raw, config), out, encoding="utf-8")
    return out.getvalue().decode("utf-8")


def data_files() -> dict[str, Callable[..., str]]:
    """The network's files under /data/, by name."""
    return {
        "network.json": network_json,
        "network.gexf": network_gexf,
        "network.graphml": network_graphml,
    }


# ---- the drawing ----


@dataclass(frozen=True, slots=True)
class DrawnNode:
    id: str
    name: str
    kind: str
    briefs: int
    url: str
    x: float
    y: float
    r: float
    labelled: bool


@dataclass(frozen=True, slots=True)
class Tie:
    a: DrawnNode
    b: DrawnNode
    weight: int
    width: float


@dataclass(frozen=True, slots=True)
class Unplaced:
    """An actor with ties that the drawing leaves out: listed, so its page can link here."""

    id: str
    name: str
    url: str
    briefs: int


@dataclass(frozen=True, slots=True)
class Drawing:
    width: int
    height: int
    nodes: tuple[DrawnNode, ...]
    ties: tuple[Tie, ...]
    """Strongest first, then by the two actors' names (the table's order too)."""
    others: tuple[Unplaced, ...]
    """Actors with ties left out of the drawing, most-mentioned first."""
    total_actors: int
    """Actors with at least one tie."""
    total_ties: int
    kinds: tuple[str, ...]
    """The kinds of the drawn actors, in the legend's order."""


def _ranked(site: Site, ids: Iterable[str]) -> list[str]:
    """Most-mentioned first, then by id, so the order does not depend on the site's."""
    return sorted(ids, key=lambda n: (-len(site.actors[n].briefs), n))


def select(site: Site, actors: int, ties: int) -> tuple[list[str], list[tuple[str, str, int]]]:
    """The actors to draw (the most-mentioned of those with a tie, ``actors`` at most) and
    the ties among them (the strongest ``ties``; ties of equal weight go by id).

    Read from the actors' co-mentions, without a graph of the whole site: a site of
    1,000 actors has hundreds of thousands of ties, and the page draws a few."""
    connected = _ranked(site, (n for n, node in site.actors.items() if node.co_mentions))
    chosen = set(connected[:actors])
    among = sorted(
        (
            (a, b, count)
            for a in chosen
            for b, count in site.actors[a].co_mentions
            if a < b and b in chosen
        ),
        key=lambda e: (-e[2], e[0], e[1]),
    )
    kept = among[:ties]
    # An actor whose ties all fell below the cut would float alone: leave it out too.
    placed = {a for a, _, _ in kept} | {b for _, b, _ in kept}
    return _ranked(site, placed), kept


def _scale(value: float, low: float, high: float, size: int, margin: int) -> float:
    span = high - low or 1.0
    return round(margin + (value - low) / span * (size - 2 * margin), 1)


def draw(site: Site, config: Config) -> Drawing:
    """Lay out the chosen actors and ties with a spring layout of fixed seed."""
    import networkx as nx

    chosen, kept = select(site, config.network.actors, config.network.ties)
    sub: nx.Graph[str] = nx.Graph()
    sub.add_nodes_from(sorted(chosen))
    sub.add_weighted_edges_from(kept)
    positions: dict[str, Any] = (
        nx.spring_layout(sub, seed=SEED, weight="weight", iterations=100) if chosen else {}
    )
    xs = [float(p[0]) for p in positions.values()] or [0.0]
    ys = [float(p[1]) for p in positions.values()] or [0.0]
    most = max((len(site.actors[n].briefs) for n in chosen), default=1) or 1
    nodes: dict[str, DrawnNode] = {}
    for rank, n in enumerate(chosen):
        node = site.actors[n]
        nodes[n] = DrawnNode(
            id=n,
            name=node.actor.name,
            kind=node.actor.kind,
            briefs=len(node.briefs),
            url=node.url,
            x=_scale(float(positions[n][0]), min(xs), max(xs), WIDTH, MARGIN_X),
            y=_scale(float(positions[n][1]), min(ys), max(ys), HEIGHT, MARGIN_Y),
            r=round(4 + 12 * math.sqrt(len(node.briefs) / most), 1),
            labelled=rank < LABELLED,
        )
    strongest = max((w for _, _, w in kept), default=1)
    ties = sorted(
        (Tie(nodes[a], nodes[b], w, round(0.75 + 4.25 * w / strongest, 2)) for a, b, w in kept),
        key=lambda t: (-t.weight, t.a.name, t.b.name),
    )
    connected = [n for n, node in site.actors.items() if node.co_mentions]
    others = sorted(
        (
            Unplaced(n, site.actors[n].actor.name, site.actors[n].url, len(site.actors[n].briefs))
            for n in connected
            if n not in nodes
        ),
        key=lambda u: (-u.briefs, u.name, u.id),
    )
    drawn_kinds = {node.kind for node in nodes.values()}
    total_ties = sum(1 for n in connected for b, _ in site.actors[n].co_mentions if n < b)
    return Drawing(
        width=WIDTH,
        height=HEIGHT,
        # Small nodes last, so they are drawn over the large ones and stay clickable.
        nodes=tuple(sorted(nodes.values(), key=lambda d: (-d.r, d.id))),
        ties=tuple(ties),
        others=tuple(others),
        total_actors=len(connected),
        total_ties=total_ties,
        kinds=tuple(kind for kind in ACTOR_KINDS if kind in drawn_kinds),
    )


def _page_variables(handle: Handle, config: Config) -> dict[str, Any]:
    return {"drawing": draw(handle.raw, config)}


def plan(site: Site, handle: Handle, config: Config) -> Entry:
    """The network page, at /actors/network/: it reads every actor's card and ties."""
    keys = frozenset(
        {("actor", "*")}
        | {(name, actor_id) for actor_id in site.actors for name in ("actor", "actor-ties")}
    )
    return (
        "network.html",
        site.urls.page("actors", "network"),
        partial(_page_variables, handle, config),
        keys,
    )
