"""The lecture's interactive demos as a local web app (``deepmine serve``).

Six pages, served by one Starlette app as plain HTML, CSS and JavaScript (no
CDN, works offline): draw a digit and watch a CNN's layers respond, attack it
with FGSM or PGD, word analogies and neighbours, classify an image (with
DeepDream and class prototypes), and outliers of an uploaded CSV table.
The models are the user's own files (loaded only through :func:`deepmine.load`)
or small defaults trained once on shipped data and cached in the data home.

- :func:`create_app` -- the ASGI app;
- :class:`Limits` -- request-size and queue bounds;
- :func:`run` -- serve an app with uvicorn.
"""

from deepmine.serve._app import create_app, run
from deepmine.serve._limits import Limits

__all__ = ["create_app", "run", "Limits"]
