"""Knowledge graphs, RDF walks and RDF2Vec (on a synthetic graph and on the bundled MUTAG)."""

import gzip
import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from deepmine.datasets import load_mutag
from deepmine.embeddings import KnowledgeGraph, RandomWalker, RDF2Vec, WLWalker, Word2Vec
from deepmine.exceptions import DataError, DataWarning

EX = "http://ex.org/"


def synthetic_graph(n=60, seed=0):
    """People who like items of one of two genres; the genre is the (leaking) label triple."""
    rng = np.random.RandomState(seed)
    lines, people, y = [], [], []
    for i in range(n):
        c = i % 2
        p = f"<{EX}person{i}>"
        people.append(f"{EX}person{i}")
        y.append(c)
        for j in rng.choice(10, 3, replace=False):
            lines.append(f"{p} <{EX}likes> <{EX}item{c}_{j}> .")
        lines.append(f'{p} <{EX}age> "{rng.randint(20, 60)}" .')
        lines.append(f"{p} <{EX}label> <{EX}class{c}> .")
    for c in range(2):
        for j in range(10):
            lines.append(f"<{EX}item{c}_{j}> <{EX}genre> <{EX}genre{c}> .")
    return "\n".join(lines) + "\n", people, np.array(y)


@pytest.fixture
def graph_file(tmp_path):
    text, people, y = synthetic_graph()
    path = tmp_path / "g.nt.gz"
    with gzip.open(path, "wt") as f:
        f.write(text)
    return path, people, y


def test_knowledge_graph_formats_agree(tmp_path, graph_file):
    """gzipped N-Triples, Turtle and an rdflib Graph give the same edges; literals can be dropped."""
    import rdflib

    path, _, _ = graph_file
    kg = KnowledgeGraph.load(path)
    assert kg.n_triples == 60 * 5 + 20
    ttl = tmp_path / "g.ttl"
    g = rdflib.Graph().parse(data=gzip.open(path, "rt").read(), format="nt")
    g.serialize(ttl, format="turtle")
    for other in (KnowledgeGraph.load(ttl), KnowledgeGraph.load(g)):
        assert other.n_triples == kg.n_triples
        assert set(other.graph.labels.tolist()) == set(kg.graph.labels.tolist())
    assert '"42"' in kg.graph.labels.tolist() or any(s.startswith('"') for s in kg.graph.labels)
    no_lit = kg.filtered(literals="drop")
    assert no_lit.n_triples == kg.n_triples - 60
    no_label = kg.filtered(skip_predicates=[f"{EX}label"])
    assert no_label.n_triples == kg.n_triples - 60
    with pytest.warns(DataWarning, match="typos"):
        kg.filtered(skip_predicates=[f"{EX}lable"])
    with pytest.raises(FileNotFoundError):
        KnowledgeGraph.load(tmp_path / "missing.nt")
    (tmp_path / "bad.nt").write_text("this is not rdf\n")
    with pytest.raises(DataError, match=r"bad\.nt:1: not valid N-Triples"):
        KnowledgeGraph.load(tmp_path / "bad.nt")


@pytest.mark.parametrize("name, bad", [("g.nt", "<http://x/a> <http://x/p> ."),
                                       ("g.nt.gz", "."),
                                       ("g.ttl", "<http://x/a> <http://x/p> } .")])
def test_parse_error_names_the_file_and_line(tmp_path, name, bad):
    """A bad line stops the parse with FILE:LINE, not a re-parse by another parser."""
    lines = ["<http://x/a> <http://x/p> <http://x/b> .", "<http://x/b> <http://x/p> <http://x/c> .",
             bad, "<http://x/c> <http://x/p> <http://x/d> ."]
    path = tmp_path / name
    text = "\n".join(lines) + "\n"
    if name.endswith(".gz"):
        with gzip.open(path, "wt") as f:
            f.write(text)
    else:
        path.write_text(text)
    with pytest.raises(DataError) as info:
        KnowledgeGraph.load(path)
    message = str(info.value)
    assert message.startswith(f"{path}:3: not valid "), message
    assert "\n" not in message
    (tmp_path / "broken.nt.gz").write_bytes(b"not gzip at all")
    with pytest.raises(DataError, match="Cannot read"):
        KnowledgeGraph.load(tmp_path / "broken.nt.gz")


