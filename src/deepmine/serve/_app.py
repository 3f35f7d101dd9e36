"""The Starlette app: six pages of plain HTML/CSS/JS served from the package, and a JSON API.

The client never names a file: pages and assets come from a fixed table read from
the package at start, and every model was chosen on the command line. Bad input is
answered with ``{"error": "<one sentence>"}`` (400/413), an exhausted queue with 503,
a model still being prepared with 503 and ``"preparing": true`` (the page retries).
"""

import logging
import sys
from importlib import resources

from deepmine.serve._limits import BadInput, Busy, Gate, Limits, read_json, read_upload
from deepmine.serve._models import ModelStore, Preparing, digit_input_shape

#: URL -> packaged file. Nothing else is served.
PAGES = {"/": "index.html", "/digits": "digits.html", "/adversarial": "adversarial.html",
         "/words": "words.html", "/image": "image.html", "/outliers": "outliers.html"}
ASSETS = ("style.css", "common.js", "index.js", "digits.js", "adversarial.js", "words.js", "image.js",
          "outliers.js")
_TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
          ".js": "text/javascript; charset=utf-8"}
_HEADERS = {"Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
                                       "style-src 'self'; script-src 'self'; connect-src 'self'",
            "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
            "Cache-Control": "no-store"}
log = logging.getLogger("deepmine.serve")


def _read_static():
    folder = resources.files("deepmine.serve") / "static"
    names = set(PAGES.values()) | set(ASSETS)
    return {name: (folder / name).read_bytes() for name in names}


