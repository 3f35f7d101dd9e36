"""Safe by default: loopback only, bounded bodies, guarded decoding, no paths from the client,
models only through deepmine.load, and a message (never a traceback) for bad input."""

import asyncio
import pickle
import struct
import zlib

import pytest

from deepmine.cli import main

from _serve_helpers import free_port, png_bytes, served, stroke, table_csv, tiny_vectors


def _limited_client(app, **limits):
    from deepmine.serve import Limits, create_app

    small = create_app([app.state.store.digits.value], tiny_vectors(), limits=Limits(**limits),
                       prepare=False)
    return served(small)


def _assert_message(r, status=400):
    assert r.status_code == status
    body = r.json()
    assert isinstance(body["error"], str) and body["error"]
    assert "Traceback" not in r.text and "File \"" not in r.text
    return body["error"]


# ---- binding -------------------------------------------------------------------------------
@pytest.fixture
def fake_serve(monkeypatch):
    import deepmine.serve

    calls = []
    monkeypatch.setattr(deepmine.serve, "run", lambda app, host, port, ready: calls.append(
        (host, port)) or ready(f"http://{host}:{port}/"))
    return calls


def test_serve_binds_loopback_by_default_and_prints_the_url(fake_serve, capsys, tmp_path,
                                                            monkeypatch):
    monkeypatch.setenv("DEEPMINE_DATA", str(tmp_path))
    port = free_port()
    assert main(["serve", "--port", str(port)]) == 0
    assert fake_serve == [("127.0.0.1", port)]
    out, err = capsys.readouterr()
    assert f"http://127.0.0.1:{port}/" in out and "warning" not in err


def test_serve_warns_when_listening_beyond_this_computer(fake_serve, capsys, tmp_path,
                                                         monkeypatch):
    monkeypatch.setenv("DEEPMINE_DATA", str(tmp_path))
    assert main(["serve", "--host", "0.0.0.0", "--port", str(free_port())]) == 0
    err = capsys.readouterr().err
    assert "warning: listening on 0.0.0.0" in err and len(err.strip().splitlines()) == 1


def test_a_port_in_use_is_one_line_and_exit_2(capsys, tmp_path, monkeypatch):
    import socket

    monkeypatch.setenv("DEEPMINE_DATA", str(tmp_path))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        assert main(["serve", "--port", str(s.getsockname()[1])]) == 2
    err = capsys.readouterr().err
    assert "cannot listen on 127.0.0.1" in err and len(err.strip().splitlines()) == 1


def test_foreign_host_header_is_refused(client):
    """A page of another site resolving its name to 127.0.0.1 (DNS rebinding) gets nothing."""
    assert client.get("/", headers={"host": "evil.example"}).status_code == 400


# ---- sizes ---------------------------------------------------------------------------------
def test_json_body_over_the_limit_is_refused_with_413(app):
    with _limited_client(app, max_json_bytes=1000) as c:
        msg = _assert_message(c.post("/api/digit", json={"pixels": [0.0] * 3136}), 413)
        assert "at most 1,000 bytes" in msg


def test_upload_over_the_limit_is_refused_with_413(app):
    with _limited_client(app, max_upload_bytes=2000) as c:
        r = c.post("/api/classify", files={"file": ("big.png", png_bytes(80, 80), "image/png")})
        _assert_message(r, 413)


