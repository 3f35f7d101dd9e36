"""Literal features: exact values along predicates and chains, and use beside RDF2Vec in a Pipeline."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.pipeline import make_pipeline, make_union

from deepmine.datasets import load_mutag
from deepmine.embeddings import (KnowledgeGraph, RandomWalker, RDF2Vec, RDF2VecLiterals, Word2Vec,
                                 literal_features)
from deepmine.exceptions import DataError, InvalidParameterError

X = "http://x/"
XSD = "http://www.w3.org/2001/XMLSchema#"
LINES = [
    f'<{X}a> <{X}age> "42"^^<{XSD}int> .',
    f'<{X}a> <{X}age> "44" .',
    f'<{X}a> <{X}flag> "true"^^<{XSD}boolean> .',
    f'<{X}b> <{X}flag> "false"^^<{XSD}boolean> .',
    f'<{X}b> <{X}age> "unknown"@en .',
    f"<{X}a> <{X}part> <{X}p1> .",
    f"<{X}a> <{X}part> <{X}p2> .",
    f"<{X}a> <{X}part> <{X}p3> .",
    f"<{X}b> <{X}part> <{X}p1> .",
    f'<{X}p1> <{X}weight> "0.5"^^<{XSD}double> .',
    f'<{X}p2> <{X}weight> "1.5"^^<{XSD}double> .',
    f'<{X}p3> <{X}weight> "0.5"^^<{XSD}double> .',  # the same literal node as p1's
    f"<{X}c> <{X}part> <{X}p4> .",
]
CHAINS = [X + "age", X + "flag", [X + "part", X + "weight"]]


@pytest.fixture
def path(tmp_path):
    p = tmp_path / "lit.nt"
    p.write_text("\n".join(LINES) + "\n")
    return p


@pytest.mark.parametrize("aggregate, expected", [
    ("mean", [[43, 1, 1.0], [np.nan, 0, 0.5], [np.nan, np.nan, np.nan]]),
    ("min", [[42, 1, 0.5], [np.nan, 0, 0.5], [np.nan, np.nan, np.nan]]),
    ("max", [[44, 1, 1.5], [np.nan, 0, 0.5], [np.nan, np.nan, np.nan]]),
    ("first", [[42, 1, 0.5], [np.nan, 0, 0.5], [np.nan, np.nan, np.nan]]),
    ("count", [[2, 1, 2], [1, 1, 1], [0, 0, 0]]),
])
def test_values_along_predicates_and_chains(path, aggregate, expected):
    """Numbers and booleans become floats, text and missing values NaN; a chain reaches each
    distinct literal once (a's parts p1 and p3 share the literal 0.5)."""
    kg = KnowledgeGraph.load(path)
    got = literal_features(kg, [X + "a", X + "b", X + "c"], CHAINS, aggregate=aggregate)
    np.testing.assert_array_equal(got, np.array(expected, dtype=float))


def test_bad_input_fails_clearly(path):
    """Unknown predicates, unknown entities, a single string and bad params fail at once."""
    kg = KnowledgeGraph.load(path)
    with pytest.raises(DataError, match=r"\['http://x/agee'\] do not occur"):
        literal_features(kg, [X + "a"], [X + "agee"])
    with pytest.raises(DataError, match="not in the graph"):
        literal_features(kg, [X + "zz"], [X + "age"])
    with pytest.raises(DataError, match="non-empty list"):
        literal_features(kg, [X + "a"], X + "age")
    with pytest.raises(DataError, match="do not occur"):
        RDF2VecLiterals([X + "agee"], graph=path).fit()
    with pytest.raises(InvalidParameterError):
        RDF2VecLiterals([X + "age"], graph=path, aggregate="median").fit()
    with pytest.raises(DataError, match="needs a graph"):
        RDF2VecLiterals([X + "age"]).fit([X + "a"])
    fitted = RDF2VecLiterals([X + "age"], graph=path).fit()
    with pytest.raises(DataError, match="single string"):
        fitted.transform(X + "a")


def test_transformer_names_clone_and_pickle(path):
    """The transformer fits from a path or a graph, names its columns and survives pickling."""
    lit = RDF2VecLiterals(CHAINS, graph=str(path)).fit([X + "a"])
    assert list(lit.get_feature_names_out()) == ["literal_age", "literal_flag",
                                                 "literal_part.weight"]
    again = pickle.loads(pickle.dumps(lit))
    np.testing.assert_array_equal(again.transform([X + "a", X + "b"]),
                                  lit.transform([X + "a", X + "b"]))
    by_graph = RDF2VecLiterals(CHAINS).fit(KnowledgeGraph.load(path))
    np.testing.assert_array_equal(by_graph.transform([X + "b"]), lit.transform([X + "b"]))
    assert clone(lit).get_params()["literal_predicates"] == CHAINS


def test_literals_beside_the_embedding_in_a_pipeline():
    """On MUTAG, literal features join the RDF2Vec vectors in one Pipeline, column for column."""
    data = load_mutag()
    c = "http://dl-learner.org/carcinogenesis#"
    chains = [c + "amesTestPositive", c + "salmonella", [c + "hasAtom", c + "charge"]]
    union = make_union(
        RDF2Vec(RandomWalker(depth=1, walks_per_entity=5), Word2Vec(vector_size=4, epochs=1),
                graph=data.graph, entities=data.entities, skip_predicates=data.skip_predicates,
                random_state=0),
        RDF2VecLiterals(chains, graph=data.graph))
    pipe = make_pipeline(union, HistGradientBoostingClassifier(max_iter=5, random_state=0))
    entities = list(np.asarray(data.entities)[np.asarray(data.train)])
    pipe.fit(entities, np.asarray(data.target)[np.asarray(data.train)])
    features = union.transform(entities[:20])
    assert features.shape == (20, 4 + 3)
    assert union.get_feature_names_out()[-1] == "rdf2vecliterals__literal_hasAtom.charge"
    kg = KnowledgeGraph.load(data.graph)
    np.testing.assert_array_equal(features[:, 4:], literal_features(kg, entities[:20], chains))
    assert set(features[:, 4]) == {0.0, 1.0} and np.isfinite(features[:, 6]).all()


def test_a_decisive_literal_is_learned_through_the_union(tmp_path):
    """When only a number separates the classes, the union with literals finds it."""
    rng = np.random.RandomState(0)
    lines, people, y = [], [], []
    for i in range(80):
        age = rng.randint(20, 60)
        people.append(f"{X}person{i}")
        y.append(int(age > 40))
        lines.append(f'<{X}person{i}> <{X}age> "{age}"^^<{XSD}int> .')
        lines.append(f"<{X}person{i}> <{X}likes> <{X}item{rng.randint(5)}> .")
    path = tmp_path / "people.nt"
    path.write_text("\n".join(lines) + "\n")
    y = np.array(y)
    rdf2vec = RDF2Vec(RandomWalker(depth=1, walks_per_entity=5),
                      Word2Vec(vector_size=4, min_count=1, epochs=1),
                      graph=path, entities=people, literals="drop", random_state=0)
    model = HistGradientBoostingClassifier(max_iter=30, min_samples_leaf=5, random_state=0)
    both = make_pipeline(make_union(rdf2vec, RDF2VecLiterals([X + "age"], graph=path)), model)
    assert both.fit(people[:60], y[:60]).score(people[60:], y[60:]) >= 0.95
