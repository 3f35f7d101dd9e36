"""`deepmine images fit|predict` and the vision tour chapters."""

from pathlib import Path

import numpy as np
from PIL import Image

from deepmine.cli import main


def _folder(root):
    rng = np.random.RandomState(0)
    for label, col in (("left", slice(0, 4)), ("right", slice(6, 10))):
        (root / label).mkdir(parents=True)
        for i in range(12):
            img = rng.randint(0, 40, (10, 10)).astype(np.uint8)
            img[:, col] = 255  # a bright bar on the left or on the right
            Image.fromarray(img).save(root / label / f"{i}.png")
    return root


def test_images_fit_and_predict(tmp_path, capsys):
    """fit trains on a class-per-folder tree, reports held-out accuracy and saves; predict labels files."""
    root = _folder(tmp_path / "imgs")
    model = tmp_path / "m.dm"
    assert main(["images", "fit", str(root), "--epochs", "15", "--out", str(model)]) == 0
    out = capsys.readouterr().out
    assert "24 images, 2 classes" in out and "held-out accuracy: 1.0000" in out
    files = [str(root / "left" / "0.png"), str(root / "right" / "3.png")]
    assert main(["images", "predict", str(model), *files]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split("\t")[1] for line in lines] == ["left", "right"]
    assert main(["images", "predict", str(model), str(root / "right")]) == 0   # a whole folder
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 12 and {line.split("\t")[1] for line in lines} == {"right"}
    assert lines[0].split("\t")[0] == str(root / "right" / "0.png")


def test_images_cli_errors(tmp_path, capsys):
    """User errors (missing folder, one class, unreadable image) exit with code 2 and one line."""
    assert main(["images", "fit", str(tmp_path / "nope")]) == 2
    assert "does not exist" in capsys.readouterr().err
    (tmp_path / "one" / "a").mkdir(parents=True)
    Image.fromarray(np.zeros((4, 4), np.uint8)).save(tmp_path / "one" / "a" / "0.png")
    assert main(["images", "fit", str(tmp_path / "one")]) == 2
    assert "single class" in capsys.readouterr().err


def test_weight_counting_chapter(tmp_path):
    """The 'cnn_weights' tour chapter renders the lecture's 4K-image table."""
    from deepmine.tour import list_chapters, run_tour

    keys = [k for k, _ in list_chapters()]
    assert {"cnn", "cnn_weights", "transfer"} <= set(keys)
    path = run_tour(tmp_path, quick=True, chapters=["cnn_weights"], log=lambda s: None)
    html = Path(path).read_text()
    assert "65,536" in html and "68,797,071,360,000" in html


def test_images_fit_with_a_cached_pretrained_backbone(tmp_path, monkeypatch, capsys):
    """--backbone reuses torchvision weights from the cache, or says how to download them."""
    import torch
    from torchvision.models import get_model

    root = _folder(tmp_path / "imgs")
    hub = tmp_path / "hub"
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(hub))
    args = ["images", "fit", str(root), "--backbone", "squeezenet1_1", "--image-size", "32", "32",
            "--epochs", "2", "--out", str(tmp_path / "m.dm")]
    assert main(args) == 2
    assert "'deepmine download squeezenet1_1'" in capsys.readouterr().err
    assert not (tmp_path / "m.dm").exists()
    (hub / "checkpoints").mkdir(parents=True)
    torch.manual_seed(0)
    torch.save(get_model("squeezenet1_1", weights=None).state_dict(),
               hub / "checkpoints" / "squeezenet1_1-b8a52dc0.pth")
    assert main(args) == 0
    captured = capsys.readouterr()
    assert "a new head on squeezenet1_1" in captured.err and "held-out accuracy" in captured.out
    assert main(["images", "predict", str(tmp_path / "m.dm"), str(root / "left" / "0.png")]) == 0
