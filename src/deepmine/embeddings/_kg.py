"""Knowledge graphs: RDF triples parsed by pyoxigraph (rdflib for other formats) into CSR arrays.

Nodes are IRIs (plain strings, no angle brackets), blank nodes (``_:id``) and,
unless dropped, literals in their N-Triples form (``"0.1"^^<...#double>``); each
triple is an edge ``subject -> object`` typed by its predicate.
"""

import bz2
import gzip
import lzma
import os
import re
import warnings
import zlib
from array import array

import numpy as np
import pandas as pd

from deepmine.embeddings._graph import CSRGraph, id_dtype
from deepmine.exceptions import DataError, DataWarning
from deepmine.utils._optional import import_optional, optional_from
from deepmine.utils._warnings import user_stacklevel

__all__ = ["KnowledgeGraph"]

_FORMATS = {"nt": "N_TRIPLES", "ttl": "TURTLE", "n3": "N3", "rdf": "RDF_XML", "owl": "RDF_XML",
            "xml": "RDF_XML", "nq": "N_QUADS", "trig": "TRIG", "jsonld": "JSON_LD"}
_OPENERS = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}


_FORMAT_NAMES = {"N_TRIPLES": "N-Triples", "TURTLE": "Turtle", "N3": "N3", "RDF_XML": "RDF/XML",
                 "N_QUADS": "N-Quads", "TRIG": "TriG", "JSON_LD": "JSON-LD"}
_POSITION = re.compile(r"^Parser error at line \d+ (?:between columns \d+ and \d+|column \d+): ")


def _parse_error(path, fmt, exc):
    """``FILE:LINE: message`` from a pyoxigraph SyntaxError (which carries the line and column)."""
    reason = _POSITION.sub("", str(exc.msg or exc)).rstrip(".")
    where = path if exc.lineno is None else f"{path}:{exc.lineno}"
    column = "" if exc.offset is None else f" at column {exc.offset}"
    return DataError(f"{where}: not valid {_FORMAT_NAMES[fmt]}{column}: {reason}; fix that line "
                     f"or name the right format (format=...).")


def _oxigraph_ids(path, fmt):
    """Stream the triples into integer ids: one dict of distinct terms and three int arrays.

    Parsing stops at the first syntax error, which is reported as ``FILE:LINE: ...``.
    Ids are int32 (4 bytes a position) until a graph has 2**31 terms. Node ids are
    then renumbered as ``pandas.factorize(subjects + objects)`` would number them
    (subjects by first appearance, then the other objects).
    """
    ox = import_optional("pyoxigraph", "Reading RDF")

    terms, preds = {}, {}
    ids = [array("i"), array("i"), array("i")]
    opener = _OPENERS.get(os.path.splitext(path)[1].lower(), open)
    try:
        with opener(path, "rb") as f:
            quads = ox.parse(f, getattr(ox.RdfFormat, fmt), lenient=True)
            while (q := _stream_ids(quads, terms, preds, ids)) is not None:
                k = min(map(len, ids))  # past 2**31 terms: widen to int64, keep the quad, go on
                ids = [array("q", a[:k]) for a in ids]
                ids[0].append(terms.setdefault(q.subject, len(terms)))
                ids[1].append(preds.setdefault(q.predicate.value, len(preds)))
                ids[2].append(terms.setdefault(q.object, len(terms)))
    except SyntaxError as exc:
        raise _parse_error(path, fmt, exc) from None
    except (OSError, EOFError, zlib.error, lzma.LZMAError) as exc:
        raise DataError(f"Cannot read {path!r}: {exc}; check that the file is complete and "
                        f"its compression matches its extension.") from None
    s_ids, p_ids, o_ids = ids
    del ids
    if not s_ids:
        raise DataError("The RDF graph has no triples.")
    m, n = len(s_ids), len(terms)
    dtype = np.int32 if s_ids.typecode == "i" else np.int64
    ends = np.empty(2 * m, dtype=dtype)
    ends[:m] = np.frombuffer(s_ids, dtype=dtype)
    del s_ids
    ends[m:] = np.frombuffer(o_ids, dtype=dtype)
    del o_ids
    codes, order = pd.factorize(ends, sort=False)  # hash-based: one pass, first appearance
    del ends
    codes = codes.astype(id_dtype(n), copy=False)
    nodes = list(terms)
    del terms
    labels = np.empty(n, dtype=object)
    is_lit = np.zeros(n, dtype=bool)
    named, blank, literal = ox.NamedNode, ox.BlankNode, ox.Literal
    for j, i in enumerate(order.tolist()):
        t = nodes[i]
        if type(t) is named:
            labels[j] = t.value
        elif type(t) is blank:
            labels[j] = "_:" + t.value
        else:
            labels[j] = str(t)
            is_lit[j] = isinstance(t, literal)
    del nodes, order
    g = CSRGraph.from_edges(codes[:m], codes[m:], labels,
                            edge_types=np.frombuffer(p_ids, dtype=dtype), directed=True)
    return g, np.array(list(preds), dtype=object), is_lit