def _png_header_only(width, height):
    """A PNG that declares ``width x height`` pixels but holds almost no data."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
            + chunk(b"IEND", b""))


@pytest.mark.parametrize("side", [8000, 20000])  # over the server's limit; over Pillow's own
def test_decompression_bomb_is_refused_before_decoding(client, side):
    r = client.post("/api/classify", files={"file": ("bomb.png", _png_header_only(side, side),
                                                     "image/png")})
    msg = _assert_message(r)
    assert "pixels" in msg and "smaller image" in msg


def test_csv_over_the_cell_limit_is_refused(app):
    with _limited_client(app, max_csv_cells=100) as c:
        r = c.post("/api/outliers", files={"file": ("t.csv", table_csv(), "text/csv")})
        assert "at most 100" in _assert_message(r)


# ---- no paths, no pickle -------------------------------------------------------------------
def test_client_cannot_name_a_server_file(client, app):
    for url in ["/static/../_app.py", "/static/..%2F_app.py", "/static/_app.py",
                "/static/%2e%2e/%2e%2e/pyproject.toml", "/static/index.html/../../_app.py"]:
        assert client.get(url).status_code == 404, url
    from starlette.routing import Route

    with_params = [r.path for r in app.routes if isinstance(r, Route) and "{" in r.path]
    assert with_params == ["/static/{name}"]  # and {name} is looked up in a fixed table


def test_request_fields_naming_files_are_ignored(client):
    d = client.post("/api/digit", json={"pixels": stroke(), "model": "/etc/passwd",
                                        "path": "../../secret.dm"}).json()
    assert d["prediction"] == "1"


def test_model_files_load_only_through_deepmine_load(tmp_path, capsys, monkeypatch):
    import deepmine

    evil = tmp_path / "model.dm"
    evil.write_bytes(pickle.dumps({"not": "a model"}))
    seen = []
    original = deepmine.load
    monkeypatch.setattr(deepmine, "load", lambda path: seen.append(path) or original(path))
    assert main(["serve", "--model", str(evil)]) == 2
    assert seen == [str(evil)]
    err = capsys.readouterr().err
    assert err.startswith("deepmine serve: error:") and len(err.strip().splitlines()) == 1


def test_a_model_without_a_page_is_refused_in_one_line(tmp_path, capsys):
    from deepmine.datasets import load_credit
    from deepmine.tabular import Perceptron

    df = load_credit()
    path = tmp_path / "p.dm"
    Perceptron(random_state=0).fit(df.drop(columns=["Person", "Get Credit"]),
                                   df["Get Credit"]).save(path)
    assert main(["serve", "--model", str(path)]) == 2
    assert "Perceptron model has no page" in capsys.readouterr().err


# ---- bad input: a message on the page --------------------------------------------------------
def test_empty_canvas(client):
    assert "draw a digit first" in _assert_message(client.post("/api/digit",
                                                               json={"pixels": [0] * 3136}))


@pytest.mark.parametrize("body", [{"pixels": [1, 2, 3]}, {"pixels": "x" * 10}, {},
                                  {"pixels": [None] * 3136}])
def test_malformed_drawing(client, body):
    _assert_message(client.post("/api/digit", json=body))


def test_not_json(client):
    assert "not valid JSON" in _assert_message(client.post("/api/digit", content=b"{oops"))


@pytest.mark.parametrize("body", [{"sample": 10**6}, {"sample": "3"}, {"sample": 1, "eps": 7},
                                  {"sample": 1, "method": "cw"}])
def test_bad_attack_settings(client, body):
    _assert_message(client.post("/api/attack", json=body))


def test_non_image_upload(client):
    r = client.post("/api/classify", files={"file": ("notes.png", b"just text", "image/png")})
    assert "not an image" in _assert_message(r)


def test_upload_without_a_file(client):
    assert "No file" in _assert_message(client.post("/api/classify", data={"x": "1"}))


@pytest.mark.parametrize("data", [b"a,b\n1,2\n3,4,5,6\n" + b"1,2\n" * 20, b"", b"\xff\xfe\x00bin",
                                  b"a,b\n" + b"1,\n" * 20, b"a,b\n1,2\n"])
def test_malformed_csv(client, data):
    _assert_message(client.post("/api/outliers", files={"file": ("t.csv", data, "text/csv")}))


def test_unknown_words(client):
    msg = _assert_message(client.post("/api/analogy", json={"a": "man", "b": "king",
                                                            "c": "zyzzyva"}))
    assert "'zyzzyva'" in msg and "12 words" in msg
    _assert_message(client.post("/api/neighbours", json={"word": ""}))
    _assert_message(client.post("/api/analogy", json={"a": "man", "b": "man", "c": "king"}))


def test_a_bug_is_a_one_line_500_without_traceback(client, monkeypatch):
    from deepmine.serve import _digits

    def broken(model, grid):
        raise RuntimeError("internal detail /home/user/secret")
    monkeypatch.setattr(_digits, "respond", broken)
    msg = _assert_message(client.post("/api/digit", json={"pixels": stroke()}), 500)
    assert "secret" not in msg and "RuntimeError" in msg


def test_model_still_preparing_is_503_with_retry(app):
    from deepmine.serve import create_app

    fresh = create_app(vectors=tiny_vectors(), prepare=False)
    with served(fresh) as c:
        r = c.post("/api/digit", json={"pixels": [1.0] * 3136})
        assert r.status_code == 503 and r.json()["preparing"] and r.headers["retry-after"] == "1"


def test_gate_refuses_beyond_its_queue():
    import threading

    from deepmine.serve._limits import Busy, Gate

    release = threading.Event()

    async def scenario():
        gate = Gate(workers=1, queue=1)
        first = asyncio.ensure_future(gate.run(release.wait, 10))
        second = asyncio.ensure_future(gate.run(lambda: "second"))
        await asyncio.sleep(0.05)
        with pytest.raises(Busy):
            await gate.run(lambda: "third")
        release.set()
        return await first, await second

    assert asyncio.run(scenario()) == (True, "second")
