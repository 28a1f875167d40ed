"""Deterministic Louvain communities of a weighted graph.

The needs-first digest uses it to group dialogues whose needs fit none of the known needs by
the words they share (see :func:`needfinder.insights.digest.build_digest`): words are the
nodes, co-occurrence in a dialogue the edges, and each community a new need.
"""

from __future__ import annotations

from collections.abc import Mapping

Edges = dict[str, dict[str, float]]


def louvain(edges: Edges, resolution: float = 1.0) -> list[list[str]]:
    """Group graph nodes into communities by modularity (Louvain), deterministically.

    Nodes are visited in sorted order and ties go to the lower community number, so the same
    graph always gives the same communities.
    """
    members: list[list[str]] = [[node] for node in sorted(edges)]
    graph: dict[int, dict[int, float]] = {}
    index = {node: i for i, node in enumerate(sorted(edges))}
    for node, neighbours in edges.items():
        graph[index[node]] = {index[n]: w for n, w in neighbours.items()}
    while True:
        assignment = _local_moves(graph, resolution)
        if len(set(assignment.values())) == len(graph):
            break
        groups = sorted(set(assignment.values()))
        renumber = {g: i for i, g in enumerate(groups)}
        new_members: list[list[str]] = [[] for _ in groups]
        for member, group in assignment.items():
            new_members[renumber[group]] += members[member]
        new_graph: dict[int, dict[int, float]] = {i: {} for i in range(len(groups))}
        for source, targets in graph.items():
            a = renumber[assignment[source]]
            for target, weight in targets.items():
                b = renumber[assignment[target]]
                new_graph[a][b] = new_graph[a].get(b, 0.0) + weight
        members, graph = new_members, new_graph
    return [sorted(group) for group in members]


def _local_moves(graph: Mapping[int, Mapping[int, float]], resolution: float) -> dict[int, int]:
    """Louvain's first phase: move single nodes to the neighbouring community that gains most."""
    degree = {
        n: sum(w for m, w in nb.items() if m != n) + 2 * nb.get(n, 0.0) for n, nb in graph.items()
    }
    total = sum(degree.values())
    if total == 0:
        return {n: n for n in graph}
    community = {n: n for n in graph}
    community_degree = dict(degree)
    moved = True
    rounds = 0
    while moved and rounds < 50:
        moved = False
        rounds += 1
        for node in sorted(graph):
            own = community[node]
            links: dict[int, float] = {}
            for other, weight in graph[node].items():
                if other != node:
                    links[community[other]] = links.get(community[other], 0.0) + weight
            community_degree[own] -= degree[node]
            best, best_gain = (
                own,
                links.get(own, 0.0) - resolution * community_degree[own] * degree[node] / total,
            )
            for candidate in sorted(links):
                gain = (
                    links[candidate]
                    - resolution * community_degree[candidate] * degree[node] / total
                )
                if gain > best_gain + 1e-12:
                    best, best_gain = candidate, gain
            community_degree[best] += degree[node]
            if best != own:
                community[node] = best
                moved = True
    return community
