"""A small SPARQL 1.1 protocol client: the neighbourhood of entities, fetched in batched queries.

:meth:`KnowledgeGraph.from_sparql` collects the triples within ``depth`` hops of
the entities by breadth-first search: each round sends one ``VALUES`` query per
batch of frontier nodes (POST, form-encoded, JSON results), so a graph of any size
is never downloaded whole. Responses are cached in memory and, optionally, on
disk (one JSON file per query, named by its hash); failed requests (connection
errors, timeouts, HTTP 429/5xx) are retried with exponential back-off.
"""

import hashlib
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request

from deepmine.exceptions import DataError
from deepmine.utils._optional import import_optional

__all__ = ["SparqlClient", "neighbourhood_triples"]

_RETRY_STATUS = {429, 500, 502, 503, 504}


def _iri(value):
    if any(c in value for c in '<>"{}|^`\\ \n'):
        raise DataError(f"{value!r} is not an IRI that can be sent in a SPARQL query.")
    return f"<{value}>"


def _term(binding):
    """``(label, is_literal)`` of a SPARQL JSON term, labelled as :class:`KnowledgeGraph` does."""
    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return value, False
    if kind == "bnode":
        return "_:" + value, False
    ox = import_optional("pyoxigraph", "KnowledgeGraph.from_sparql")

    if "xml:lang" in binding:
        return str(ox.Literal(value, language=binding["xml:lang"])), True
    datatype = binding.get("datatype")
    lit = ox.Literal(value) if datatype is None else ox.Literal(value, datatype=ox.NamedNode(datatype))
    return str(lit), True


class SparqlClient:
    """POST queries to a SPARQL endpoint with caching, retries and a timeout per request."""

    def __init__(self, url, *, timeout=30.0, retries=3, backoff=0.5, cache_dir=None, headers=None):
        self.url, self.timeout, self.retries, self.backoff = url, timeout, retries, backoff
        self.cache_dir, self.headers = cache_dir, dict(headers or {})
        self.memory = {}
        self.n_requests = 0
        if cache_dir is not None:
            os.makedirs(cache_dir, exist_ok=True)

    def _cache_path(self, key):
        return None if self.cache_dir is None else os.path.join(self.cache_dir, key + ".json")

    def select(self, query):
        """The bindings (a list of dicts) of a SELECT query."""
        key = hashlib.sha256(f"{self.url}\n{query}".encode()).hexdigest()
        if key in self.memory:
            return self.memory[key]
        path = self._cache_path(key)
        if path is not None and os.path.isfile(path):
            with open(path, encoding="utf-8") as f:
                rows = json.load(f)
        else:
            rows = self._request(query)["results"]["bindings"]
            if path is not None:
                tmp = f"{path}.{os.getpid()}.tmp"
                with open(tmp, "w", encoding="utf-8") as f:
                    json.dump(rows, f)
                os.replace(tmp, path)
        self.memory[key] = rows
        return rows

    def _request(self, query):
        data = urllib.parse.urlencode({"query": query}).encode()
        headers = {"Accept": "application/sparql-results+json",
                   "Content-Type": "application/x-www-form-urlencoded", **self.headers}
        last = None
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            self.n_requests += 1
            request = urllib.request.Request(self.url, data=data, headers=headers, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return json.loads(response.read().decode("utf-8"))
            except urllib.error.HTTPError as exc:
                if exc.code not in _RETRY_STATUS:
                    body = exc.read().decode("utf-8", "replace")[:200].strip()
                    raise DataError(f"SPARQL endpoint {self.url} refused the query: HTTP "
                                    f"{exc.code} {body}") from None
                last = f"HTTP {exc.code}"
            except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
                last = str(getattr(exc, "reason", exc))
            except ValueError as exc:  # not JSON
                raise DataError(f"SPARQL endpoint {self.url} did not answer with SPARQL JSON "
                                f"results: {exc}.") from None
        raise DataError(f"SPARQL endpoint {self.url} failed {self.retries + 1} times (last: "
                        f"{last}); check the URL, or raise timeout=/retries=.")


def neighbourhood_triples(client, entities, *, depth, batch_size, skip_predicates=(),
                          literals=True):
    """Triples ``(s, p, o, o_is_literal)`` within ``depth`` out-hops of ``entities``.

    Blank nodes are kept as objects but not expanded (their labels are local to
    one response).
    """
    skip = set(skip_predicates)
    flt = "" if not skip else "FILTER(?p NOT IN (" + ", ".join(_iri(p) for p in sorted(skip)) + "))"
    lit = "" if literals else "FILTER(!isLiteral(?o))"
    seen, frontier, triples = set(), list(dict.fromkeys(entities)), []
    for _ in range(depth):
        nxt = []
        seen.update(frontier)
        for lo in range(0, len(frontier), batch_size):
            values = " ".join(_iri(e) for e in frontier[lo:lo + batch_size])
            rows = client.select(f"SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {values} }} ?s ?p ?o . "
                                 f"{flt} {lit} }}")
            for row in rows:
                o, is_lit = _term(row["o"])
                triples.append((row["s"]["value"], row["p"]["value"], o, is_lit))
                if row["o"]["type"] == "uri" and o not in seen:
                    seen.add(o)
                    nxt.append(o)
        frontier = nxt
        if not frontier:
            break
    return triples
