"""The graph path at scale: compact ids, bulk CSR builds, walk files for word2vec."""

import networkx as nx
import numpy as np
import pytest

from deepmine.embeddings import DeepWalk, KnowledgeGraph, RDF2Vec, RandomWalker, Word2Vec
from deepmine.embeddings._graph import CSRGraph
from deepmine.embeddings._walk_corpus import WalkCorpus
from deepmine.embeddings._walks import random_walks, walk_edges
from deepmine.exceptions import DataError

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


def test_walk_writer_matches_python_formatting_and_counts(tmp_path):
    from deepmine.embeddings._walk_corpus import WalkWriter

    rng = np.random.default_rng(0)
    ids = rng.integers(0, 1234, size=(50, 7))
    cut = rng.integers(0, 8, size=50)  # 0: an empty walk, skipped
    ids[np.arange(7) >= cut[:, None]] = -1
    path = tmp_path / "w.txt"
    with open(path, "wb") as f:
        writer = WalkWriter(f, 1234)
        writer.write(ids[:20])
        writer.write(ids[20:])
    expected = [" ".join(f"{v:04d}" for v in row if v >= 0) for row in ids.tolist()]
    assert path.read_text().splitlines() == [line for line in expected if line]
    assert writer.n_walks == int((cut > 0).sum()) and writer.n_tokens == int((ids >= 0).sum())
    np.testing.assert_array_equal(writer.counts, np.bincount(ids[ids >= 0], minlength=1234))


def test_read_edge_list_equals_the_edge_list_graph(tmp_path):
    path = tmp_path / "g.edg"
    path.write_text("# comment\n1\t2\t0.5\n2 3  2.0\n3\t1\t1.0\n7\t7\t1.0\n")
    g = CSRGraph.read_edge_list(path)
    listed = CSRGraph.from_edge_list([(1, 2, 0.5), (2, 3, 2.0), (3, 1, 1.0), (7, 7, 1.0)])
    _same_csr(g, listed)
    assert [type(v) for v in g.labels] == [int] * 4
    named = tmp_path / "named.edg"
    named.write_text("a 1\n1 b\n")  # one column all digits: every label is a string
    assert list(CSRGraph.read_edge_list(named, directed=True).labels) == ["a", "1", "b"]
    bad = tmp_path / "bad.edg"
    bad.write_text("1 2 3 4\n")
    with pytest.raises(DataError, match="'u v' or 'u v weight', got 4 columns"):
        CSRGraph.read_edge_list(bad)


def test_deepwalk_from_an_edge_file_equals_the_edge_list(tmp_path):
    edges = [(i, (i * 7 + 3) % 40) for i in range(40)] + [(i, i + 1) for i in range(39)]
    path = tmp_path / "g.edg"
    path.write_text("".join(f"{u}\t{v}\n" for u, v in edges))
    emb = Word2Vec(vector_size=8, min_count=1, epochs=1, workers=1)
    kw = dict(walk_length=6, walks_per_node=2, embedder=emb, random_state=0)
    from_file = DeepWalk(**kw).fit(path)
    from_list = DeepWalk(**kw).fit(edges)
    from_array = DeepWalk(**kw).fit(np.array(edges))
    assert list(from_file.nodes_) == list(from_list.nodes_)
    np.testing.assert_array_equal(from_file.embedding_, from_list.embedding_)
    np.testing.assert_array_equal(from_array.embedding_, from_list.embedding_)


def test_write_walks_is_the_walk_file_of_fit(tmp_path, monkeypatch):
    import tempfile

    G = nx.karate_club_graph()
    dw = DeepWalk(walk_length=5, walks_per_node=2, random_state=3,
                  embedder=Word2Vec(vector_size=4, min_count=1, epochs=1))
    labels = dw.write_walks(G, tmp_path / "walks.txt")
    lines = (tmp_path / "walks.txt").read_text().splitlines()
    assert [[labels[int(t)] for t in line.split()] for line in lines] == dw.generate_walks(G)
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    fitted = dw.fit(G)  # trains from a temporary walk file, removed afterwards
    assert list(temp.iterdir()) == []
    counts = {int(k): fitted.wv_.get_vecattr(k, "count") for k in fitted.wv_.index_to_key}
    seen = np.bincount([int(t) for line in lines for t in line.split()], minlength=34)
    assert counts == {labels[i]: int(c) for i, c in enumerate(seen)}
