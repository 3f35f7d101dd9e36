"""Where RDF2Vec's graph comes from: a file (parsed once per process), an rdflib Graph, a SPARQL endpoint."""

import functools
import os

from deepmine.embeddings._kg import KnowledgeGraph
from deepmine.exceptions import DataError


@functools.lru_cache(maxsize=2)
def _load_cached(path, mtime, size):
    return KnowledgeGraph.load(path)


def load_graph(graph, entities=None, depth=4):
    """A :class:`KnowledgeGraph` from a path (parsed once, then cached), an rdflib Graph or itself.

    An ``http(s)://`` URL is a SPARQL endpoint: the neighbourhood of ``entities``
    within ``depth`` hops is fetched (:meth:`KnowledgeGraph.from_sparql`).
    """
    if isinstance(graph, KnowledgeGraph):
        return graph
    if is_endpoint(graph):
        if not entities:
            raise DataError(f"The SPARQL endpoint {graph} needs the entities whose "
                            f"neighbourhood to fetch.")
        return KnowledgeGraph.from_sparql(graph, list(entities), depth=depth)
    if isinstance(graph, (str, os.PathLike)):
        path = os.path.abspath(os.fspath(graph))
        if not os.path.isfile(path):
            raise FileNotFoundError(f"RDF file {path!r} does not exist.")
        st = os.stat(path)
        return _load_cached(path, st.st_mtime_ns, st.st_size)
    if hasattr(graph, "triples") and hasattr(graph, "parse"):
        return KnowledgeGraph.load(graph)
    raise DataError(f"Expected an RDF file path, a SPARQL endpoint URL, an rdflib Graph or a "
                    f"KnowledgeGraph, got {type(graph).__name__}.")


def is_graph(X):
    """True for what ``fit(graph, entities)`` takes as its graph."""
    return isinstance(X, (str, os.PathLike, KnowledgeGraph)) or (
        hasattr(X, "triples") and hasattr(X, "parse"))


def is_endpoint(graph):
    """True for an ``http(s)://`` URL: a SPARQL endpoint rather than a file."""
    return isinstance(graph, str) and graph.startswith(("http://", "https://"))
