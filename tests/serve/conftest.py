"""Shared fixtures of the web-app tests: the default digit network (trained once into a
temporary data home), small word vectors, and a server on a free loopback port."""

import pytest
from _serve_helpers import Server, tiny_vectors


@pytest.fixture(scope="session")
def data_home(tmp_path_factory):
    return tmp_path_factory.mktemp("deepmine_data")


@pytest.fixture(scope="session")
def app(data_home):
    """The app on the default digit network (trained here, then cached) and tiny vectors."""
    from deepmine.serve import create_app

    app = create_app(vectors=tiny_vectors(), vectors_note="twelve test vectors",
                     cache_dir=data_home)
    assert app.state.store.start().wait(300)
    return app


@pytest.fixture(scope="session")
def server(app):
    s = Server(app)
    yield s
    s.stop()


@pytest.fixture
def client(server):
    """An HTTP client of the app served on a free loopback port."""
    import httpx

    with httpx.Client(base_url=server.url, timeout=60) as c:
        yield c
