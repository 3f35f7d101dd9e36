"""KnowledgeGraph.from_sparql against real SPARQL servers on a loopback port (no network).

The first server is Oxigraph's own HTTP server (the ``oxigraph`` package of the
test extra) serving MUTAG; the second a pyoxigraph store behind a tiny SPARQL
protocol handler, which can also fail on purpose (retries, timeouts).
"""

import http.server
import lzma
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from deepmine.datasets import load_mutag
from deepmine.embeddings import KnowledgeGraph, RandomWalker, RDF2Vec, Word2Vec
from deepmine.exceptions import DataError


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url, seconds=30.0):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            urllib.request.urlopen(url + "?query=ASK%7B%7D", timeout=1).read()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"no SPARQL server at {url}")


def oxigraph_binary():
    found = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    return found if Path(found).is_file() else None


@pytest.fixture(scope="module")
def mutag_nt(tmp_path_factory):
    data = load_mutag()
    path = tmp_path_factory.mktemp("mutag") / "mutag.nt"
    with lzma.open(data.graph, "rb") as src, open(path, "wb") as dst:
        shutil.copyfileobj(src, dst)
    return path, data


@pytest.fixture(scope="module")
def oxigraph_server(mutag_nt, tmp_path_factory):
    binary = oxigraph_binary()
    if binary is None:
        pytest.skip("the oxigraph server (pip install oxigraph) is not installed")
    path, _ = mutag_nt
    store = tmp_path_factory.mktemp("store")
    subprocess.run([binary, "load", "--location", str(store), "--file", str(path)], check=True,
                   capture_output=True, timeout=120)
    port = free_port()
    proc = subprocess.Popen([binary, "serve-read-only", "--location", str(store), "--bind",
                             f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/query"
    try:
        wait_until_up(url)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


class _Handler(http.server.BaseHTTPRequestHandler):
    store = None
    fail_first = 0  # answer 503 to this many requests, then serve
    delay = 0.0
    served = 0

    def log_message(self, *args):
        pass

    def do_POST(self):  # noqa: N802 (http.server's name)
        import pyoxigraph as ox

        cls = type(self)
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        query = urllib.parse.parse_qs(body)["query"][0]
        if cls.fail_first > 0:
            cls.fail_first -= 1
            self.send_response(503)
            self.end_headers()
            return
        time.sleep(cls.delay)
        cls.served += 1
        out = cls.store.query(query).serialize(format=ox.QueryResultsFormat.JSON)
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        try:
            self.wfile.write(out)
        except BrokenPipeError:  # the client timed out first
            pass


@pytest.fixture
def tiny_server():
    import pyoxigraph as ox

    store = ox.Store()
    for line in ["<http://x/a> <http://x/p> <http://x/b> .",
                 '<http://x/b> <http://x/age> "7"^^<http://www.w3.org/2001/XMLSchema#integer> .',
                 "<http://x/b> <http://x/q> <http://x/c> .",
                 "<http://x/c> <http://x/q> <http://x/d> .",
                 "<http://x/z> <http://x/p> <http://x/a> ."]:
        store.load(line.encode(), ox.RdfFormat.N_TRIPLES)
    handler = type("Handler", (_Handler,), {"store": store})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sparql", handler
    finally:
        server.shutdown()
        server.server_close()


def reachable_triples(kg, entities, depth):
    """(s, p, o) of every edge on a path of at most ``depth`` hops from ``entities``."""
    g = kg.graph
    src = np.repeat(np.arange(g.n_nodes), g.degree)
    frontier = set(g.node_ids(entities, what="Entity").tolist())
    seen, out = set(frontier), set()
    for _ in range(depth):
        edges = np.flatnonzero(np.isin(src, list(frontier)))
        out |= {(g.labels[src[e]], kg.predicates[g.edge_types[e]], g.labels[g.indices[e]])
                for e in edges}
        frontier = set(g.indices[edges].tolist()) - seen
        seen |= frontier
    return out


def literal_values(triples):
    def value(o):
        text = o.split('"')[1]
        try:
            return float(text)
        except ValueError:
            return float("nan") if text == "NaN" else hash(text)

    return [(s, p, value(o)) for s, p, o in triples if o.startswith('"')]


def triple_set(kg):
    g = kg.graph
    src = np.repeat(np.arange(g.n_nodes), g.degree)
    return {(g.labels[s], kg.predicates[p], g.labels[o])
            for s, o, p in zip(src, g.indices, g.edge_types)}


def test_from_sparql_fetches_exactly_the_walkable_neighbourhood(oxigraph_server, mutag_nt,
                                                                 tmp_path):
    """Oxigraph's server on MUTAG: the fetched triples are those within depth hops, literals too."""
    path, data = mutag_nt
    entities = data.entities[:8]
    local = KnowledgeGraph.load(path)
    kg = KnowledgeGraph.from_sparql(oxigraph_server, entities, depth=3, batch_size=5,
                                    cache_dir=tmp_path / "cache")
    got, want = triple_set(kg), reachable_triples(local, entities, 3)
    # the store writes numbers canonically ("-0.0080" -> "-0.008"): compare literals by value
    assert {t for t in got if t[2][0] != '"'} == {t for t in want if t[2][0] != '"'}
    assert sorted(literal_values(got)) == sorted(literal_values(want))
    assert kg.is_literal.any() and kg.n_requests_ >= 3
    again = KnowledgeGraph.from_sparql(oxigraph_server, entities, depth=3, batch_size=5,
                                       cache_dir=tmp_path / "cache")
    assert again.n_requests_ == 0 and triple_set(again) == triple_set(kg)  # all from the cache
    skip = KnowledgeGraph.from_sparql(oxigraph_server, entities, depth=1,
                                      skip_predicates=data.skip_predicates, literals=False)
    assert data.skip_predicates[0] not in skip.predicates.tolist()
    assert not skip.is_literal.any()
    rdf2vec = RDF2Vec(RandomWalker(depth=3, walks_per_entity=10),
                      Word2Vec(vector_size=8, min_count=1, epochs=1), light=True, random_state=0)
    assert rdf2vec.fit_transform(kg, entities).shape == (8, 8)


def test_from_sparql_retries_then_fails_clearly(tiny_server):
    """503s are retried; a dead endpoint, a timeout and a bad IRI give one-sentence errors."""
    url, handler = tiny_server
    handler.fail_first = 2
    kg = KnowledgeGraph.from_sparql(url, ["http://x/a"], depth=2, retries=2, timeout=5)
    assert kg.n_requests_ == 4  # 2 failures, then the 2 rounds of the search
    assert triple_set(kg) == {("http://x/a", "http://x/p", "http://x/b"),
                              ("http://x/b", "http://x/q", "http://x/c"),
                              ("http://x/b", "http://x/age",
                               '"7"^^<http://www.w3.org/2001/XMLSchema#integer>')}
    handler.fail_first = 10
    with pytest.raises(DataError, match=r"failed 2 times \(last: HTTP 503\)"):
        KnowledgeGraph.from_sparql(url, ["http://x/a"], depth=1, retries=1, timeout=5)
    handler.fail_first, handler.delay = 0, 1.0
    with pytest.raises(DataError, match="failed 1 times"):
        KnowledgeGraph.from_sparql(url, ["http://x/a"], depth=1, retries=0, timeout=0.2)
    handler.delay = 0.0
    with pytest.raises(DataError, match="not an IRI"):
        KnowledgeGraph.from_sparql(url, ["http://x/a b"], depth=1)
    with pytest.raises(DataError, match="no triple"):
        KnowledgeGraph.from_sparql(url, ["http://x/nothing"], depth=1)
    with pytest.raises(DataError, match="failed"):
        KnowledgeGraph.from_sparql(f"http://127.0.0.1:{free_port()}/sparql", ["http://x/a"],
                                   depth=1, retries=0, timeout=1)


def test_rdf2vec_takes_an_endpoint_url_as_its_graph(tiny_server):
    """RDF2Vec(graph=url) fetches the neighbourhood up to the walker's depth and embeds as the
    KnowledgeGraph from from_sparql does; fit without entities is a clear error."""
    url, handler = tiny_server
    handler.fail_first = 0
    make = lambda **kw: RDF2Vec(RandomWalker(depth=2, walks_per_entity=5),  # noqa: E731
                                Word2Vec(vector_size=4, min_count=1, epochs=1, workers=1),
                                random_state=0, **kw)
    by_url = make(graph=url).fit(["http://x/a"])
    kg = KnowledgeGraph.from_sparql(url, ["http://x/a"], depth=2)
    np.testing.assert_array_equal(by_url.transform(["http://x/a"]),
                                  make().fit(kg, ["http://x/a"]).transform(["http://x/a"]))
    assert triple_set(by_url.kg_) == triple_set(kg)
    with pytest.raises(DataError, match="got no entities"):
        make(graph=url).fit([])


def test_embed_rdf_command_takes_an_endpoint_url(tiny_server, tmp_path, capsys):
    """``deepmine embed rdf URL --entities FILE`` embeds from the endpoint; no local file needed."""
    from deepmine.cli import main

    url, handler = tiny_server
    handler.fail_first = 0
    (tmp_path / "e.txt").write_text("http://x/a\nhttp://x/b\n")
    out = tmp_path / "v.tsv"
    assert main(["embed", "rdf", url, "--entities", str(tmp_path / "e.txt"), "--walks", "3",
                 "--size", "4", "--epochs", "1", "--depth", "2", "--out", str(out)]) == 0
    rows = out.read_text().splitlines()
    assert [r.split("\t")[0] for r in rows] == ["http://x/a", "http://x/b"]
    assert all(len(r.split("\t")) == 5 for r in rows)
    assert "vectors written to" in capsys.readouterr().out


SHARED_HDT = next((p / "shared/data/rdf2vec/mutag/mutag.hdt" for p in Path(__file__).parents
                   if (p / "shared/data/rdf2vec/mutag/mutag.hdt").is_file()), Path("absent"))


def test_hdt_file_gives_the_same_graph_as_ntriples(mutag_nt):
    """MUTAG's original HDT file holds the same triples as its N-Triples export."""
    pytest.importorskip("hdt")
    if not SHARED_HDT.is_file():
        pytest.skip("mutag.hdt (benchmark data) is not present")
    path, _ = mutag_nt
    assert triple_set(KnowledgeGraph.load(SHARED_HDT)) == triple_set(KnowledgeGraph.load(path))
