"""The lecture's pretrained assets, fetched into the caches their own libraries read.

torchvision weights go where ``torchvision.models.get_model(name, weights="DEFAULT")``
looks for them (``$TORCH_HOME/hub/checkpoints``, checked against the hash in the file name
as ``torch.hub`` does); word vectors go where ``gensim.downloader.load(name)`` looks for
them (``$GENSIM_DATA_DIR``, default ``~/gensim-data``; checked against gensim-data's md5
list). Nothing runs code from a downloaded file: gensim-data's ``__init__.py`` loaders are
not fetched, and vectors are read with :func:`deepmine.embeddings.load_vectors`.

A mirror (``mirror=`` or ``$DEEPMINE_MIRROR``: an ``http(s)://`` or ``file://`` base URL)
replaces the two hosts with one folder holding ``torchvision/<file>`` and
``gensim-data/list.json`` + ``gensim-data/<name>/<file>``, the layout of the originals.
"""

import hashlib
import json
import os
import shutil
import sys
import tempfile
import urllib.request
from dataclasses import dataclass

from deepmine.exceptions import DataError, InvalidParameterError
from deepmine.utils._optional import import_optional, optional_from


@dataclass(frozen=True)
class Asset:
    """One downloadable asset: its name, library, size and what the lecture uses it for."""

    name: str
    kind: str  # "torchvision" or "gensim"
    size_mb: int
    use: str
    weights: str = ""  # torchvision weights enum member, e.g. "GoogLeNet_Weights.IMAGENET1K_V1"


ASSETS = {a.name: a for a in [
    Asset("googlenet", "torchvision", 50, "DeepDream's inception layers; reused features",
          "GoogLeNet_Weights.IMAGENET1K_V1"),
    Asset("resnet18", "torchvision", 45, "reused features; FGSM on a photograph",
          "ResNet18_Weights.IMAGENET1K_V1"),
    Asset("vgg16", "torchvision", 528, "class prototypes of an ImageNet network",
          "VGG16_Weights.IMAGENET1K_V1"),
    Asset("vgg19", "torchvision", 548, "style transfer (Gatys et al.)",
          "VGG19_Weights.IMAGENET1K_V1"),
    Asset("word2vec-google-news-300", "gensim", 1662, "the lecture's analogies (GoogleNews)"),
    Asset("glove-wiki-gigaword-100", "gensim", 128, "analogies with a small download"),
    Asset("fasttext-wiki-news-subwords-300", "gensim", 958, "analogies with subword vectors"),
]}

#: What ``deepmine tour --download`` fetches: the networks and vectors its chapters use.
TOUR_ASSETS = ("googlenet", "resnet18", "vgg19", "word2vec-google-news-300")

_CHUNK = 1 << 20


def _torchvision_asset(name):
    """Any other torchvision classification model, with its default ImageNet weights."""
    tvm = import_optional("torchvision.models", "Downloading pretrained assets")

    if not isinstance(name, str) or name not in tvm.list_models(module=tvm):
        return None
    enum = tvm.get_model_weights(name)
    size = enum.DEFAULT.meta.get("_file_size", 0)
    return Asset(name, "torchvision", int(round(size)), "a torchvision ImageNet network",
                 f"{enum.__name__}.{enum.DEFAULT.name}")


def _asset(name):
    asset = ASSETS.get(name) or _torchvision_asset(name)
    if asset is None:
        import difflib

        close = difflib.get_close_matches(str(name), ASSETS, n=2)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise InvalidParameterError(
            f"{name!r} is neither one of the lecture's assets nor a torchvision classification "
            f"model.{hint} Known: {sorted(ASSETS)} ('deepmine download --list').")
    return asset


def _mirror(mirror):
    mirror = mirror if mirror is not None else os.environ.get("DEEPMINE_MIRROR") or None
    if mirror is not None and not str(mirror).startswith(("http://", "https://", "file://")):
        raise InvalidParameterError(
            f"mirror={mirror!r} must be an http://, https:// or file:// base URL.")
    return None if mirror is None else str(mirror).rstrip("/")


def _torchvision_url(asset):
    get_weight = optional_from(
        "torchvision.models", "get_weight", feature="Downloading pretrained assets")

    return get_weight(asset.weights).url


def _gensim_home():
    downloader = import_optional("gensim.downloader", "Downloading word vectors")

    return downloader.BASE_DIR


def _gensim_list_url(mirror):
    downloader = import_optional("gensim.downloader", "Downloading word vectors")

    return f"{mirror}/gensim-data/list.json" if mirror else downloader.DATA_LIST_URL


def _gensim_base_url(mirror):
    downloader = import_optional("gensim.downloader", "Downloading word vectors")

    return f"{mirror}/gensim-data" if mirror else downloader.DOWNLOAD_BASE_URL


def asset_path(name):
    """Where the asset ``name`` lives once downloaded (whether or not it is there yet).

    Parameters
    ----------
    name : str
        One of ``deepmine.datasets.ASSETS`` (``deepmine download --list``) or a torchvision
        classification model name.

    Returns
    -------
    str
        For torchvision weights the checkpoint file in ``$TORCH_HOME/hub/checkpoints``;
        for word vectors the ``.gz`` file in gensim's data folder.

    Examples
    --------
    >>> from deepmine.datasets import asset_path
    >>> asset_path("googlenet").endswith("googlenet-1378be20.pth")
    True
    """
    asset = _asset(name)
    if asset.kind == "torchvision":
        import torch

        return os.path.join(torch.hub.get_dir(), "checkpoints",
                            os.path.basename(_torchvision_url(asset)))
    return os.path.join(_gensim_home(), name, f"{name}.gz")


