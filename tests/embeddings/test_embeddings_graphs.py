"""Graph embeddings: CSR graphs, the walk engine, DeepWalk, Node2Vec, Graph2Vec and WL labels."""

import networkx as nx
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline

from deepmine.embeddings import CSRGraph, DeepWalk, Graph2Vec, Node2Vec, Word2Vec
from deepmine.embeddings._graph2vec import wl_documents
from deepmine.embeddings._walks import random_walks, unique_rows
from deepmine.exceptions import DataError, InvalidParameterError


def walks_follow_edges(g, walks):
    a, b = walks[:, :-1].ravel(), walks[:, 1:].ravel()
    ok = b >= 0
    return bool(g.has_edges(a[ok], b[ok]).all())


def test_csr_graph_from_edge_list_and_networkx():
    """Labels are renumbered, undirected edges stored both ways, neighbours sorted by id."""
    g = CSRGraph.from_edge_list([("b", "c"), ("a", "b"), ("b", "b")], nodes=["z"])
    assert list(g.labels) == ["z", "b", "a", "c"]  # extra nodes, then sources, then targets
    assert g.n_edges == 5  # the self-loop is stored once
    assert sorted(g.neighbors("b")) == ["a", "b", "c"] and len(g.neighbors("z")) == 0
    h = CSRGraph.from_networkx(nx.DiGraph([(1, 2), (2, 3)]))
    assert h.directed and list(h.neighbors(2)) == [3]
    with pytest.raises(DataError, match=r"\['q'\] not in the graph"):
        g.node_ids(["a", "q"])
    with pytest.raises(DataError, match="positive"):
        CSRGraph.from_edge_list([("a", "b", -1.0)])


def test_random_walks_follow_edges_reproducibly_and_stop_at_dead_ends():
    """Every step is an edge, a seed fixes the walks, a sink ends a directed walk."""
    G = nx.gnm_random_graph(200, 600, seed=0, directed=True)
    g = CSRGraph.from_networkx(G)
    starts = np.repeat(np.arange(g.n_nodes), 3)
    w1 = random_walks(g, starts, 12, np.random.default_rng(1))
    w2 = random_walks(g, starts, 12, np.random.default_rng(1))
    np.testing.assert_array_equal(w1, w2)
    assert walks_follow_edges(g, w1)
    path = CSRGraph.from_networkx(nx.DiGraph([(0, 1), (1, 2)]))
    w = random_walks(path, np.array([0, 2]), 5, np.random.default_rng(0))
    np.testing.assert_array_equal(w, [[0, 1, 2, -1, -1], [2, -1, -1, -1, -1]])


def test_weighted_walks_follow_weights():
    """Transition frequencies match edge weights."""
    g = CSRGraph.from_edge_list([("c", "a", 1.0), ("c", "b", 9.0)], directed=True)
    w = random_walks(g, np.zeros(20000, dtype=np.int64), 2, np.random.default_rng(0))
    share_b = np.mean(g.labels[w[:, 1]] == "b")
    assert share_b == pytest.approx(0.9, abs=0.01)


@pytest.mark.parametrize("p, q", [(2.0, 0.5), (0.25, 4.0)])
def test_node2vec_second_order_bias_matches_theory(p, q):
    """From t -> v the next node is t, a common neighbour x, or a far node y in ratio 1/p : 1 : 1/q."""
    g = CSRGraph.from_edge_list([("t", "v"), ("t", "x"), ("v", "x"), ("v", "y")])
    t, v = g.node_ids(["t", "v"])
    walks = random_walks(g, np.full(60000, t), 3, np.random.default_rng(0), p=p, q=q)
    third = g.labels[walks[walks[:, 1] == v, 2]]
    weights = np.array([1 / p, 1.0, 1 / q])
    expected = weights / weights.sum()
    observed = [np.mean(third == n) for n in ("t", "x", "y")]
    np.testing.assert_allclose(observed, expected, atol=0.015)


def test_unique_rows_keeps_first_occurrences_in_order():
    """Duplicate walks are dropped; the survivors keep their order."""
    x = np.array([[1, 2], [0, 1], [1, 2], [0, -1], [0, 1]])
    np.testing.assert_array_equal(unique_rows(x), [[1, 2], [0, 1], [0, -1]])


def test_deepwalk_separates_karate_factions():
    """DeepWalk vectors predict the karate club split; walks can be exported with labels."""
    G = nx.karate_club_graph()
    y = np.array([G.nodes[v]["club"] == "Mr. Hi" for v in G.nodes()])
    dw = DeepWalk(walk_length=20, walks_per_node=20, random_state=0,
                  embedder=Word2Vec(vector_size=16, window=5, min_count=1, epochs=3))
    X = dw.fit_transform(G)
    assert X.shape == (34, 16) and list(dw.nodes_) == list(G.nodes())
    assert cross_val_score(LogisticRegression(), X, y, cv=3).mean() >= 0.85
    np.testing.assert_array_equal(dw.transform([33, 0]), X[[33, 0]])
    walks = DeepWalk(walk_length=5, walks_per_node=2, random_state=0).generate_walks(G)
    assert len(walks) == 68 and all(G.has_edge(a, b) for w in walks for a, b in zip(w, w[1:]))
    with pytest.raises(DataError, match="not in the graph"):
        dw.transform([99])


