"""Find themes as groups of concepts that customers mention together, and assign dialogues.

Themes are not listed anywhere: they come from the data. Concepts are the nodes of a graph
whose edges count how often two concepts occur in the same sentence (or, less, in the same
dialogue), plus a weaker prior edge between concepts the lexicon marks as related, which keeps
small digests coherent; communities of that graph (Louvain modularity, deterministic order) are
the themes. Because German and English words share concept ids, the graph and its themes are
the same for both languages. A dialogue belongs to every theme its sentences score high enough
on, so a dialogue that raises two topics lands in two themes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from needfinder.insights.themes.features import DialogueFeatures

Edges = dict[str, dict[str, float]]

# A pair in one sentence is strong evidence that two concepts belong together; a pair in two
# sentences of the same dialogue is weaker (a customer with two topics links them by accident).
_SAME_SENTENCE = 1.0
_SAME_DIALOGUE = 0.35


@dataclass(frozen=True, slots=True)
class Community:
    """A group of concepts forming one theme."""

    concepts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ConceptStats:
    """Document frequencies and the resulting weights of concepts over all dialogues."""

    dialogues: int
    df: Mapping[str, int]
    weight: Mapping[str, float]

    def idf(self, concept: str) -> float:
        """Inverse dialogue frequency: rarer concepts say more about a dialogue's topic."""
        return math.log((1 + self.dialogues) / (1 + self.df.get(concept, 0))) + 1.0

    def strength(self, concept: str) -> float:
        """How much one mention of ``concept`` counts: lexicon weight times idf."""
        return self.weight.get(concept, 1.0) * self.idf(concept)


def concept_stats(
    features: Sequence[DialogueFeatures], weights: Mapping[str, float]
) -> ConceptStats:
    """Count in how many dialogues each concept occurs."""
    df: dict[str, int] = {}
    for feature in features:
        for concept in feature.concepts:
            df[concept] = df.get(concept, 0) + 1
    return ConceptStats(len(features), df, weights)


def concept_graph(
    features: Sequence[DialogueFeatures],
    stats: ConceptStats,
    min_df: int,
    related: Iterable[tuple[str, str]] = (),
    prior: float = 0.0,
) -> Edges:
    """Weighted co-occurrence edges between concepts seen in at least ``min_df`` dialogues.

    ``related`` pairs from the lexicon get an extra edge of ``prior`` times the mean data edge,
    so the prior keeps its relative strength however many dialogues there are.
    """
    kept = {c for c, n in stats.df.items() if n >= min_df}
    edges: Edges = {c: {} for c in sorted(kept)}
    for feature in features:
        pairs: dict[tuple[str, str], float] = {}
        sets = [sorted(c for c in s.concepts if c in kept) for s in feature.segments]
        for i, first in enumerate(sets):
            for a in first:
                for b in first:
                    if a < b:
                        pairs[(a, b)] = _SAME_SENTENCE
                for other in sets[i + 1 :]:
                    for b in other:
                        if a != b:
                            key = (a, b) if a < b else (b, a)
                            pairs.setdefault(key, _SAME_DIALOGUE)
        for (a, b), value in pairs.items():
            weight = value * stats.weight.get(a, 1.0) * stats.weight.get(b, 1.0)
            edges[a][b] = edges[a].get(b, 0.0) + weight
            edges[b][a] = edges[b].get(a, 0.0) + weight
    weights = [w for neighbours in edges.values() for w in neighbours.values()]
    if prior and weights:
        extra = prior * sum(weights) / len(weights)
        for a, b in related:
            if a in edges and b in edges:
                edges[a][b] = edges[a].get(b, 0.0) + extra
                edges[b][a] = edges[b].get(a, 0.0) + extra
    return edges


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


def dialogue_scores(
    feature: DialogueFeatures, communities: Sequence[Community], stats: ConceptStats
) -> list[float]:
    """How strongly one dialogue speaks about each community's topic.

    Generic concepts (lexicon weight below 1, like "people" or "time") add to a community's
    score only when the dialogue also names a specific concept of it: "nobody" alone says
    nothing about staff.
    """
    scores = [0.0] * len(communities)
    generic = [0.0] * len(communities)
    owner = {c: i for i, community in enumerate(communities) for c in community.concepts}
    for segment in feature.segments:
        for concept in segment.concepts:
            i = owner.get(concept)
            if i is not None:
                if stats.weight.get(concept, 1.0) < 1.0:
                    generic[i] += stats.strength(concept)
                else:
                    scores[i] += stats.strength(concept)
    return [s + g if s else 0.0 for s, g in zip(scores, generic, strict=True)]
