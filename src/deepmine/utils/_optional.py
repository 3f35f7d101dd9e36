"""Optional dependencies: import them where a feature needs them, or name the extra to install.

The core of deepmine (tabular networks, autoencoders, the engine, time-series models on
arrays) needs only torch, numpy, scipy, pandas, scikit-learn, tqdm, safetensors,
matplotlib and pillow. Everything else comes with an extra of ``pip install deepmine[...]``.
"""

import importlib

from deepmine.exceptions import MissingDependencyError

#: Top-level module -> (PyPI name, the deepmine extra that installs it).
EXTRAS = {
    "gensim": ("gensim", "text"),
    "networkx": ("networkx", "graphs"),
    "pyoxigraph": ("pyoxigraph", "rdf"),
    "rdflib": ("rdflib", "rdf"),
    "aeon": ("aeon", "timeseries"),
    "torchvision": ("torchvision", "vision"),
    "pygments": ("pygments", "tour"),
    "starlette": ("starlette", "serve"),
    "uvicorn": ("uvicorn", "serve"),
    "multipart": ("python-multipart", "serve"),
}


def missing(module, feature=None):
    """The error to raise when the optional ``module`` is not installed.

    Parameters
    ----------
    module : str
        The (dotted) module name; its top-level package is looked up in :data:`EXTRAS`.
    feature : str, optional
        What needs it, for the message (e.g. ``"Word2Vec"``).

    Returns
    -------
    MissingDependencyError

    Examples
    --------
    >>> from deepmine.utils._optional import missing
    >>> print(missing("gensim.models", "Word2Vec"))
    Word2Vec needs the gensim package, which is not installed: pip install 'deepmine[text]'
    """
    top = module.split(".")[0]
    package, extra = EXTRAS.get(top, (top, "all"))
    who = feature or "This feature"
    return MissingDependencyError(
        f"{who} needs the {package} package, which is not installed: "
        f"pip install 'deepmine[{extra}]'")


def import_optional(module, feature=None):
    """Import ``module``; if its package is missing, raise an error naming the extra.

    Parameters
    ----------
    module : str
        Dotted module name, e.g. ``"gensim.models"``.
    feature : str, optional
        What needs it, for the message.

    Returns
    -------
    module
        The imported module.

    Raises
    ------
    MissingDependencyError
        When the package (not one of its own imports) is not installed.

    Examples
    --------
    >>> from deepmine.utils._optional import import_optional
    >>> import_optional("json").dumps([1])
    '[1]'
    """
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        top = module.split(".")[0]
        if top not in EXTRAS or exc.name is None or exc.name.split(".")[0] != top:
            raise
        raise missing(module, feature) from None


def optional_from(module, *names, feature=None):
    """``from module import names`` for an optional package; one object or a tuple.

    Examples
    --------
    >>> from deepmine.utils._optional import optional_from
    >>> optional_from("os.path", "join")("a", "b") == __import__("os").path.join("a", "b")
    True
    """
    mod = import_optional(module, feature)
    found = []
    for name in names:
        try:
            found.append(getattr(mod, name))
        except AttributeError:  # a submodule not yet imported (``from PIL import Image``)
            found.append(import_optional(f"{module}.{name}", feature))
    return found[0] if len(found) == 1 else tuple(found)


def check_installed(modules, feature, extra):
    """Raise one error naming ``extra`` when any of ``modules`` is not installed.

    Examples
    --------
    >>> from deepmine.utils._optional import check_installed
    >>> check_installed(["json"], "Reading JSON", "all")
    >>> check_installed(["no_such_pkg"], "It", "all")
    Traceback (most recent call last):
    ...
    deepmine.exceptions.MissingDependencyError: It needs no_such_pkg, which is not installed: pip install 'deepmine[all]'
    """
    import importlib.util

    absent = [EXTRAS.get(m, (m,))[0] for m in modules if importlib.util.find_spec(m) is None]
    if absent:
        raise MissingDependencyError(
            f"{feature} needs {', '.join(absent)}, which "
            f"{'is' if len(absent) == 1 else 'are'} not installed: pip install 'deepmine[{extra}]'")


#: What the whole tour needs beyond the core.
TOUR_MODULES = ("gensim", "networkx", "pyoxigraph", "rdflib", "aeon", "torchvision", "pygments")
