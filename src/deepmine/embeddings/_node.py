"""Node embeddings from random walks: DeepWalk (Perozzi et al. 2014) and node2vec (Grover & Leskovec 2016).

Walks from every node are sentences; word2vec turns them into node vectors.
The walks come from deepmine's vectorised walk engine (:mod:`._walks`); node2vec's
``p``/``q`` bias is computed on the fly, so large graphs need no transition tables.
"""

import os
import time
from numbers import Integral, Real

import numpy as np
from sklearn.base import TransformerMixin, clone
from sklearn.utils.validation import check_is_fitted

from deepmine.embeddings._base import EmbeddingEstimator
from deepmine.embeddings._graph import CSRGraph
from deepmine.embeddings._walk_corpus import WalkCorpus, fit_on_walk_chunks, write_walk_file
from deepmine.embeddings._walks import random_walks
from deepmine.embeddings._word2vec import Word2Vec
from deepmine.exceptions import DataError
from deepmine.utils import resolve_seed
from deepmine.utils._param_validation import HasMethods, Interval

__all__ = ["DeepWalk", "Node2Vec", "as_csr_graph"]

#: the default walk of both classes (node2vec's l = 80, r = 10): 800 tokens per node per epoch.
#: At 40 nodes a walk, one word2vec epoch over a small graph is too short to train the vectors
#: (karate club, 3-fold CV of a logistic regression, seeds 0-4: 0.61-0.76 at 40, 0.97 at 80).
DEFAULT_WALK_LENGTH = 80
DEFAULT_WALKS_PER_NODE = 10


def default_embedder():
    """The word2vec model of :class:`DeepWalk` and :class:`Node2Vec` when none is given."""
    return Word2Vec(vector_size=128, window=5, min_count=1, epochs=1)


def as_csr_graph(graph, *, weight="weight", directed=False):
    """A :class:`CSRGraph` from a networkx graph, an edge list, an edge-list file, an
    adjacency matrix or a CSRGraph.

    Parameters
    ----------
    graph : networkx.Graph, CSRGraph, sequence or array of (u, v) / (u, v, weight), \
scipy sparse matrix, square array or path
        A path is read by :meth:`CSRGraph.read_edge_list` (one ``u v [weight]`` a
        line). A scipy sparse matrix, or a square array with 4 or more rows, is an
        adjacency matrix over nodes ``0..n-1``: its nonzero entries are the edges,
        their values the weights (none when all are 1). An array with 2 or 3
        columns is an edge list.
    weight : str or None, default="weight"
        Edge attribute of networkx graphs used as weight (None: unweighted).
    directed : bool, default=False
        Whether an edge list (or file, or adjacency matrix) is directed (networkx
        graphs say it themselves); an undirected adjacency matrix must be symmetric.
    """
    import scipy.sparse

    if isinstance(graph, CSRGraph):
        return graph
    if hasattr(graph, "is_directed") and hasattr(graph, "edges"):
        return CSRGraph.from_networkx(graph, weight=weight)
    if isinstance(graph, (str, os.PathLike)):
        return CSRGraph.read_edge_list(graph, directed=directed)
    if scipy.sparse.issparse(graph) or (isinstance(graph, np.ndarray) and graph.ndim == 2
                                        and graph.shape[0] == graph.shape[1] > 3):
        return CSRGraph.from_adjacency(graph, directed=directed)
    if isinstance(graph, np.ndarray) and graph.ndim == 2 and graph.shape[1] in (2, 3):
        try:
            return CSRGraph.from_edge_list(graph, directed=directed)
        except DataError as exc:
            if graph.shape[0] != graph.shape[1]:
                raise
            raise DataError(f"{exc} A {graph.shape[0]}x{graph.shape[1]} array is read as an edge "
                            f"list (u, v[, weight]); pass an adjacency matrix as "
                            f"scipy.sparse.csr_matrix(A).") from None
    if isinstance(graph, (list, tuple)):
        return CSRGraph.from_edge_list(graph, directed=directed)
    raise DataError(f"Expected a networkx graph, a list of edges, an adjacency matrix or the "
                    f"path of an edge-list file, got {type(graph).__name__}.")


class _Clock:
    """Wall seconds spent inside a generator (the walks), apart from what its consumer does."""

    def __init__(self):
        self.seconds = 0.0

    def timed(self, items):
        items = iter(items)
        while True:
            start = time.perf_counter()
            item = next(items, None)
            self.seconds += time.perf_counter() - start
            if item is None:
                return
            yield item


def _node_tokens(labels):
    tokens = np.array([str(v) for v in labels], dtype=object)
    if len(set(tokens.tolist())) != len(tokens):
        raise DataError("Distinct nodes share a string form (e.g. 1 and '1'); relabel them first.")
    return tokens


