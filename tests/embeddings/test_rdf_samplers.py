"""RDF walk samplers: exact step probabilities on a hand-made graph, and the engine follows them."""

import collections
from fractions import Fraction as F

import networkx as nx
import numpy as np
import pytest

from deepmine.embeddings import (CSRGraph, KnowledgeGraph, ObjFreqSampler, ObjPredFreqSampler,
                                 PageRankSampler, PredFreqSampler, RandomWalker, UniformSampler,
                                 WideSampler)
from deepmine.embeddings._rdf_samplers import pagerank
from deepmine.exceptions import InvalidParameterError

X = "http://x/"
#: a -p-> b, a -p-> c, a -q-> d, b -p-> c, d -q-> c, e -q-> b, e -p-> a
#: in-degree a 1, b 2, c 3, d 1, e 0; out-degree a 3, b 1, c 0, d 1, e 2; p: 4 triples, q: 3
TRIPLES = ["a p b", "a p c", "a q d", "b p c", "d q c", "e q b", "e p a"]


@pytest.fixture
def kg(tmp_path):
    path = tmp_path / "g.nt"
    path.write_text("".join(f"<{X}{s}> <{X}{p}> <{X}{o}> .\n"
                            for s, p, o in (t.split() for t in TRIPLES)))
    return KnowledgeGraph.load(path)


def hops(kg, sampler, node, reverse=False):
    """{(predicate, next node): probability} of one step from ``node``."""
    from deepmine.embeddings._walks import reversed_graph

    g = reversed_graph(kg.graph) if reverse else kg.graph
    prob = sampler.edge_probabilities(kg, reverse=reverse)
    v = kg.graph.node_ids([X + node])[0]
    lo, hi = g.indptr[v], g.indptr[v + 1]
    return {(kg.predicates[g.edge_types[e]].replace(X, ""),
             g.labels[g.indices[e]].replace(X, "")): prob[e] for e in range(lo, hi)}


def assert_probs(got, expected):
    assert set(got) == set(expected)
    for k, v in expected.items():
        assert got[k] == pytest.approx(float(v), abs=1e-12), k


A = [("p", "b"), ("p", "c"), ("q", "d")]  # the hops of a


@pytest.mark.parametrize("sampler, weights", [
    (UniformSampler(), [1, 1, 1]),
    (ObjFreqSampler(), [2, 3, 1]),  # in-degree of b, c, d
    (ObjFreqSampler(inverse=True), [2, 1, 3]),  # max + min - w
    (ObjFreqSampler(split=True), [1, 1, 1]),  # w / in-degree
    (ObjFreqSampler(inverse=True, split=True), [F(2, 2), F(1, 3), F(3, 1)]),
    (PredFreqSampler(), [4, 4, 3]),
    (PredFreqSampler(inverse=True), [3, 3, 4]),
    (PredFreqSampler(split=True), [F(4, 2), F(4, 3), F(3, 1)]),
    (ObjPredFreqSampler(), [1, 2, 1]),  # (p, b) once, (p, c) twice, (q, d) once
    (ObjPredFreqSampler(inverse=True), [2, 1, 2]),
    (WideSampler(), [F(2 * 5, 2), F(1 * 5, 2), F(2 * 4, 2)]),  # (1 + out(o)) * (1 + n(p)) / 2
    (WideSampler(split=True), [F(5, 2), F(5, 6), F(4, 1)]),
])
def test_hop_probabilities_from_a(kg, sampler, weights):
    """One step from a draws each hop with probability weight / sum of weights."""
    total = sum(F(w) for w in weights)
    assert_probs(hops(kg, sampler, "a"), {h: F(w) / total for h, w in zip(A, weights)})