def _stream_ids(quads, terms, preds, ids):
    """Append the ids of the remaining quads; return the quad whose id overflowed, else None.

    ``terms``/``preds`` number new terms on the fly (``setdefault``, so a quad can be
    re-added after an overflow without numbering a term twice).
    """
    add_s, add_p, add_o = (a.append for a in ids)
    term_id, pred_id = terms.setdefault, preds.setdefault
    q = None
    try:
        for q in quads:
            add_s(term_id(q.subject, len(terms)))
            add_p(pred_id(q.predicate.value, len(preds)))
            add_o(term_id(q.object, len(terms)))
    except OverflowError:
        return q
    return None


def _hdt_triples(path):
    """Subjects, predicates, objects and literal flags of an HDT file (the ``hdt`` package)."""
    try:
        from hdt import HDTDocument
    except ImportError:
        raise DataError(f"Reading {path!r} needs the hdt package: pip install pybind11, then "
                        f"pip install --no-build-isolation hdt.") from None
    saved = os.dup(2)  # the C++ library prints index-building timings on stderr
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
            try:
                doc = HDTDocument(os.fspath(path))
                rows = list(doc.search_triples("", "", "")[0])
            finally:
                os.dup2(saved, 2)
    except RuntimeError as exc:
        raise DataError(f"Cannot read {path!r} as HDT: {exc}") from None
    finally:
        os.close(saved)
    if not rows:
        raise DataError("The RDF graph has no triples.")
    subj, pred, obj = (list(c) for c in zip(*rows))
    is_lit = np.fromiter((o.startswith('"') for o in obj), dtype=bool, count=len(obj))
    return subj, pred, obj, is_lit, lambda t: t


def _rdflib_terms(graph):
    BNode, Literal = optional_from("rdflib", "BNode", "Literal", feature="Reading RDF")

    triples = list(graph)
    subj = [t[0] for t in triples]
    pred = [str(t[1]) for t in triples]
    obj = [t[2] for t in triples]

    def name(t):
        if isinstance(t, Literal):
            return t.n3()
        if isinstance(t, BNode):
            return "_:" + str(t)
        return str(t)

    is_lit = np.fromiter((isinstance(o, Literal) for o in obj), dtype=bool, count=len(obj))
    return subj, pred, obj, is_lit, name