def is_cached(name):
    """True when the asset ``name`` is already downloaded.

    Examples
    --------
    >>> from deepmine.datasets import is_cached
    >>> isinstance(is_cached("resnet18"), bool)
    True
    """
    return os.path.isfile(asset_path(name))


def list_assets():
    """One dict per known asset: name, kind, size in MB, use, cached, path.

    Examples
    --------
    >>> from deepmine.datasets import list_assets
    >>> [a["name"] for a in list_assets()][:2]
    ['googlenet', 'resnet18']
    """
    return [{"name": a.name, "kind": a.kind, "size_mb": a.size_mb, "use": a.use,
             "cached": is_cached(a.name), "path": asset_path(a.name)} for a in ASSETS.values()]


def _fetch(url, dst, *, progress, desc, digest=None, expected=None):
    """Copy ``url`` to ``dst`` through a temporary file; check its digest before it lands."""
    from tqdm.auto import tqdm

    os.makedirs(os.path.dirname(dst), exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(dst), prefix=".part-")
    h = hashlib.new(digest) if digest else None
    try:
        with urllib.request.urlopen(url, timeout=60) as resp, os.fdopen(fd, "wb") as out:
            total = resp.headers.get("Content-Length")
            with tqdm(total=int(total) if total else None, unit="B", unit_scale=True,
                      unit_divisor=1024, desc=desc, disable=not progress, file=sys.stderr,
                      leave=False) as bar:
                while chunk := resp.read(_CHUNK):
                    out.write(chunk)
                    if h is not None:
                        h.update(chunk)
                    bar.update(len(chunk))
        if h is not None and not h.hexdigest().startswith(expected):
            raise DataError(
                f"{url}: checksum mismatch ({digest} {h.hexdigest()[:16]}..., expected "
                f"{expected[:16]}...); the file was not kept. Try again, or check the mirror.")
        os.replace(tmp, dst)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def _gensim_entry(name, mirror):
    with urllib.request.urlopen(_gensim_list_url(mirror), timeout=60) as resp:
        try:
            listing = json.loads(resp.read().decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise DataError(f"{_gensim_list_url(mirror)} is not gensim-data's JSON list "
                            f"({exc}).") from None
    entry = listing.get("models", {}).get(name) or listing.get("corpora", {}).get(name)
    if not isinstance(entry, dict):
        raise DataError(f"{name!r} is not listed in {_gensim_list_url(mirror)}.")
    return entry


def _download_gensim(asset, mirror, progress):
    entry = _gensim_entry(asset.name, mirror)
    parts = int(entry.get("parts", 1))
    dst = asset_path(asset.name)
    base = f"{_gensim_base_url(mirror)}/{asset.name}/{asset.name}.gz"
    if parts == 1:
        _fetch(base, dst, progress=progress, desc=asset.name, digest="md5",
               expected=entry["checksum"])
        return dst
    pieces = []
    try:
        for part in range(parts):
            piece = f"{dst}_0{part}"
            _fetch(f"{base}_0{part}", piece, progress=progress,
                   desc=f"{asset.name} {part + 1}/{parts}", digest="md5",
                   expected=entry[f"checksum-{part}"])
            pieces.append(piece)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(dst), prefix=".part-")
        with os.fdopen(fd, "wb") as out:
            for piece in pieces:
                with open(piece, "rb") as src:
                    shutil.copyfileobj(src, out, _CHUNK)
        os.replace(tmp, dst)
    finally:
        for piece in pieces:
            if os.path.exists(piece):
                os.remove(piece)
    return dst


def _download_torchvision(asset, mirror, progress):
    import torch

    url = _torchvision_url(asset)
    file_name = os.path.basename(url)
    match = torch.hub.HASH_REGEX.search(file_name)
    source = f"{mirror}/torchvision/{file_name}" if mirror else url
    _fetch(source, asset_path(asset.name), progress=progress, desc=asset.name,
           digest="sha256" if match else None, expected=match.group(1) if match else None)
    return asset_path(asset.name)


def download(name, *, mirror=None, progress=True, force=False):
    """Download the pretrained asset ``name`` into its library's cache; return its path.

    Parameters
    ----------
    name : str
        torchvision weights (``"googlenet"``, ``"resnet18"``, ``"vgg16"``, ``"vgg19"``, or any
        other torchvision classification model with its default weights) or gensim-data word
        vectors (``"word2vec-google-news-300"``,
        ``"glove-wiki-gigaword-100"``, ``"fasttext-wiki-news-subwords-300"``).
    mirror : str or None, default=None
        Base URL (``http(s)://`` or ``file://``) of a mirror with the originals' layout;
        None uses ``$DEEPMINE_MIRROR`` when set, else the libraries' own hosts.
    progress : bool, default=True
        A progress bar on stderr (silent when stderr is not a terminal).
    force : bool, default=False
        Download again even when the file is cached.

    Returns
    -------
    str
        The cached file (see :func:`asset_path`).

    Raises
    ------
    deepmine.exceptions.DataError
        The checksum does not match (nothing is kept) or the listing is malformed.
    OSError
        The host or mirror cannot be reached.

    Examples
    --------
    >>> from deepmine.datasets import download, is_cached
    >>> path = download("googlenet") if is_cached("googlenet") else None  # offline: skip
    """
    asset = _asset(name)
    mirror = _mirror(mirror)
    if is_cached(name) and not force:
        return asset_path(name)
    if asset.kind == "torchvision":
        return _download_torchvision(asset, mirror, progress)
    return _download_gensim(asset, mirror, progress)
