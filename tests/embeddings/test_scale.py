"""The graph path at scale: compact ids, bulk CSR builds, walk files for word2vec."""

import networkx as nx
import numpy as np
import pytest

from deepmine.embeddings import DeepWalk, KnowledgeGraph, RDF2Vec, RandomWalker, Word2Vec
from deepmine.embeddings._graph import CSRGraph
from deepmine.embeddings._walks import WalkCorpus, random_walks, walk_edges

NT = """<http://x/a> <http://x/knows> <http://x/b> .
<http://x/b> <http://x/knows> <http://x/c> .
<http://x/c> <http://x/likes> <http://x/a> .
<http://x/a> <http://x/name> "Alice Smith" .
<http://x/b> <http://x/name> "Bob" .
_:n1 <http://x/likes> <http://x/c> .
"""


@pytest.fixture
def nt_path(tmp_path):
    path = tmp_path / "g.nt"
    path.write_text(NT)
    return path


def test_ids_are_int32(nt_path):
    kg = KnowledgeGraph.load(nt_path)
    g = kg.graph
    assert g.indices.dtype == np.int32 and g.edge_types.dtype == np.int32
    assert list(g.labels[:3]) == ["http://x/a", "http://x/b", "http://x/c"]  # first appearance
    assert kg.is_literal.tolist() == [False, False, False, False, True, True]  # subjects first
    assert g.labels[3] == "_:n1"
    walks = random_walks(g, np.arange(g.n_nodes), 4, np.random.default_rng(0))
    assert walks.dtype == np.int32 and walks.shape == (g.n_nodes, 4)
    only_nodes = walk_edges(g, np.arange(g.n_nodes), 3, np.random.default_rng(0), edges=False)
    np.testing.assert_array_equal(only_nodes, walks)


def _same_csr(a, b):
    np.testing.assert_array_equal(a.indptr, b.indptr)
    np.testing.assert_array_equal(a.indices, b.indices)
    if a.weights is None or b.weights is None:
        assert a.weights is None and b.weights is None
    else:
        np.testing.assert_array_equal(a.weights, b.weights)
    assert list(a.labels) == list(b.labels) and a.directed == b.directed


@pytest.mark.parametrize("kind", [nx.Graph, nx.DiGraph, nx.MultiGraph])
def test_networkx_bulk_csr_equals_edge_list_csr(kind):
    rng = np.random.default_rng(0)
    G = kind()
    G.add_nodes_from(["iso", 7])
    for u, v in rng.integers(0, 12, size=(40, 2)).tolist():
        G.add_edge(f"n{u}", f"n{v}", weight=float(rng.integers(1, 4)))
    bulk = CSRGraph.from_networkx(G)
    rows = [(u, v, w) for u, v, w in G.edges(data="weight")]
    listed = CSRGraph.from_edge_list(rows, directed=G.is_directed(), nodes=list(G.nodes()))
    _same_csr(bulk, listed)
    unweighted = CSRGraph.from_networkx(G, weight=None)
    assert unweighted.weights is None
    np.testing.assert_array_equal(unweighted.indices, listed.indices)


def test_walk_file_round_trip(tmp_path):
    table = np.array(["a b", "c", "d"], dtype=object)
    corpus = WalkCorpus(np.array([[0, 1, -1], [2, 0, 1], [1, -1, -1]]), table)
    path = corpus.write(tmp_path / "walks.txt", chunk_size=2)
    with open(path) as f:
        lines = [[table[int(t)] for t in line.split()] for line in f]
    assert lines == list(corpus) == [["a b", "c"], ["d", "a b", "c"], ["c"]]


def test_deepwalk_walks_path_trains_the_same_vectors(tmp_path):
    G = nx.karate_club_graph()
    emb = Word2Vec(vector_size=8, min_count=1, epochs=1, workers=1)
    kw = dict(walk_length=10, walks_per_node=3, embedder=emb, random_state=0)
    in_memory = DeepWalk(**kw).fit(G)
    path = tmp_path / "walks.txt"
    from_file = DeepWalk(**kw, walks_path=path).fit(G)
    assert path.stat().st_size > 0
    assert sorted(from_file.wv_.index_to_key) == sorted(in_memory.wv_.index_to_key)
    np.testing.assert_allclose(from_file.embedding_, in_memory.embedding_, atol=1e-6)


def test_rdf2vec_walks_path_keeps_tokens_with_spaces(nt_path, tmp_path):
    rdf2vec = RDF2Vec(RandomWalker(depth=2, walks_per_entity=5),
                      Word2Vec(vector_size=4, min_count=1, epochs=1), random_state=0,
                      walks_path=tmp_path / "walks.txt")
    X = rdf2vec.fit_transform(nt_path, ["http://x/a", "http://x/b"])
    assert X.shape == (2, 4)
    assert '"Alice Smith"' in rdf2vec.wv_.key_to_index
    assert "http://x/knows" in rdf2vec.wv_.key_to_index


def test_word2vec_reads_a_file_with_several_workers(tmp_path):
    path = tmp_path / "corpus.txt"
    path.write_text("a b c d\nb c d e\nc d e a\n" * 50)
    w2v = Word2Vec(vector_size=4, min_count=1, epochs=2, workers=2, random_state=0).fit(path)
    assert w2v.corpus_total_words_ == 600
    assert sorted(w2v.wv_.index_to_key) == ["a", "b", "c", "d", "e"]