class DeepWalk(TransformerMixin, EmbeddingEstimator):
    """Node vectors from uniform random walks fed to word2vec (DeepWalk).

    Parameters
    ----------
    walk_length : int, default=80
        Nodes per walk. The default walk (80 nodes, 10 walks per node, as in
        node2vec) is the one :class:`Node2Vec` uses: on the karate club the
        club split is recovered with 0.97 3-fold CV accuracy (logistic
        regression) on each of seeds 0-4, against 0.61-0.76 with walks of 40
        nodes, too few tokens for one word2vec epoch on a small graph.
    walks_per_node : int, default=10
    embedder : Word2Vec, default=None
        The word2vec model (cloned); ``Word2Vec(vector_size=128, window=5,
        min_count=1, epochs=1)`` when None. Its ``random_state`` is set from this
        estimator's when it is None.
    weight : str or None, default="weight"
        Edge attribute of networkx graphs giving transition weights (None: uniform).
    directed : bool, default=False
        Whether an edge-list input (list, array or file) is directed.
    random_state : int, RandomState instance or None, default=None
    walks_path : str or path-like, default=None
        Keep the walk file here (one walk a line, tokens as zero-padded node
        indices, as :meth:`write_walks` writes it; overwritten on each fit). A
        :class:`Word2Vec` embedder always trains from such a file, in gensim's
        corpus_file mode with the vocabulary counted while the walks are written:
        with None it is a temporary file (about 7 bytes a token, e.g. 5.6 GB for
        1M nodes with the default walks), removed after the fit. The walks are
        generated and written in chunks, so neither they nor a token list of them
        is ever all in memory. Another embedder is fit on the file when given, else
        on the walks in memory.

    Attributes
    ----------
    nodes_ : ndarray of object
        Node labels; row ``i`` of ``embedding_`` belongs to ``nodes_[i]``.
    embedding_ : ndarray of shape (n_nodes, vector_size)
    wv_ : gensim.models.KeyedVectors
        Vectors keyed by ``str(node)``.
    graph_ : CSRGraph
    walk_seconds_, embed_seconds_ : float

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.karate_club_graph()
    >>> dw = DeepWalk(walk_length=10, walks_per_node=5, random_state=0,
    ...               embedder=Word2Vec(vector_size=16, min_count=1, epochs=1))
    >>> dw.fit_transform(G).shape
    (34, 16)
    >>> dw.transform([0, 33]).shape
    (2, 16)
    """

    _parameter_constraints = {
        "walk_length": [Interval(Integral, 2, None, closed="left")],
        "walks_per_node": [Interval(Integral, 1, None, closed="left")],
        "embedder": [HasMethods(["fit", "get_params"]), None],
        "weight": [str, None],
        "directed": ["boolean"],
        "random_state": ["random_state"],
        "walks_path": [str, os.PathLike, None],
    }

    def __init__(self, walk_length=DEFAULT_WALK_LENGTH, walks_per_node=DEFAULT_WALKS_PER_NODE, *,
                 embedder=None, weight="weight",
                 directed=False, random_state=None, walks_path=None):
        self.walk_length = walk_length
        self.walks_per_node = walks_per_node
        self.embedder = embedder
        self.weight = weight
        self.directed = directed
        self.random_state = random_state
        self.walks_path = walks_path

    def _bias(self):
        return 1.0, 1.0

    def _walk_chunks(self, g, seed, size=2**17):
        """The walks in rounds over the nodes, at most ``size`` walks (one int matrix) at a time."""
        rng = np.random.default_rng(seed)
        p, q = self._bias()
        for _ in range(self.walks_per_node):
            for lo in range(0, g.n_nodes, size):
                starts = np.arange(lo, min(lo + size, g.n_nodes), dtype=np.int64)
                yield random_walks(g, starts, self.walk_length, rng, p=p, q=q)

    def generate_walks(self, graph):
        """The walks themselves, as lists of node labels (for export or another embedder).

        Parameters
        ----------
        graph : networkx.Graph, edge list, adjacency matrix, CSRGraph or path of an edge-list file

        Returns
        -------
        list of list
            ``walks_per_node`` walks from every node, in rounds over the nodes.
        """
        self._check_params()
        g = as_csr_graph(graph, weight=self.weight, directed=self.directed)
        ids = np.concatenate(list(self._walk_chunks(g, resolve_seed(self.random_state))))
        return WalkCorpus(ids, g.labels).to_list()

    def write_walks(self, graph, path):
        """Write the walks to a text file for word2vec tools, one walk a line.

        The file is the one ``walks_path`` names in :meth:`fit`: tokens are node
        indices (decimal, zero-padded to one width), written chunk by chunk, so the walks need not fit in
        memory. Token ``i`` is node ``labels[i]`` of the returned array.

        Parameters
        ----------
        graph : networkx.Graph, edge list, adjacency matrix, CSRGraph or path of an edge-list file
        path : str or path-like

        Returns
        -------
        labels : ndarray of object
            The node of each token.

        Examples
        --------
        >>> import os, tempfile
        >>> import networkx as nx
        >>> path = os.path.join(tempfile.mkdtemp(), "walks.txt")
        >>> labels = DeepWalk(walk_length=4, walks_per_node=1, random_state=0).write_walks(
        ...     nx.path_graph(["a", "b", "c"]), path)
        >>> with open(path) as f:
        ...     lines = f.read().splitlines()
        >>> len(lines[0].split()), labels.tolist()
        (4, ['a', 'b', 'c'])
        """
        self._check_params()
        g = as_csr_graph(graph, weight=self.weight, directed=self.directed)
        write_walk_file(path, self._walk_chunks(g, resolve_seed(self.random_state)), g.n_nodes)
        return g.labels

    def fit(self, X, y=None):
        """Walk the graph ``X`` and learn a vector per node.

        Parameters
        ----------
        X : networkx.Graph, list or array of edges, adjacency matrix, CSRGraph, or path
            A path is read in bulk (whitespace-separated ``u v`` or ``u v weight``
            lines, ``#`` comments), without building a networkx graph. A scipy
            sparse matrix, or a square array of 4 or more rows, is an adjacency
            matrix over nodes ``0..n-1`` (see :func:`as_csr_graph`).
        y : None
            Ignored.

        Returns
        -------
        self
        """
        self._check_params()
        g = as_csr_graph(X, weight=self.weight, directed=self.directed)
        seed = resolve_seed(self.random_state)
        tokens = _node_tokens(g.labels)
        embedder = clone(self.embedder if self.embedder is not None else default_embedder())
        if embedder.get_params().get("random_state", 0) is None:
            embedder.set_params(random_state=seed)
        clock = _Clock()
        chunks = clock.timed(self._walk_chunks(g, seed))
        start = time.perf_counter()
        self.wv_ = fit_on_walk_chunks(embedder, chunks, tokens, self.walks_path,
                                      owner=f"{type(self).__name__}.fit")
        self.walk_seconds_ = clock.seconds
        self.embed_seconds_ = time.perf_counter() - start - clock.seconds
        self.graph_ = g
        self.nodes_ = g.labels
        self.embedding_ = self._lookup(np.arange(g.n_nodes), tokens)
        return self

    def _lookup(self, ids, tokens):
        wv = self.wv_
        out = np.zeros((len(ids), wv.vector_size), dtype=np.float32)
        for r, i in enumerate(ids):
            j = wv.key_to_index.get(tokens[i])
            if j is not None:
                out[r] = wv.vectors[j]
        return out

    def fit_transform(self, X, y=None):
        """Fit on the graph and return the vectors of all its nodes (order of ``nodes_``)."""
        return self.fit(X).embedding_

    def transform(self, X):
        """Vectors of the nodes ``X`` (labels of the fitted graph).

        Returns
        -------
        ndarray of shape (len(X), vector_size)
        """
        check_is_fitted(self, "embedding_")
        return self.embedding_[self.graph_.node_ids(list(X))]


