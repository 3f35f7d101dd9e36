"""The models behind the pages: the user's files (through ``deepmine.load``) or defaults trained once and cached.

Defaults are trained from data that ships with the installed packages (scikit-learn's
digits, gensim's Lee news corpus) in a background thread, so the app answers at once;
a page asks again while its model is being prepared. They are cached under
``<data home>/serve`` and loaded from there on later starts.
"""

import os
import threading
import time

import numpy as np

from deepmine.serve._limits import BadInput
from deepmine.utils._optional import optional_from

#: Bump when the default models change, so stale caches are not reused.
_CACHE_VERSION = "1"
#: The default digit network: small enough for an update per mouse move on one CPU thread.
DIGITS_PARAMS = dict(conv_layers=[(16, 3), (32, 3)], hidden_layer_sizes=(64,), max_epochs=20,
                     shift=0.1, random_state=0)
WORD2VEC_PARAMS = dict(min_count=3, random_state=0)


class Preparing(Exception):
    """The model a request needs is still being trained or loaded (HTTP 503, the page retries)."""


def cache_folder(cache_dir=None):
    """``<data home>/serve``: ``cache_dir``, ``$DEEPMINE_DATA`` or ``~/.cache/deepmine``."""
    from deepmine.datasets._mnist import data_home

    return data_home(cache_dir) / "serve"


def train_digits_model():
    """A ConvNetClassifier fitted on scikit-learn's 1,797 8x8 digits (pixels in [0, 1])."""
    from deepmine.datasets import load_digits_images
    from deepmine.vision import ConvNetClassifier

    X, y = load_digits_images(return_X_y=True)
    return ConvNetClassifier(**DIGITS_PARAMS).fit(X, y)


def _lee_sentences():
    datapath = optional_from("gensim.test.utils", "datapath", feature="The word page")

    with open(datapath("lee_background.cor"), encoding="utf-8", errors="replace") as f:
        return [line for line in f if line.strip()]


def train_word_vectors():
    """Word2Vec (deepmine's defaults, ``min_count=3``) on gensim's Lee corpus, lowercased."""
    from deepmine.embeddings import Word2Vec

    return Word2Vec(**WORD2VEC_PARAMS).fit(_lee_sentences()).wv_


def _atomic_write(path, write):
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _cached(path, load, train, save):
    """Load ``path`` if it exists and reads, else train, save atomically and return."""
    from deepmine.exceptions import ModelFileError

    if path.exists():
        try:
            return load(path), "cache"
        except (ModelFileError, ValueError, OSError):
            pass  # a damaged cache is rebuilt
    model = train()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write(path, lambda p: save(model, p))
    except OSError:
        pass  # a read-only data home: the model still serves, it is trained again next time
    return model, "trained"


def _save_dm(model, path):
    model.save(path)


def _load_dm(path):
    import deepmine

    return deepmine.load(path)


def _load_kv(path):
    from deepmine.embeddings import load_vectors

    return load_vectors(path, binary=True)


def _save_kv(kv, path):
    kv.save_word2vec_format(str(path), binary=True)


def is_digit_model(model):
    """A one-channel ConvNetClassifier of deepmine's own architecture (not a backbone)."""
    from deepmine.vision import ConvNetClassifier

    return (isinstance(model, ConvNetClassifier) and getattr(model, "backbone", None) is None
            and tuple(model.image_shape_)[0] == 1)


class Slot:
    """One model prepared in the background: ``get()`` returns it or raises :class:`Preparing`."""

    def __init__(self, what):
        self.what = what
        self.value = None
        self.source = None
        self.error = None
        self.seconds = None
        self._ready = threading.Event()

    def set(self, value, source, seconds=0.0):
        self.value, self.source, self.seconds = value, source, seconds
        self._ready.set()

    def fail(self, message):
        self.error = message
        self._ready.set()

    def ready(self):
        return self._ready.is_set()

    def wait(self, timeout=None):
        return self._ready.wait(timeout)

    def get(self):
        if not self._ready.is_set():
            raise Preparing(f"The {self.what} is still being prepared; the page asks again in "
                            f"a moment.")
        if self.error:
            raise BadInput(self.error)
        return self.value


