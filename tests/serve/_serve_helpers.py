"""Helpers of the web-app tests: small vectors, images and tables, a server in a thread."""

import socket
import threading
import time

import numpy as np


def tiny_vectors():
    """Twelve 3-d vectors in which man : king :: woman : queen and he : his :: she : her hold."""
    from gensim.models import KeyedVectors

    words = {"man": [1, 0, 0], "woman": [-1, 0, 0], "king": [1, 1, 0], "queen": [-1, 1, 0],
             "he": [1, 0, 1], "she": [-1, 0, 1], "his": [1, 0.2, 1.5], "her": [-1, 0.2, 1.5],
             "apple": [0, -1, 0.2], "pear": [0.1, -1, 0.3], "city": [0, 0.3, -1],
             "town": [0.1, 0.35, -1]}
    kv = KeyedVectors(3)
    kv.add_vectors(list(words), np.asarray(list(words.values()), dtype=np.float32))
    return kv


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """uvicorn serving ``app`` in a thread on a free 127.0.0.1 port; ``stop()`` ends it."""

    def __init__(self, app):
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port,
                                                    log_level="warning", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        end = time.monotonic() + 60
        while not self.server.started:
            if time.monotonic() > end or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)

    def stop(self):
        self.server.should_exit = True
        self.thread.join(30)


def png_bytes(h=40, w=30, seed=0):
    import io

    from PIL import Image

    rgb = (np.random.default_rng(seed).random((h, w, 3)) * 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="PNG")
    return buf.getvalue()


def table_csv(n=120, seed=0):
    """A numeric table with one planted outlier in row 7 (CSV line 9), as CSV text."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    a = rng.normal(size=n)
    df = pd.DataFrame({"a": a, "b": 2 * a + 0.1 * rng.normal(size=n), "c": rng.normal(size=n)})
    df.loc[7, "b"] = -12.0
    return df.to_csv(index=False)


def stroke(rows=slice(8, 48), cols=slice(25, 31)):
    """A vertical bar (a "1") on the page's 56x56 ink grid."""
    g = np.zeros((56, 56))
    g[rows, cols] = 1.0
    return g.ravel().tolist()


class served:
    """``with served(app) as client:`` an httpx client of ``app`` on its own loopback port."""

    def __init__(self, app):
        self.app = app

    def __enter__(self):
        import httpx

        self.server = Server(self.app)
        self.client = httpx.Client(base_url=self.server.url, timeout=60)
        return self.client

    def __exit__(self, *exc):
        self.client.close()
        self.server.stop()
