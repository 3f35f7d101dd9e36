"""The main job: ``deepmine tour --quick`` writes one self-contained HTML file with every chapter,
each with the code that produced it."""

import base64
import html
import io
import re

from deepmine.cli import main
from deepmine.tour import list_chapters

_SECTIONS = re.compile(r'<section class="chapter"[^>]*><h2>(.*?)</h2>(.*?)</section>', re.S)


def test_every_chapter_is_in_the_report(report):
    """Each registered chapter appears as a section with its title, in order."""
    chapters = list_chapters()
    assert len(chapters) >= 20
    titles = [html.unescape(t) for t, _ in _SECTIONS.findall(report)]
    assert titles == [title for _, title in chapters]


def test_the_lecture_chapters_are_there():
    """Every part of the lecture has its chapter, dropout to node2vec included."""
    keys = {key for key, _ in list_chapters()}
    assert {"perceptron", "optimizers", "ann-vs-svm", "dropout", "early-stopping", "hidden-units",
            "autoencoder", "denoising", "pretraining", "outliers", "cnn", "cnn_weights", "transfer",
            "adversarial", "saliency", "blackbox", "prototypes", "deepdream", "style",
            "ts-windows", "ts-memory", "ts-cnn", "word2vec", "doc2vec", "anything2vec",
            "node2vec"} <= keys


def test_images_are_embedded_pngs_at_readable_resolution(report):
    """Figures are embedded PNGs (no external files) rendered at 120 dpi or more."""
    from PIL import Image

    images = re.findall(r'<img[^>]*src="data:image/png;base64,([^"]+)"', report)
    assert len(images) >= len(list_chapters())
    for data in images:
        img = Image.open(io.BytesIO(base64.b64decode(data)))
        assert img.info["dpi"][0] >= 120
        assert img.width >= 256
    assert not re.search(r'(src|href)=["\']?(https?:|//|file:)', report)


def test_each_chapter_has_content_and_its_code(report):
    """Every chapter holds a figure or table and a collapsible, highlighted block of its code."""
    for title, body in _SECTIONS.findall(report):
        assert "<img" in body or "<table" in body, title
        code = re.search(r'<details class="code"><summary>Code of this chapter.*?</details>', body, re.S)
        assert code, title
        assert 'class="highlight"' in code.group(0) and "<span" in code.group(0), title
        assert "def " in html.unescape(re.sub(r"<[^>]+>", "", code.group(0))), title


def test_chapter_code_is_the_code_that_ran(report):
    """The code shown is the chapter function's source, helpers included."""
    import inspect

    from deepmine.tour import _ch_adversarial

    body = dict(_SECTIONS.findall(report))[html.escape("Saliency maps: which pixels the answer depends on")]
    text = html.unescape(re.sub(r"<[^>]+>", "", body))
    assert "saliency_map(cnn, Xte)" in inspect.getsource(_ch_adversarial.saliency)
    assert "saliency_map(cnn, Xte)" in text
    assert "def _digits_cnn" in text  # the helper that trains the CNN


def test_offline_substitutes_say_so(report):
    """Chapters that stand in for a pretrained showpiece say so, and name what is needed."""
    sections = {html.unescape(t): b for t, b in _SECTIONS.findall(report)}
    for title in ("DeepDream on a photograph", "Adversarial examples: FGSM, PGD and adversarial training"):
        assert "Offline substitute: this chapter runs" in sections[title]
    assert "below: ImageNet" not in report


def test_unknown_chapter_is_a_clear_error(tmp_path, capsys):
    """Asking for a chapter that does not exist names the known ones."""
    assert main(["tour", "--quick", "--chapters", "nope", "--out", str(tmp_path)]) == 2
    assert "unknown chapter" in capsys.readouterr().err