class ModelStore:
    """The models the app serves.

    Parameters
    ----------
    models : sequence of fitted estimators
        Loaded from the user's ``--model`` files: the first one-channel
        ConvNetClassifier serves the digit pages, any other ConvNetClassifier
        the image page, an AutoEncoderOutlierDetector the outlier page.
    vectors : gensim KeyedVectors, callable or None
        Word vectors, or a function that returns them (called in the background,
        so large files do not delay the start); None trains (or loads the
        cached) small default model.
    vectors_note : str or None
        Where ``vectors`` came from, shown on the analogy page.
    cache_dir : path or None
        Data home (see :func:`cache_folder`).
    """

    def __init__(self, models=(), vectors=None, vectors_note=None, cache_dir=None):
        from deepmine.autoencoders import AutoEncoderOutlierDetector
        from deepmine.vision import ConvNetClassifier

        self.folder = cache_folder(cache_dir)
        self.digits = Slot("digit network")
        self.words = Slot("word vectors")
        self.image_model = None
        self.detector = None
        digit = None
        for m in models:
            if digit is None and is_digit_model(m):
                digit = m
            elif self.image_model is None and isinstance(m, ConvNetClassifier):
                self.image_model = m
            elif self.detector is None and isinstance(m, AutoEncoderOutlierDetector):
                self.detector = m
            else:
                raise BadInput(f"A {type(m).__name__} model has no page here (the app shows "
                               f"ConvNetClassifier and AutoEncoderOutlierDetector models, one "
                               f"of each role).")
        if digit is not None:
            self.digits.set(digit, "your model")
        self._load_vectors = vectors if callable(vectors) else None
        self._vectors_note = vectors_note or "your vectors"
        if vectors is not None and not callable(vectors):
            self.words.set(vectors, self._vectors_note)
        self._lock = threading.Lock()
        self._thread = None
        self._digit_samples = None
        self._image_source = None

    def start(self):
        """Prepare the missing default models in a background thread (once)."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._prepare, name="deepmine-serve-models",
                                                daemon=True)
                self._thread.start()
        return self

    def busy(self):
        """True while the background thread still prepares a model."""
        return self._thread is not None and self._thread.is_alive()

    def wait(self, timeout=None):
        """Block until every model is ready (or failed); True when all are."""
        end = None if timeout is None else time.monotonic() + timeout
        for slot in (self.digits, self.words):
            left = None if end is None else max(0.0, end - time.monotonic())
            if not slot.wait(left):
                return False
        return True

    def _prepare(self):
        version = _CACHE_VERSION
        if not self.digits.ready():
            self._fill(self.digits, self.folder / f"digits_cnn_v{version}.dm", _load_dm,
                       train_digits_model, _save_dm,
                       "a ConvNetClassifier trained on scikit-learn's 1,797 8x8 digits")
        if not self.words.ready() and self._load_vectors is not None:
            start = time.process_time()
            try:
                kv = self._load_vectors()
            except Exception as exc:  # shown on the page
                self.words.fail(f"The word vectors could not be read: {exc}")
            else:
                self.words.set(kv, self._vectors_note, time.process_time() - start)
        if not self.words.ready():
            self._fill(self.words, self.folder / f"lee_word2vec_v{version}.bin", _load_kv,
                       train_word_vectors, _save_kv,
                       "a small Word2Vec model trained here on gensim's Lee news corpus "
                       "(about 60,000 words), so many analogies fail; pass --vectors with "
                       "pretrained vectors such as word2vec-google-news-300 for the lecture's "
                       "answers")
        self.image_source()

    @staticmethod
    def _fill(slot, path, load, train, save, note):
        start = time.process_time()
        try:
            model, how = _cached(path, load, train, save)
        except Exception as exc:  # shown on the page instead of killing the thread silently
            slot.fail(f"The default {slot.what} could not be prepared: {exc}")
            return
        slot.set(model, f"{note}, {'loaded from the cache' if how == 'cache' else 'trained on first start'}",
                 time.process_time() - start)
        if hasattr(model, "module_"):
            model.module_.eval()

    def digit_samples(self):
        """The shipped 8x8 digits and labels (for the adversarial page's "sample digit")."""
        if self._digit_samples is None:
            from deepmine.datasets import load_digits_images

            self._digit_samples = load_digits_images(return_X_y=True)
        return self._digit_samples

    def image_source(self):
        """The network the image page uses (see ``ImageClassifier.choose``); looked up once."""
        if self._image_source is None:
            from deepmine.serve._images import cached_pretrained

            name = cached_pretrained()
            self._image_source = (
                f"torchvision's {name} pretrained on ImageNet" if name is not None else
                "your image model" if self.image_model is not None else
                "the digit network (no pretrained network in torchvision's cache)")
        return self._image_source

    def status(self):
        """What each page runs on, for the index page."""
        out = {}
        for key, slot in (("digits", self.digits), ("words", self.words)):
            out[key] = {"ready": slot.ready(), "source": slot.source, "error": slot.error}
        out["image"] = {"ready": self._image_source is not None,
                        "source": self._image_source}
        out["outliers"] = {"ready": True, "source": "your AutoEncoderOutlierDetector"
                           if self.detector is not None else
                           "an AutoEncoderOutlierDetector fitted on each uploaded table"}
        return out


def digit_input_shape(model):
    """``(H, W)`` of a digit model's input."""
    return tuple(int(v) for v in model.image_shape_[1:])


def pixel_scale(model):
    """Map [0, 1] ink to the model's pixel range (its training data's)."""
    lo, hi = getattr(model, "pixel_range_", (0.0, 1.0))
    return float(lo), float(hi) - float(lo)


def as_model_pixels(model, img01):
    lo, scale = pixel_scale(model)
    return (lo + scale * np.asarray(img01, dtype=np.float32)).astype(np.float32)