class Node2Vec(DeepWalk):
    """Node vectors from second-order biased walks (node2vec), bias computed on the fly.

    Parameters
    ----------
    p : float, default=1.0
        Return parameter: a large ``p`` makes returning to the previous node rare.
    q : float, default=1.0
        In-out parameter: ``q > 1`` keeps walks local (BFS-like, structural roles),
        ``q < 1`` sends them outward (DFS-like, communities).
    walk_length : int, default=80
        The same default walk as :class:`DeepWalk` (``p = q = 1`` gives its walks).
    walks_per_node : int, default=10
    embedder : Word2Vec, default=None
        ``Word2Vec(vector_size=128, window=5, min_count=1, epochs=1)`` when None.
    weight : str or None, default="weight"
    directed : bool, default=False
    random_state : int, RandomState instance or None, default=None
    walks_path : str or path-like, default=None
        Train from a walk file written there (see :class:`DeepWalk`).

    Attributes
    ----------
    nodes_ : ndarray of object
    embedding_ : ndarray of shape (n_nodes, vector_size)
    wv_ : gensim.models.KeyedVectors
    graph_ : CSRGraph
    walk_seconds_, embed_seconds_ : float

    Examples
    --------
    >>> import networkx as nx
    >>> n2v = Node2Vec(p=0.5, q=2.0, walk_length=10, walks_per_node=2, random_state=0)
    >>> walks = n2v.generate_walks(nx.path_graph(5))
    >>> len(walks), len(walks[0])
    (10, 10)
    """

    _parameter_constraints = {
        **DeepWalk._parameter_constraints,
        "p": [Interval(Real, 0, None, closed="neither")],
        "q": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(self, p=1.0, q=1.0, *, walk_length=DEFAULT_WALK_LENGTH,
                 walks_per_node=DEFAULT_WALKS_PER_NODE, embedder=None, weight="weight",
                 directed=False, random_state=None, walks_path=None):
        super().__init__(walk_length=walk_length, walks_per_node=walks_per_node, embedder=embedder,
                         weight=weight, directed=directed, random_state=random_state,
                         walks_path=walks_path)
        self.p = p
        self.q = q

    def _bias(self):
        return float(self.p), float(self.q)
