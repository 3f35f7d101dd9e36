"""RDF2Vec (Ristoski & Paulheim 2016): entity vectors from walks over a knowledge graph.

Walks ``entity, predicate, object, ...`` are sentences for word2vec; the vector of
an entity's IRI is its embedding, ready for any scikit-learn model. The graph is
parsed once by pyoxigraph into CSR arrays and walked by deepmine's vectorised
engine. With the default walker (500 walks of depth 4 per entity) extraction took
0.2-0.4 s of CPU on AIFB (176 people, 29,226 triples), 1.0-1.2 s on MUTAG (340
compounds, 74,567 triples), 3.7-4.6 s on CITESEER (1,620 papers, 116,013 triples) and
4.0-4.9 s on CORA (1,640 papers, 61,412 triples), one thread of an AMD EPYC shared with
other jobs; the default skip-gram word2vec then took 9-33 s.
"""

import os
import time

import numpy as np
from sklearn.base import TransformerMixin, clone
from sklearn.utils.validation import check_is_fitted

from deepmine.embeddings._base import EmbeddingEstimator
from deepmine.embeddings._graph_source import is_graph as _is_graph
from deepmine.embeddings._graph_source import load_graph
from deepmine.embeddings._rdf_walkers import RandomWalker
from deepmine.embeddings._sgns import SkipGram
from deepmine.embeddings._walk_corpus import WalkCorpus, fit_on_walks, relabel_vectors
from deepmine.embeddings._walks import unique_rows
from deepmine.embeddings._word2vec import Word2Vec, train_gensim_word2vec
from deepmine.exceptions import DataError
from deepmine.utils import resolve_seed
from deepmine.utils._param_validation import HasMethods, StrOptions
from deepmine.utils._optional import optional_from

__all__ = ["RDF2Vec", "variant_walks"]

VARIANTS = ("classic", "oa", "e", "p")
#: ``light="auto"``: Light when the graph has more than this many times as many subjects as entities
LIGHT_RATIO = 10


def variant_walks(corpus, kg, entities, variant):
    """e-walks (predicates dropped) or p-walks (only predicates and entities of interest).

    Tokens are classified by the token table: a predicate is a token that names a
    predicate of ``kg``. Each walk keeps its tokens in order, left-aligned; duplicate
    walks are dropped.
    """
    table = np.asarray(corpus.table, dtype=object)
    is_pred = np.isin(table, kg.predicates)
    ids = corpus.ids
    valid = ids >= 0
    tok_pred = np.where(valid, is_pred[np.maximum(ids, 0)], False)
    if variant == "e":
        keep = valid & ~tok_pred
    else:
        focus = np.isin(table, np.asarray(list(entities), dtype=object))
        keep = valid & (tok_pred | focus[np.maximum(ids, 0)])
    order = np.argsort(~keep, axis=1, kind="stable")
    out = np.take_along_axis(ids, order, axis=1)
    out[~np.take_along_axis(keep, order, axis=1)] = -1
    width = max(int(keep.sum(axis=1).max()), 1)
    out = unique_rows(out[:, :width])
    return WalkCorpus(out[(out >= 0).any(axis=1)], corpus.table)


def _walk_file(corpus, path, workers):
    """Write the walks to ``path``; gensim reads it in corpus_file mode with several workers."""
    LineSentence = optional_from("gensim.models.word2vec", "LineSentence", feature="RDF2Vec")

    path = corpus.write(os.fspath(path))
    return path if workers > 1 else LineSentence(path)


