"""Literal features of entities: the values reached by a predicate (or a chain of them), as floats.

RDF2Vec walks turn literals into tokens and lose their values; pyRDF2Vec
therefore returns, beside the embeddings, the literals at the end of chosen
predicate chains. Here each chain is one feature column: numbers become
floats, ``true``/``false`` 1.0/0.0, an entity without a value (or with a value
that is not a number) NaN, and several values are aggregated (mean by default).
The chains are followed for all entities at once on the CSR arrays.
"""

import os

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from deepmine.utils._param_validation import StrOptions, validate_params
from sklearn.utils.validation import check_is_fitted

from deepmine.embeddings._walks import ragged_arange
from deepmine.exceptions import DataError

__all__ = ["RDF2VecLiterals", "literal_features"]

_AGGREGATES = ("mean", "min", "max", "first", "count")


def _chains(literal_predicates):
    if isinstance(literal_predicates, str) or not len(literal_predicates):
        raise DataError("literal_predicates must be a non-empty list of predicate IRIs or of "
                        "predicate chains, e.g. ['http://x/age', ['http://x/has', 'http://x/v']].")
    return [(p,) if isinstance(p, str) else tuple(p) for p in literal_predicates]


def _number(label):
    """Float value of a literal in N-Triples form (``"0.1"^^<...#double>``), NaN if none."""
    if not label.startswith('"'):
        return np.nan
    text = label[1:label.rfind('"')].strip()
    if text in ("true", "false"):
        return float(text == "true")
    try:
        return float(text)
    except ValueError:
        return np.nan


def literal_features(kg, entities, literal_predicates, *, aggregate="mean"):
    """One float column per predicate chain: the value(s) it reaches from each entity.

    Parameters
    ----------
    kg : KnowledgeGraph
    entities : sequence of str
    literal_predicates : list of str or of sequences of str
        A predicate IRI (one hop) or a chain of them, followed hop by hop
        (pyRDF2Vec's ``literals=[[p1, p2], ...]``).
    aggregate : {"mean", "min", "max", "first", "count"}, default="mean"
        How several values of one entity become one number; ``"count"`` counts the
        nodes reached, numbers or not; ``"first"`` takes the value of the node
        with the lowest id (nodes are numbered in order of appearance).

    Returns
    -------
    ndarray of shape (n_entities, n_chains), float64
        NaN where an entity reaches no number.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from deepmine.embeddings import KnowledgeGraph
    >>> path = pathlib.Path(tempfile.mkdtemp(), "g.nt")
    >>> _ = path.write_text('<http://x/a> <http://x/age> "42"^^<http://www.w3.org/2001/XMLSchema#int> .\\n'
    ...                     '<http://x/b> <http://x/ok> "true"^^<http://www.w3.org/2001/XMLSchema#boolean> .\\n')
    >>> kg = KnowledgeGraph.load(path)
    >>> literal_features(kg, ["http://x/a", "http://x/b"], ["http://x/age", "http://x/ok"])
    array([[42., nan],
           [nan,  1.]])
    """
    if aggregate not in _AGGREGATES:
        raise DataError(f"aggregate must be one of {list(_AGGREGATES)}, got {aggregate!r}.")
    chains = _chains(literal_predicates)
    pred_id = {p: i for i, p in enumerate(kg.predicates.tolist())}
    unknown = sorted({p for c in chains for p in c if p not in pred_id})
    if unknown:
        raise DataError(f"literal predicate(s) {unknown[:5]} do not occur in the graph; check for "
                        f"typos (or skip_predicates removed them).")
    g = kg.graph
    ids = g.node_ids([str(e) for e in entities], what="Entity")
    out = np.full((len(ids), len(chains)), np.nan)
    values = {}
    for j, chain in enumerate(chains):
        row, node = np.arange(len(ids)), ids
        for p in chain:
            deg = g.degree[node]
            r = np.repeat(row, deg)
            e = np.repeat(g.indptr[node], deg) + ragged_arange(deg)
            hit = g.edge_types[e] == pred_id[p]
            key = np.unique(r[hit] * g.n_nodes + g.indices[e[hit]], return_index=True)[1]
            order = np.sort(key)  # distinct (entity, node) pairs in file order
            row, node = r[hit][order], g.indices[e[hit]][order]
        if aggregate == "count":
            out[:, j] = np.bincount(row, minlength=len(ids))
            continue
        for v in np.unique(node[~np.isin(node, list(values))]).tolist():
            values[v] = _number(g.labels[v]) if kg.is_literal[v] else np.nan
        val = np.fromiter((values[v] for v in node.tolist()), dtype=np.float64, count=len(node))
        ok = ~np.isnan(val)
        row, val = row[ok], val[ok]
        n = np.bincount(row, minlength=len(ids))
        has = n > 0
        if aggregate == "mean":
            out[has, j] = (np.bincount(row, weights=val, minlength=len(ids))[has] / n[has])
        elif aggregate == "first":
            first = np.unique(row, return_index=True)[1]
            out[row[first], j] = val[first]
        else:
            acc = np.full(len(ids), np.inf if aggregate == "min" else -np.inf)
            (np.minimum if aggregate == "min" else np.maximum).at(acc, row, val)
            out[has, j] = acc[has]
    return out