def test_pagerank_matches_networkx_and_weights_the_hops(kg):
    """PageRank (dangling nodes spread uniformly) equals networkx's; hops weigh pr(object)."""
    G = nx.gnm_random_graph(40, 90, seed=1, directed=True)
    G.add_nodes_from(range(40, 45))  # dangling
    g = CSRGraph.from_networkx(G)
    for alpha in (0.85, 0.5):
        ref = nx.pagerank(G, alpha=alpha, tol=1e-10, max_iter=500)
        np.testing.assert_allclose(pagerank(g, alpha=alpha, tol=1e-10, max_iter=500),
                                   [ref[v] for v in g.labels], atol=1e-8)
    G1 = nx.DiGraph([tuple(t.split()[::2]) for t in TRIPLES])
    pr = nx.pagerank(G1, alpha=0.85)
    total = pr["b"] + pr["c"] + pr["d"]
    assert_probs(hops(kg, PageRankSampler(), "a"),
                 {h: pr[h[1]] / total for h in A})
    top, low = max(pr["b"], pr["c"], pr["d"]), min(pr["b"], pr["c"], pr["d"])
    inv = {h: top + low - pr[h[1]] for h in A}
    total = sum(inv.values())
    assert_probs(hops(kg, PageRankSampler(inverse=True), "a"), {h: v / total for h, v in inv.items()})


def test_backward_hops(kg):
    """Against the edges the hop reaches a subject: node statistics stay the graph's, the
    pair count is (subject, predicate) and a node whose hops all weigh 0 stays uniform."""
    # into b: from a by p, from e by q; in-degree a 1, e 0
    assert_probs(hops(kg, ObjFreqSampler(), "b", reverse=True), {("p", "a"): 1, ("q", "e"): 0})
    assert_probs(hops(kg, ObjFreqSampler(), "a", reverse=True), {("p", "e"): 1})  # all 0: uniform
    # a has 2 p-triples as subject, e has 1 q-triple
    assert_probs(hops(kg, ObjPredFreqSampler(), "b", reverse=True),
                 {("p", "a"): F(2, 3), ("q", "e"): F(1, 3)})
    # split divides by the out-degree there: a 3, e 2
    assert_probs(hops(kg, ObjPredFreqSampler(split=True), "b", reverse=True),
                 {("p", "a"): F(4, 7), ("q", "e"): F(3, 7)})  # 2/3 : 1/2
    assert_probs(hops(kg, PredFreqSampler(), "c", reverse=True),
                 {("p", "a"): F(4, 11), ("p", "b"): F(4, 11), ("q", "d"): F(3, 11)})


@pytest.mark.parametrize("sampler, expected", [
    (ObjFreqSampler(), {"b": 2 / 6, "c": 3 / 6, "d": 1 / 6}),
    (PredFreqSampler(inverse=True), {"b": 0.3, "c": 0.3, "d": 0.4}),
])
def test_walks_follow_the_sampler(kg, sampler, expected):
    """The walk engine draws steps with the sampler's probabilities (forward and backward)."""
    walks = RandomWalker(1, 20000, with_duplicates=True, sampler=sampler).extract(
        kg, [X + "a"], random_state=0)
    c = collections.Counter(w[2].replace(X, "") for w in walks)
    for node, p in expected.items():
        assert c[node] / 20000 == pytest.approx(p, abs=0.015)
    back = RandomWalker(1, 20000, with_duplicates=True, with_reverse=True,
                        sampler=ObjPredFreqSampler()).extract(kg, [X + "b"], random_state=0)
    c = collections.Counter(w[0].replace(X, "") for w in back)
    assert c["a"] / 20000 == pytest.approx(2 / 3, abs=0.015)


def test_sampler_params_are_validated_and_nested(kg):
    """Bad sampler params fail at extract; samplers are nested params of the walker."""
    with pytest.raises(InvalidParameterError):
        RandomWalker(1, 5, sampler=ObjFreqSampler(inverse="yes")).extract(kg, [X + "a"])
    with pytest.raises(InvalidParameterError):
        RandomWalker(1, 5, sampler=PageRankSampler(alpha=2.0)).extract(kg, [X + "a"])
    walker = RandomWalker(sampler=PageRankSampler())
    assert walker.get_params()["sampler__alpha"] == 0.85
    assert walker.set_params(sampler__inverse=True).sampler.inverse is True