class RDF2Vec(TransformerMixin, EmbeddingEstimator):
    """Entity embeddings from knowledge-graph walks and word2vec, as a transformer over entity IRIs.

    Use ``fit(graph, entities)`` / ``transform(entities)``, or give the graph as a
    parameter so that ``make_pipeline(RDF2Vec(graph=path, entities=all_entities),
    SVC()).fit(train_entities, y)`` works.

    The defaults (500 random walks of depth 4 per entity, skip-gram, 100-d,
    window 5, 10 epochs) were chosen from a fixed grid (depth 2 or 4, 100 or 500
    walks, skip-gram or CBOW) on four node-classification graphs, MUTAG, AIFB,
    CORA and CITESEER, by the mean over the graphs of a score that sees no test
    entity (an SVC's 5-fold CV accuracy on the training entities; on CORA and
    CITESEER the validation papers). Test accuracy of that SVC, mean of seeds
    0-2: MUTAG 75.0 %, AIFB 89.8 %, CORA 76.9 %, CITESEER 66.8 % (mean 77.1 %);
    CBOW with the same walks: 77.5, 91.7, 75.8, 62.2 (mean 76.8); 500 walks of
    depth 2, skip-gram: 78.4, 86.1, 76.2, 66.1 (mean 76.7). Reproduce with
    ``benchmarks/bench_rdf2vec.py --defaults-grid``. These walks start from the
    entities only (RDF2Vec Light, the default ``light=True``). Walking from every
    subject instead (``light=False``; ``"auto"`` chooses it on CORA and CITESEER)
    scored lower on the validation papers, seed 0: CORA 77.8 against 78.6 %,
    CITESEER 63.0 against 66.0 % (test 77.9 against 77.3 %, 66.0 against 67.3 %),
    at twice the CPU time.

    Parameters
    ----------
    walker : RandomWalker or WLWalker, default=None
        ``RandomWalker(depth=4, walks_per_entity=500)`` when None.
    embedder : Word2Vec or SkipGram, default=None
        ``Word2Vec("skipgram", vector_size=100, window=5, min_count=1, epochs=10)`` when
        None, and ``SkipGram(order_aware=True)`` with the same settings for
        ``variant="oa"`` (cloned; its ``random_state`` is set from this estimator's
        when None).
    graph : str, path-like, rdflib.Graph or KnowledgeGraph, default=None
        The graph, when ``fit`` receives only entities. Files are N-Triples, Turtle,
        N3, RDF/XML... (``.gz`` allowed), parsed once per process and cached. An
        ``http(s)://`` URL is a SPARQL endpoint, from which ``fit`` fetches the
        entities' neighbourhood up to the walker's depth.
    entities : sequence of str, default=None
        Further entities to walk from in ``fit`` (e.g. the test entities: RDF2Vec is
        transductive and uses no labels), so ``transform`` can embed them.
    skip_predicates : sequence of str, default=()
        Predicate IRIs whose triples are removed first (those that leak the label).
    literals : {"keep", "drop"}, default="keep"
        Keep literals as walk nodes (in N-Triples form, e.g. ``"0.1"^^<...#double>``)
        or drop the triples that end in a literal.
    variant : {"classic", "oa", "e", "p"}, default="classic"
        The RDF2Vec variant (Portisch & Paulheim 2022): "classic" trains word2vec on
        the walks; "oa" (RDF2Vec_oa) trains the order-aware structured skip-gram
        (:class:`SkipGram` with ``order_aware=True``, one output matrix per context
        position) on the same walks; "e" keeps only the entities (and other nodes)
        of each walk; "p" keeps only its predicates and the entities of interest.
        Every variant but "e" also embeds the predicates (:meth:`predicate_vectors`).
    light : bool or "auto", default=True
        True walks only from the entities given to ``fit`` (RDF2Vec Light,
        Portisch et al. 2020); False walks from every subject of the graph (every
        non-literal node with an out-edge), as the original RDF2Vec. "auto" is
        Light when the graph has more than ``10 *`` as many subjects as there are
        entities to walk from (MUTAG: 22,534 subjects for 340 compounds, AIFB:
        2,829 for 176 people: Light; CORA: 2,708 for 1,640 papers, CITESEER: 3,327
        for 1,620: all subjects). ``light_`` is the choice made.
    random_state : int, RandomState instance or None, default=None
    walks_path : str or path-like, default=None
        Write the walks to this text file (one walk a line, tokens as ids) and train
        the embedder from it, so no token list of the walks is built in memory; with
        ``workers > 1`` word2vec reads it in gensim's multi-core corpus_file mode.

    Attributes
    ----------
    wv_ : gensim.models.KeyedVectors
        Vectors of every token of the walks: entity and node IRIs, literals and
        predicates (``wv_[predicate_iri]`` is a predicate's embedding).
    entities_ : list of str
        Entities of interest (``fit``'s and ``entities``; :meth:`update` appends).
    light_ : bool
        Whether the walks started only from ``entities_``.
    kg_ : KnowledgeGraph
        The graph after removing ``skip_predicates`` (and literals).
    n_walks_ : int
    walk_seconds_, embed_seconds_, parse_seconds_ : float

    Examples
    --------
    >>> from deepmine.datasets import load_mutag
    >>> data = load_mutag()
    >>> rdf2vec = RDF2Vec(RandomWalker(depth=2, walks_per_entity=10),
    ...                   Word2Vec(vector_size=8, min_count=1, epochs=1),
    ...                   skip_predicates=data.skip_predicates, random_state=0)
    >>> rdf2vec.fit_transform(data.graph, data.entities[:5]).shape
    (5, 8)
    """

    _parameter_constraints = {
        "walker": [HasMethods(["extract"]), None],
        "embedder": [HasMethods(["fit", "get_params"]), None],
        "graph": "no_validation",
        "entities": [list, tuple, np.ndarray, None],
        "skip_predicates": [list, tuple, set, frozenset],
        "literals": [StrOptions({"keep", "drop"})],
        "variant": [StrOptions(set(VARIANTS))],
        "light": ["boolean", StrOptions({"auto"})],
        "random_state": ["random_state"],
        "walks_path": [str, os.PathLike, None],
    }

    def __init__(self, walker=None, embedder=None, *, graph=None, entities=None, skip_predicates=(),
                 literals="keep", variant="classic", light=True, random_state=None,
                 walks_path=None):
        self.walker = walker
        self.embedder = embedder
        self.graph = graph
        self.entities = entities
        self.skip_predicates = skip_predicates
        self.literals = literals
        self.variant = variant
        self.light = light
        self.random_state = random_state
        self.walks_path = walks_path

    def _depth(self):
        """Hops a walk takes: what a SPARQL endpoint must be asked for."""
        return int(getattr(self.walker, "depth", None) or 4)

    def _graph_and_entities(self, X, y):
        if _is_graph(X):
            if y is None:
                raise DataError("RDF2Vec.fit(graph, entities) needs the entities to embed.")
            return X, y
        if self.graph is None:
            raise DataError("RDF2Vec got entities but no graph: call fit(graph, entities) or set "
                            "RDF2Vec(graph=...).")
        return self.graph, X

    def fit(self, X, y=None):
        """Walk from the entities and train their embeddings.

        Parameters
        ----------
        X : graph or sequence of str
            ``fit(graph, entities)``, or ``fit(entities)`` with the ``graph`` parameter
            (then ``y`` is ignored, as in a Pipeline).
        y : sequence of str or None

        Returns
        -------
        self
        """
        self._check_params()
        graph, targets = self._graph_and_entities(X, y)
        targets = self._as_entity_list(targets)
        if not targets:
            raise DataError("RDF2Vec.fit got no entities; pass the IRIs of the entities to embed.")
        start = time.perf_counter()
        extra = [] if self.entities is None else self._as_entity_list(self.entities)
        entities = list(dict.fromkeys(targets + extra))
        kg = load_graph(graph, entities, self._depth()).filtered(
            skip_predicates=self.skip_predicates, literals=self.literals)
        self.parse_seconds_ = time.perf_counter() - start
        ids = kg.graph.node_ids(entities, what="Entity")
        subjects = np.flatnonzero((kg.graph.degree > 0) & ~kg.is_literal)
        self.light_ = bool(self.light) if self.light != "auto" else (
            len(subjects) > LIGHT_RATIO * len(ids))
        if not self.light_:  # the entities of interest first, then every other subject
            ids = np.r_[ids, np.setdiff1d(subjects, ids)]
        self._seed = resolve_seed(self.random_state)
        self._walker = clone(self.walker) if self.walker is not None else RandomWalker()
        start = time.perf_counter()
        corpus = self._walks(kg, ids, entities, self._seed)
        self.walk_seconds_ = time.perf_counter() - start
        embedder = self._make_embedder(self._seed)
        start = time.perf_counter()
        if isinstance(embedder, Word2Vec):  # keep gensim's model, so that update() can go on
            embedder._check_params()
            data = corpus.for_training() if self.walks_path is None else _walk_file(
                corpus, self.walks_path, embedder.workers)
            self._model = train_gensim_word2vec(embedder, data, owner="RDF2Vec.fit")
            if self.walks_path is not None:
                relabel_vectors(self._model.wv, corpus.table)
            embedder.wv_ = self._model.wv
        else:
            fit_on_walks(embedder, corpus, self.walks_path)
        self.embed_seconds_ = time.perf_counter() - start
        self.embedder_ = embedder
        self.wv_ = embedder.wv_
        self.kg_ = kg
        self.entities_ = entities
        self.n_walks_ = len(corpus)
        return self

    def _make_embedder(self, seed):
        if self.embedder is not None:
            embedder = clone(self.embedder)
            if self.variant == "oa":
                if "order_aware" not in embedder.get_params():
                    raise DataError(f"RDF2Vec(variant='oa') trains the structured skip-gram; got "
                                    f"embedder={type(embedder).__name__}, pass SkipGram(...) or "
                                    f"none.")
                embedder.set_params(order_aware=True)
        elif self.variant == "oa":
            embedder = SkipGram(vector_size=100, window=5, min_count=1, epochs=10,
                                order_aware=True)
        else:
            embedder = Word2Vec(vector_size=100, window=5, min_count=1, epochs=10)
        if embedder.get_params().get("random_state", 0) is None:
            embedder.set_params(random_state=seed)
        return embedder

    def _walks(self, kg, ids, entities, seed):
        corpus = self._walker.extract(kg, ids, random_state=seed)
        if self.variant in ("e", "p"):
            corpus = variant_walks(corpus, kg, entities, self.variant)
        return corpus

    def update(self, entities, graph=None):
        """Embed new entities without refitting: walk from them and go on training.

        The walks of the new entities are added to the vocabulary and trained on
        (gensim's ``build_vocab(update=True)`` then ``train``; :meth:`SkipGram.update`
        for the order-aware variant); the vectors of the other tokens start from
        their fitted values and move only through the new walks.

        Parameters
        ----------
        entities : sequence of str
            Entity IRIs to add (those already embedded are walked again).
        graph : str, path-like, rdflib.Graph or KnowledgeGraph, default=None
            A grown graph that holds the new entities (same ``skip_predicates`` and
            ``literals``); ``kg_`` when None.

        Returns
        -------
        self
        """
        check_is_fitted(self, "wv_")
        new = self._as_entity_list(entities)
        kg = self.kg_ if graph is None else load_graph(
            graph, list(dict.fromkeys(self.entities_ + new)), self._depth()).filtered(
            skip_predicates=self.skip_predicates, literals=self.literals)
        ids = kg.graph.node_ids(new, what="Entity")
        seed = int(np.random.default_rng(self._seed + len(self.entities_)).integers(2**31))
        corpus = self._walks(kg, ids, list(dict.fromkeys(self.entities_ + new)), seed)
        start = time.perf_counter()
        data = corpus.for_training()
        if hasattr(self, "_model"):
            model = self._model
            model.build_vocab(data, update=True)
            model.train(data, total_examples=model.corpus_count, epochs=model.epochs)
            self.embedder_.wv_ = model.wv
        elif hasattr(self.embedder_, "update"):
            self.embedder_.update(data)
        else:
            raise DataError(f"RDF2Vec.update: the embedder {type(self.embedder_).__name__} cannot "
                            "be trained further; use Word2Vec or SkipGram, or refit.")
        self.embed_seconds_ += time.perf_counter() - start
        self.wv_ = self.embedder_.wv_
        self.kg_ = kg
        self.entities_ = list(dict.fromkeys(self.entities_ + new))
        self.n_walks_ += len(corpus)
        return self

    def predicate_vectors(self, predicates=None):
        """Embeddings of predicates (every variant but "e" embeds them).

        Parameters
        ----------
        predicates : sequence of str, default=None
            Predicate IRIs; all walked predicates when None.

        Returns
        -------
        pandas.DataFrame
            One row per predicate (its IRI as the index), ``vector_size`` columns.
        """
        import pandas as pd

        check_is_fitted(self, "wv_")
        if self.variant == "e":
            raise DataError("RDF2Vec(variant='e') walks hold no predicate; use variant "
                            "'classic', 'oa' or 'p' for predicate embeddings.")
        index = self.wv_.key_to_index
        names = [p for p in self.kg_.predicates.tolist() if p in index] if predicates is None \
            else [str(p) for p in predicates]
        missing = [p for p in names if p not in index]
        if missing:
            raise DataError(f"Predicate(s) {missing[:5]} were not walked in fit.")
        return pd.DataFrame(self.wv_.vectors[[index[p] for p in names]], index=names)

    @staticmethod
    def _as_entity_list(entities):
        if isinstance(entities, str):
            raise DataError("Entities must be a list of IRIs, got a single string.")
        return [str(e) for e in entities]

    def fit_transform(self, X, y=None):
        """``fit(X, y)`` then the vectors of the fitted targets (see :meth:`fit`)."""
        _, targets = self._graph_and_entities(X, y)
        return self.fit(X, y).transform(targets)

    def transform(self, X):
        """Embeddings of entities.

        Parameters
        ----------
        X : sequence of str
            Entity IRIs that occurred in the walks of ``fit``.

        Returns
        -------
        ndarray of shape (n_entities, vector_size), float32
        """
        check_is_fitted(self, "wv_")
        entities = self._as_entity_list(X)
        index = self.wv_.key_to_index
        missing = [e for e in entities if e not in index]
        if missing:
            known = set(self.kg_.graph.labels.tolist())
            absent = [e for e in missing if e not in known]
            if absent:
                raise DataError(f"Entity(s) {absent[:5]} not in the graph.")
            raise DataError(f"Entity(s) {missing[:5]} are in the graph but were not walked in fit; "
                            "list them in RDF2Vec(entities=...) (no labels are used).")
        return self.wv_.vectors[[index[e] for e in entities]].copy()

    def get_feature_names_out(self, input_features=None):
        """Names ``rdf2vec0 ...`` of the output columns."""
        check_is_fitted(self, "wv_")
        return np.asarray([f"rdf2vec{i}" for i in range(self.wv_.vector_size)], dtype=object)