def _local_name(iri):
    return iri.rstrip("/#").replace("#", "/").rsplit("/", 1)[-1]


class RDF2VecLiterals(TransformerMixin, BaseEstimator):
    """Literal features of entities, as a transformer beside :class:`RDF2Vec` in a Pipeline.

    ``transform(entities)`` returns one float column per predicate chain (see
    :func:`literal_features`), so ``make_union(RDF2Vec(graph=g, ...),
    RDF2VecLiterals(graph=g, literal_predicates=[...]))`` puts the values beside the
    embedding; models that take NaN (``HistGradientBoostingClassifier``) or an imputer
    handle missing values.

    Parameters
    ----------
    literal_predicates : list of str or of sequences of str
        Predicate IRIs, or chains of them (``["http://x/hasAtom", "http://x/charge"]``).
    graph : str, path-like, rdflib.Graph or KnowledgeGraph, default=None
        The graph; None means ``fit`` receives it as ``X``.
    aggregate : {"mean", "min", "max", "first", "count"}, default="mean"

    Attributes
    ----------
    kg_ : KnowledgeGraph
        The graph, restricted to the edges of the chains' predicates.
    feature_names_out_ : ndarray of str
        ``literal_<local name>`` (chains joined by ``.``).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp(), "g.nt")
    >>> _ = path.write_text('<http://x/a> <http://x/age> "42" .\\n<http://x/b> <http://x/age> "7" .\\n')
    >>> lit = RDF2VecLiterals(["http://x/age"], graph=path).fit(["http://x/a"])
    >>> lit.transform(["http://x/b", "http://x/a"]).ravel().tolist(), list(lit.get_feature_names_out())
    ([7.0, 42.0], ['literal_age'])
    """

    _parameter_constraints = {
        "literal_predicates": [list, tuple],
        "graph": "no_validation",
        "aggregate": [StrOptions(set(_AGGREGATES))],
    }

    def __init__(self, literal_predicates, *, graph=None, aggregate="mean"):
        self.literal_predicates = literal_predicates
        self.graph = graph
        self.aggregate = aggregate

    def fit(self, X=None, y=None):
        """Load the graph (from ``graph``, or ``X`` if it is a graph) and check the predicates.

        Parameters
        ----------
        X : graph or sequence of str, default=None
            Entities are ignored (the features need no fitting).
        y : ignored

        Returns
        -------
        self
        """
        from deepmine.embeddings._graph_source import is_graph as _is_graph
        from deepmine.embeddings._graph_source import load_graph

        validate_params(self)
        source = X if (self.graph is None and X is not None and _is_graph(X)) else self.graph
        if source is None:
            raise DataError("RDF2VecLiterals needs a graph: set RDF2VecLiterals(graph=...) or "
                            "call fit(graph).")
        if isinstance(source, (str, os.PathLike)) and not os.path.isfile(source):
            raise FileNotFoundError(f"RDF file {os.fspath(source)!r} does not exist.")
        kg = load_graph(source)
        chains = _chains(self.literal_predicates)
        wanted = {p for c in chains for p in c}
        missing = sorted(wanted - set(kg.predicates.tolist()))
        if missing:
            raise DataError(f"literal predicate(s) {missing[:5]} do not occur in the graph; "
                            f"check for typos.")
        others = [p for p in kg.predicates.tolist() if p not in wanted]
        self.kg_ = kg.filtered(skip_predicates=others)
        self.feature_names_out_ = np.array(
            ["literal_" + ".".join(_local_name(p) for p in c) for c in chains], dtype=object)
        return self

    def transform(self, X):
        """Literal features of entities.

        Parameters
        ----------
        X : sequence of str
            Entity IRIs of the graph.

        Returns
        -------
        ndarray of shape (n_entities, n_chains), float64
        """
        check_is_fitted(self, "kg_")
        if isinstance(X, str):
            raise DataError("Entities must be a list of IRIs, got a single string.")
        return literal_features(self.kg_, list(X), self.literal_predicates,
                                aggregate=self.aggregate)

    def get_feature_names_out(self, input_features=None):
        """``literal_<name>`` for each chain."""
        check_is_fitted(self, "kg_")
        return self.feature_names_out_.copy()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        return tags