def create_app(models=(), vectors=None, *, vectors_note=None, cache_dir=None, limits=None,
               allowed_hosts=None, prepare=True):
    """Build the ASGI app of ``deepmine serve``.

    Parameters
    ----------
    models : sequence of fitted estimators, default=()
        Models loaded with :func:`deepmine.load`: a one-channel
        ``ConvNetClassifier`` for the digit pages, another ``ConvNetClassifier``
        for the image page, an ``AutoEncoderOutlierDetector`` for the outlier
        page. Missing ones are defaults trained on shipped data (cached).
    vectors : gensim KeyedVectors, callable or None, default=None
        Word vectors for the analogy page, or a function returning them (called
        in the background); None trains (once, then caches) a small Word2Vec
        model on gensim's Lee corpus.
    vectors_note : str or None, default=None
        Where ``vectors`` come from, shown on the page.
    cache_dir : path or None, default=None
        Data home for the cached default models (``$DEEPMINE_DATA`` or
        ``~/.cache/deepmine`` when None).
    limits : Limits or None, default=None
        Request bounds; None uses :class:`Limits`' defaults.
    allowed_hosts : list of str or None, default=None
        Accepted ``Host`` headers (DNS-rebinding guard); None accepts
        ``127.0.0.1``, ``localhost`` and ``::1``; ``["*"]`` accepts any.
    prepare : bool, default=True
        Start preparing the default models when the app starts.

    Returns
    -------
    starlette.applications.Starlette
        Its ``state.store`` holds the models (``store.wait()`` blocks until ready).

    Examples
    --------
    >>> from deepmine.serve import create_app
    >>> app = create_app(prepare=False)
    >>> [route.path for route in app.routes][:3]
    ['/', '/digits', '/adversarial']
    """
    from contextlib import asynccontextmanager

    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.trustedhost import TrustedHostMiddleware
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    limits = limits or Limits()
    store = ModelStore(models, vectors, vectors_note, cache_dir)
    static = _read_static()
    fast = Gate(limits.fast_workers, limits.fast_queue)
    slow = Gate(limits.slow_workers, limits.slow_queue)
    image_model = {}

    def page(name):
        async def endpoint(request):
            return Response(static[name], media_type=_TYPES[name[name.rindex("."):]],
                            headers=_HEADERS)
        return endpoint

    async def asset(request):
        name = request.path_params["name"]
        if name not in ASSETS:
            return JSONResponse({"error": "Not found."}, status_code=404, headers=_HEADERS)
        return await page(name)(request)

    def api(gate, compute, reader=read_json):
        async def endpoint(request):
            try:
                data = await reader(request, limits)
                return JSONResponse(await gate.run(compute, data), headers=_HEADERS)
            except Preparing as exc:
                return JSONResponse({"error": str(exc), "preparing": True}, status_code=503,
                                    headers={**_HEADERS, "Retry-After": "1"})
            except Busy:
                return JSONResponse({"error": "The server is busy; try again in a moment.",
                                     "busy": True}, status_code=503,
                                    headers={**_HEADERS, "Retry-After": "1"})
            except BadInput as exc:
                return JSONResponse({"error": str(exc)}, status_code=exc.status, headers=_HEADERS)
            except Exception as exc:  # a bug: logged here, one sentence on the page
                from deepmine.exceptions import DeepmineError

                if isinstance(exc, DeepmineError):
                    message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                    return JSONResponse({"error": message}, status_code=400, headers=_HEADERS)
                log.exception("request to %s failed", request.url.path)
                return JSONResponse({"error": f"The server could not answer "
                                              f"({type(exc).__name__}); see its log."},
                                    status_code=500, headers=_HEADERS)
        return endpoint

    # ---- computations (run in worker threads) -----------------------------------------------
    from deepmine.serve import _digits, _images, _outliers, _words

    def digit(data):
        return _digits.respond(store.digits.get(), _digits.check_grid(data.get("pixels")))

    def attack(data):
        model = store.digits.get()
        if data.get("pixels") is not None:
            grid = _digits.check_grid(data["pixels"])
            img, label = _digits.to_input(grid, digit_input_shape(model)), None
        else:
            img, label = _digits.sample_digit(store, model, data.get("sample", 0))
        out = _digits.attack(model, img, data.get("eps", 0.1), data.get("method", "fgsm"))
        out["label"] = label
        return out

    def analogy(data):
        kv = store.words.get()
        out = _words.analogy(kv, data.get("a"), data.get("b"), data.get("c"))
        out["note"] = store.words.source
        return out

    def neighbours(data):
        kv = store.words.get()
        out = _words.neighbours(kv, data.get("word"))
        out["note"] = store.words.source
        return out

    def words_info(data):
        kv = store.words.get()
        return {"note": store.words.source, "size": len(kv), "examples": _words.examples(kv)}

    def classifier():
        if "model" not in image_model:
            image_model["model"] = _images.ImageClassifier.choose(store)
        return image_model["model"]

    def classify(upload):
        clf = classifier()
        return clf.classify(_images.decode_image(upload[1], limits.max_image_pixels))

    def dream(upload):
        clf = classifier()
        return clf.dream(_images.decode_image(upload[1], limits.max_image_pixels))

    def prototype(data):
        return classifier().prototype(data.get("class", 0))

    def outliers(upload):
        df = _outliers.read_csv(upload[1], limits.max_csv_cells)
        return _outliers.score_table(df, store.detector)

    def status(data):
        return store.status()

    async def no_body(request, limits):
        return {}

    routes = [Route(path, page(name)) for path, name in PAGES.items()]
    routes += [Route("/static/{name}", asset),
               Route("/api/status", api(fast, status, no_body)),
               Route("/api/digit", api(fast, digit), methods=["POST"]),
               Route("/api/attack", api(fast, attack), methods=["POST"]),
               Route("/api/analogy", api(fast, analogy), methods=["POST"]),
               Route("/api/neighbours", api(fast, neighbours), methods=["POST"]),
               Route("/api/words", api(fast, words_info, no_body)),
               Route("/api/classify", api(fast, classify, read_upload), methods=["POST"]),
               Route("/api/dream", api(slow, dream, read_upload), methods=["POST"]),
               Route("/api/prototype", api(slow, prototype), methods=["POST"]),
               Route("/api/outliers", api(slow, outliers, read_upload), methods=["POST"])]

    @asynccontextmanager
    async def lifespan(app):
        if prepare:
            store.start()
        yield

    async def not_found(request, exc):
        return JSONResponse({"error": "Not found."}, status_code=404, headers=_HEADERS)

    async def not_allowed(request, exc):
        return JSONResponse({"error": "Method not allowed."}, status_code=405, headers=_HEADERS)

    hosts = allowed_hosts or ["127.0.0.1", "localhost", "::1", "[::1]"]
    app = Starlette(routes=routes, lifespan=lifespan,
                    middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=hosts)],
                    exception_handlers={404: not_found, 405: not_allowed})
    app.state.store = store
    app.state.limits = limits
    return app


def run(app, host="127.0.0.1", port=8765, ready=None):
    """Serve ``app`` with uvicorn until Ctrl-C (or ``server.should_exit``).

    Parameters
    ----------
    app : ASGI app
        Usually from :func:`create_app`.
    host : str, default="127.0.0.1"
        Address to bind; the default answers only this computer.
    port : int, default=8765
    ready : callable or None, default=None
        Called with the app's URL once the socket listens.

    Returns
    -------
    uvicorn.Server
        The stopped server.

    Examples
    --------
    >>> from deepmine.serve import create_app, run
    >>> run(create_app(), port=8765)  # doctest: +SKIP
    """
    import uvicorn

    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False,
                            lifespan="on")
    server = uvicorn.Server(config)
    if ready is not None:
        original = server.startup

        async def startup(sockets=None):
            await original(sockets=sockets)
            if server.started:
                ready(f"http://{'[' + host + ']' if ':' in host else host}:{port}/")
        server.startup = startup
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
    server.run()
    return server