def test_random_walker_walks_are_paths_of_triples(graph_file):
    """Walks alternate entity, predicate, object along real triples, without duplicates."""
    path, people, _ = graph_file
    kg = KnowledgeGraph.load(path)
    triples = set()
    g = kg.graph
    src = np.repeat(np.arange(g.n_nodes), g.degree)
    for s, o, p in zip(src, g.indices, g.edge_types):
        triples.add((g.labels[s], kg.predicates[p], g.labels[o]))
    walks = RandomWalker(depth=2, walks_per_entity=50).extract(kg, people[:5], random_state=0)
    walks = walks.to_list()
    assert len(walks) == len({tuple(w) for w in walks})
    for w in walks:
        assert w[0] in people[:5] and len(w) in (3, 5)
        for k in range(0, len(w) - 2, 2):
            assert (w[k], w[k + 1], w[k + 2]) in triples
    dup = RandomWalker(depth=2, walks_per_entity=50, with_duplicates=True).extract(
        kg, people[:5], random_state=0)
    assert len(dup) == 250


def test_wl_walker_relabels_non_root_nodes(graph_file):
    """WL rounds keep the root and predicates and write other nodes as WL labels."""
    path, people, _ = graph_file
    kg = KnowledgeGraph.load(path)
    walks = WLWalker(depth=2, walks_per_entity=20, wl_iterations=2).extract(
        kg, people[:3], random_state=0).to_list()
    wl = [w for w in walks if w[2].startswith("wl")]
    assert wl and all(w[0] in people and w[1].startswith(EX) for w in wl)
    assert {w[2].split("_")[0] for w in wl} == {"wl1", "wl2"}


def test_rdf2vec_learns_from_structure_not_the_label(graph_file):
    """With the label predicate skipped, walks through liked items still separate the classes."""
    path, people, y = graph_file
    rdf2vec = RDF2Vec(RandomWalker(depth=2, walks_per_entity=30),
                      Word2Vec(vector_size=16, min_count=1, epochs=30, sample=0),
                      graph=str(path), entities=np.array(people), skip_predicates=[f"{EX}label"],
                      random_state=0)
    pipe = make_pipeline(rdf2vec, LogisticRegression())
    pipe.fit(people[:40], y[:40])
    assert pipe.score(people[40:], y[40:]) >= 0.9
    fitted = pipe[0]
    assert f"{EX}label" not in fitted.wv_.key_to_index
    assert fitted.wv_[f"{EX}likes"].shape == (16,)  # predicates are embedded too
    assert fitted.get_params()["embedder__vector_size"] == 16
    assert clone(fitted).set_params(walker__depth=3).walker.depth == 3
    again = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(again.transform(people[:3]), fitted.transform(people[:3]))


def test_rdf2vec_errors_name_the_entity(graph_file):
    """Unknown entities, entities never walked and a missing graph fail with clear messages."""
    path, people, _ = graph_file
    r = RDF2Vec(RandomWalker(depth=1, walks_per_entity=2), Word2Vec(vector_size=4, min_count=1,
                                                                      epochs=1), random_state=0)
    with pytest.raises(DataError, match="person999"):
        r.fit(path, people[:2] + [f"{EX}person999"])
    r.fit(path, people[:2])
    with pytest.raises(DataError, match="not walked in fit"):
        r.transform([people[10]])
    with pytest.raises(DataError, match="not in the graph"):
        r.transform(["http://nowhere/x"])
    with pytest.raises(DataError, match="no graph"):
        RDF2Vec().fit(people)


def test_rdf2vec_on_bundled_mutag_is_reproducible_and_label_free():
    """The shipped MUTAG graph embeds all 340 compounds, the same twice, without the label predicate."""
    data = load_mutag()
    kw = dict(walker=RandomWalker(depth=4, walks_per_entity=20),
              embedder=Word2Vec("cbow", vector_size=16, min_count=1, epochs=1),
              skip_predicates=data.skip_predicates, random_state=0)
    X = RDF2Vec(**kw).fit_transform(data.graph, data.entities)
    r = RDF2Vec(**kw).fit(data.graph, data.entities)
    np.testing.assert_array_equal(X, r.transform(data.entities))
    assert X.shape == (340, 16) and len(data.entities) == 340
    assert r.kg_.n_triples == 74567 - 340
    assert data.skip_predicates[0] not in r.wv_.key_to_index
    assert 340 < r.n_walks_ <= 340 * 20  # at most 20 distinct walks per compound