class KnowledgeGraph:
    """An RDF graph as typed edges over CSR arrays, ready for vectorised walks.

    Build it with :meth:`load` (a file, or an rdflib Graph) or :meth:`from_sparql`
    (the neighbourhood of some entities in a SPARQL endpoint).

    Parameters
    ----------
    graph : CSRGraph
        Edges ``subject -> object``; ``graph.edge_types`` indexes ``predicates``.
    predicates : ndarray of object
        Predicate IRIs.
    is_literal : ndarray of bool
        Per node: is it a literal?

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp(), "g.nt")
    >>> _ = path.write_text('<http://x/a> <http://x/knows> <http://x/b> .\\n'
    ...                     '<http://x/a> <http://x/age> "42" .\\n')
    >>> kg = KnowledgeGraph.load(path)
    >>> kg.n_triples, list(kg.graph.labels)
    (2, ['http://x/a', 'http://x/b', '"42"'])
    """

    def __init__(self, graph, predicates, is_literal):
        self.graph = graph
        self.predicates = predicates
        self.is_literal = is_literal

    @property
    def n_triples(self):
        return self.graph.n_edges

    @classmethod
    def load(cls, source, *, format=None):
        """Parse an RDF file (``.gz``/``.bz2``/``.xz`` allowed) or an rdflib Graph.

        Parameters
        ----------
        source : str, path-like or rdflib.Graph
            N-Triples, Turtle, N3, RDF/XML, N-Quads, TriG or JSON-LD, chosen by the
            file extension; pyoxigraph parses them, rdflib the formats it cannot.
            ``.hdt`` files (HDT, compressed and indexed RDF) are read with the
            optional ``hdt`` package.
        format : str, default=None
            Override the extension, e.g. ``"nt"``, ``"ttl"``, ``"xml"``.

        Returns
        -------
        KnowledgeGraph

        Raises
        ------
        DataError
            ``FILE:LINE: ...`` at the first syntax error (the parse stops there), or
            when the file cannot be decompressed.
        """
        if hasattr(source, "triples") and hasattr(source, "parse"):  # rdflib Graph
            return cls._build(*_rdflib_terms(source))
        path = os.fspath(source)
        if not os.path.isfile(path):
            raise FileNotFoundError(f"RDF file {path!r} does not exist.")
        stem, ext = os.path.splitext(path)
        if ext.lower() in _OPENERS:
            stem, ext = os.path.splitext(stem)
        key = (format or ext.lstrip(".")).lower()
        if key == "hdt":
            return cls._build(*_hdt_triples(path))
        fmt = _FORMATS.get(key)
        if fmt is not None:  # never re-parsed by rdflib: its error has no line and takes minutes
            return cls(*_oxigraph_ids(path, fmt))
        rdflib = import_optional("rdflib", "Reading RDF")  # its __init__ imports rdflib.util

        opener = _OPENERS.get(os.path.splitext(path)[1].lower(), open)
        with opener(path, "rb") as f:
            g = rdflib.Graph()
            try:
                g.parse(f, format=format or rdflib.util.guess_format(stem + ext))
            except Exception as exc:  # rdflib raises many parser-specific types
                raise DataError(f"Cannot parse {path!r}: {exc}") from None
        return cls._build(*_rdflib_terms(g))

    @classmethod
    def from_sparql(cls, url, entities, *, depth=4, batch_size=100, skip_predicates=(),
                    literals=True, timeout=30.0, retries=3, cache_dir=None, headers=None):
        """The neighbourhood of ``entities`` in a SPARQL endpoint, fetched in batched queries.

        Breadth-first from the entities, each round sends one ``SELECT ?s ?p ?o``
        query with a ``VALUES`` block per ``batch_size`` frontier IRIs (SPARQL 1.1
        protocol: POST, JSON results) and follows the object IRIs, so the triples
        of every walk of up to ``depth`` hops from the entities are fetched and
        nothing else. Blank-node objects are kept but not expanded.

        Parameters
        ----------
        url : str
            The endpoint, e.g. ``"https://dbpedia.org/sparql"``.
        entities : sequence of str
            IRIs to start from.
        depth : int, default=4
            Hops to fetch: at least the walker's ``depth``.
        batch_size : int, default=100
            IRIs per query.
        skip_predicates : sequence of str, default=()
            Predicates filtered out by the endpoint (and not followed).
        literals : bool, default=True
            Fetch triples whose object is a literal.
        timeout : float, default=30.0
            Seconds per request.
        retries : int, default=3
            Further attempts after a connection error, timeout or HTTP 429/5xx,
            waiting 0.5, 1, 2, ... s.
        cache_dir : str or path-like, default=None
            Keep each response as a JSON file here (keyed by endpoint and query), so
            a rerun sends no request; responses are always cached in memory.
        headers : dict, default=None
            Extra HTTP headers (e.g. an API key).

        Returns
        -------
        KnowledgeGraph
            ``n_requests_`` is the number of HTTP requests sent.

        Raises
        ------
        DataError
            When the endpoint refuses a query, answers something other than SPARQL
            JSON results, or fails ``retries + 1`` times.
        """
        from deepmine.embeddings._sparql import SparqlClient, neighbourhood_triples

        if isinstance(entities, str):
            raise DataError("from_sparql: entities must be a list of IRIs, got a single string.")
        client = SparqlClient(url, timeout=timeout, retries=retries, cache_dir=cache_dir,
                              headers=headers)
        triples = neighbourhood_triples(client, [str(e) for e in entities], depth=depth,
                                        batch_size=batch_size, skip_predicates=skip_predicates,
                                        literals=literals)
        if not triples:
            raise DataError(f"SPARQL endpoint {url} has no triple about the {len(entities)} "
                            f"entities; check their IRIs.")
        subj, pred, obj, lit = (list(c) for c in zip(*triples))
        kg = cls._build(subj, pred, obj, np.asarray(lit, dtype=bool), lambda t: t)
        kg.n_requests_ = client.n_requests
        return kg

    @classmethod
    def _build(cls, subj, pred, obj, is_lit, name):
        if not subj:
            raise DataError("The RDF graph has no triples.")
        terms = pd.Series(subj + obj, dtype=object)
        codes, uniques = pd.factorize(terms, sort=False)
        labels = np.array([name(t) for t in uniques], dtype=object)
        node_lit = np.zeros(len(labels), dtype=bool)
        m = len(subj)
        node_lit[codes[m:][is_lit]] = True
        pcodes, puniq = pd.factorize(pd.Series(pred, dtype=object), sort=False)
        g = CSRGraph.from_edges(codes[:m], codes[m:], labels, edge_types=pcodes, directed=True)
        return cls(g, np.asarray(puniq, dtype=object), node_lit)

    def filtered(self, *, skip_predicates=(), literals="keep"):
        """A copy without the edges of ``skip_predicates`` and, if ``literals="drop"``, to literals.

        Unknown predicates give a :class:`DataWarning` (a typo would leak the label).
        """
        skip = set(skip_predicates)
        known = set(self.predicates.tolist())
        unknown = sorted(skip - known)
        if unknown:
            warnings.warn(f"skip_predicates {unknown} do not occur in the graph; check for typos.",
                          DataWarning, stacklevel=user_stacklevel())
        g = self.graph
        keep = ~np.isin(g.edge_types, [i for i, p in enumerate(self.predicates) if p in skip])
        if literals == "drop":
            keep &= ~self.is_literal[g.indices]
        if keep.all():
            return self
        src = np.repeat(np.arange(g.n_nodes, dtype=np.int64), g.degree)[keep]
        sub = CSRGraph.from_edges(src, g.indices[keep], g.labels, edge_types=g.edge_types[keep])
        return KnowledgeGraph(sub, self.predicates, self.is_literal)

    def __repr__(self):
        return (f"KnowledgeGraph(n_nodes={self.graph.n_nodes}, n_triples={self.n_triples}, "
                f"n_predicates={len(self.predicates)})")