def test_node2vec_edge_list_input_and_params():
    """Node2Vec accepts an edge list, is reproducible, and validates p and q."""
    edges = [(i, (i + 1) % 30) for i in range(30)] + [(0, 15)]
    kw = dict(p=0.5, q=2.0, walk_length=8, walks_per_node=4, random_state=0,
              embedder=Word2Vec(vector_size=8, min_count=1, epochs=1))
    a = Node2Vec(**kw).fit_transform(edges)
    b = Node2Vec(**kw).fit_transform(np.array(edges))
    np.testing.assert_array_equal(a, b)
    with pytest.raises(InvalidParameterError, match="'q' parameter"):
        Node2Vec(q=0).fit(edges)
    with pytest.raises(DataError, match="networkx graph, a list of edges"):
        Node2Vec().fit(42)
    with pytest.raises(FileNotFoundError, match="Edge list 'graph.txt' does not exist"):
        Node2Vec().fit("graph.txt")


def test_wl_documents_are_isomorphism_invariant():
    """Relabelled copies of a graph get the same WL words; a different graph does not."""
    G = nx.gnm_random_graph(12, 20, seed=1)
    H = nx.relabel_nodes(G, {v: f"n{(v * 5) % 12}" for v in G.nodes()})
    docs = wl_documents([G, H, nx.path_graph(12)], wl_iterations_=3)
    assert sorted(docs[0]) == sorted(docs[1])
    assert sorted(docs[0]) != sorted(docs[2])
    labelled = [nx.path_graph(3), nx.path_graph(3)]
    for i, g in enumerate(labelled):
        nx.set_node_attributes(g, {0: "C", 1: "O", 2: "C" if i == 0 else "N"}, "atom")
    d = wl_documents(labelled, node_label="atom")
    assert sorted(d[0]) != sorted(d[1])
    with pytest.raises(DataError, match="without the attribute 'element'"):
        wl_documents(labelled, node_label="element")


def test_graph2vec_classifies_graph_families():
    """Cycles and stars get separable vectors; transform is deterministic."""
    rng = np.random.RandomState(0)
    graphs, y = [], []
    for i in range(40):
        n = rng.randint(6, 12)
        graphs.append(nx.cycle_graph(n) if i % 2 else nx.star_graph(n))
        y.append(i % 2)
    g2v = Graph2Vec(vector_size=16, min_count=1, epochs=20, random_state=0)
    pipe = make_pipeline(g2v, LogisticRegression())
    assert cross_val_score(pipe, graphs, y, cv=2).mean() >= 0.9
    X = g2v.fit(graphs).transform(graphs[:3])
    np.testing.assert_array_equal(X, g2v.transform(graphs[:3]))


def test_graph2vec_defaults_train_small_corpora_long_enough():
    """With no arguments a small corpus gets 100 passes and the families separate."""
    rng = np.random.RandomState(1)
    graphs = [nx.cycle_graph(rng.randint(6, 12)) if i % 2 else nx.path_graph(rng.randint(6, 12))
              for i in range(30)]
    y = np.arange(30) % 2
    g2v = Graph2Vec(random_state=0)
    assert cross_val_score(make_pipeline(g2v, LogisticRegression()), graphs, y, cv=2).mean() >= 0.9
    assert g2v.fit(graphs).epochs_ == 100
    assert Graph2Vec(epochs=3).fit(graphs).epochs_ == 3


def test_deepwalk_and_node2vec_defaults_recover_the_karate_split():
    """With no arguments both walk the same way (p = q = 1) and separate the two clubs on every seed."""
    G = nx.karate_club_graph()
    y = np.array([G.nodes[v]["club"] == "Mr. Hi" for v in G.nodes()])
    for seed in range(5):
        X = DeepWalk(random_state=seed).fit_transform(G)
        np.testing.assert_array_equal(X, Node2Vec(random_state=seed).fit_transform(G))
        assert cross_val_score(LogisticRegression(), X, y, cv=3).mean() >= 0.9
    assert DeepWalk().get_params()["walk_length"] == Node2Vec().get_params()["walk_length"]


def test_adjacency_matrices_are_graphs_and_a_small_square_array_says_how():
    """A dense or sparse adjacency matrix gives the graph networkx gives (same walks, same
    vectors); an asymmetric one needs directed=True; a 3x3 array is an edge list, and its
    error names the way to pass an adjacency matrix."""
    import networkx as nx
    import scipy.sparse

    from deepmine.embeddings import DeepWalk
    from deepmine.embeddings._node import as_csr_graph

    G = nx.karate_club_graph()
    A = nx.to_numpy_array(G, weight=None)
    kw = dict(walk_length=10, walks_per_node=2, weight=None, random_state=0,
              embedder=Word2Vec(vector_size=8, min_count=1, epochs=1))
    want = DeepWalk(**kw).fit(G).transform(list(G))
    for X in (A, scipy.sparse.csr_matrix(A)):
        g = as_csr_graph(X)
        assert (g.n_nodes, g.n_edges, g.weights) == (34, 156, None)
        np.testing.assert_array_equal(DeepWalk(**kw).fit(X).transform(list(G)), want)
    weighted = as_csr_graph(2.5 * A)
    np.testing.assert_array_equal(weighted.weights, np.full(156, 2.5))
    with pytest.raises(DataError, match="not symmetric; pass directed=True"):
        as_csr_graph(np.triu(A))
    assert as_csr_graph(np.triu(A), directed=True).n_edges == 78
    with pytest.raises(DataError, match=r"3x3 array is read as an edge list.*csr_matrix\(A\)"):
        as_csr_graph(np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]]))
