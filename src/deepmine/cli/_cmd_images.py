"""``deepmine images fit|predict``: a convolutional network on a folder of images (one sub-folder per class)."""

import os
import sys

from deepmine.cli._common import (add_long_options, check_output, final_fit, float_range,
                                  int_range, load_model, next_step, note, save_model, write_csv)
from deepmine.cli._main import CLIError

#: Largest side accepted by --image-size (a 1024 x 1024 RGB image is 12 MB as float32).
MAX_SIDE = 1024


def register(sub):
    p = sub.add_parser("images", help="train a CNN on an image folder, or classify image files")
    isub = p.add_subparsers(dest="images_command", metavar="{fit,predict}")
    f = isub.add_parser("fit", help="train a ConvNetClassifier on FOLDER/<class>/<image files>")
    f.add_argument("folder", help="folder with one sub-folder of images per class")
    f.add_argument("--epochs", type=int_range(1, 1_000_000), default=30,
                   help="training epochs (default: 30)")
    f.add_argument("--out", default="model.dm", help="model file to write (default: model.dm)")
    f.add_argument("--image-size", type=int_range(4, MAX_SIDE), nargs=2, metavar=("H", "W"),
                   help=f"resize every image to H x W pixels, 4-{MAX_SIDE} each "
                        f"(needed when sizes differ)")
    f.add_argument("--test-size", type=float_range(0, 1), default=0.2,
                   help="share of images held out for the accuracy (default: 0.2)")
    f.add_argument("--augment", action="store_true", help="random shifts and rotations in training")
    f.add_argument("--backbone", metavar="NAME",
                   help="reuse a pretrained torchvision network (e.g. resnet18, googlenet), "
                        "frozen, with a new head trained on the folder; its ImageNet weights "
                        "must be cached ('deepmine download NAME')")
    f.add_argument("--seed", type=int, default=0)
    add_long_options(f, keep_partial=True)
    f.set_defaults(func=run_fit)
    q = isub.add_parser("predict", help="classify image files with a saved model")
    q.add_argument("model", help="model file written by 'deepmine images fit'")
    q.add_argument("images", nargs="+", help="image files, or folders (every image below them)")
    q.add_argument("--out", help="write file, label and probability as CSV here "
                   "(default: tab-separated lines on standard output)")
    q.set_defaults(func=run_predict)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def _bomb_message(exc):
    return f"an image declares more pixels than can be decoded safely ({exc})"


def run_fit(args):
    import numpy as np
    from PIL import Image
    from sklearn.model_selection import train_test_split

    from deepmine.datasets import load_image_folder
    from deepmine.vision import ConvNetClassifier

    check_output(args.out)
    try:
        data = load_image_folder(args.folder, image_size=args.image_size)
    except Image.DecompressionBombError as exc:
        raise CLIError(_bomb_message(exc)) from None
    X, y = data.images, data.target
    if len(data.target_names) < 2:
        raise CLIError(f"{args.folder} holds a single class ({data.target_names[0]}); "
                       f"a classifier needs at least two sub-folders.")
    counts = np.unique(y, return_counts=True)[1]
    stratify = y if counts.min() >= 2 and len(y) * args.test_size >= len(counts) else None
    try:
        Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=args.test_size, stratify=stratify,
                                              random_state=args.seed)
    except ValueError as exc:  # too few images for the split
        raise CLIError(f"cannot hold out {args.test_size:g} of {len(y)} images: "
                       f"{str(exc).splitlines()[0]}") from None
    clf = ConvNetClassifier(max_epochs=args.epochs, shift=0.1 if args.augment else 0.0,
                            rotation=10.0 if args.augment else 0.0, backbone=args.backbone,
                            random_state=args.seed)
    clf._check_params()
    if args.backbone is not None:
        from deepmine.vision._zoo import _cached_weights, _check_name

        _check_name(args.backbone)
        try:
            _cached_weights(args.backbone, "DEFAULT", download=False)
        except FileNotFoundError:
            raise CLIError(f"the ImageNet weights of {args.backbone} are not cached; "
                           f"'deepmine download {args.backbone}' fetches them") from None
    print(f"{len(X)} images, {len(data.target_names)} classes, shape (C, H, W) = "
          f"{tuple(X.shape[1:])}")
    sys.stdout.flush()
    what = f"a new head on {args.backbone}" if args.backbone else "a ConvNetClassifier"
    note(args, f"training {what} for {args.epochs} epochs on {len(ytr)} images (Ctrl-C stops)")
    code = final_fit(args, "images fit", clf, Xtr, ytr)
    if code is not None:
        return code
    acc = clf.score(Xte, yte)
    save_model(clf, args.out)
    print(f"held-out accuracy: {acc:.4f} on {len(yte)} images ({len(ytr)} used for training)")
    print(f"model written to {args.out}")
    next_step(f"deepmine images predict {args.out} IMAGE.png ...")
    return 0


def run_predict(args):
    import numpy as np
    import pandas as pd
    from PIL import Image

    from deepmine.datasets._images import IMG_EXTENSIONS, image_files, read_image

    check_output(args.out)
    model = load_model(args.model)
    if not hasattr(model, "image_shape_"):
        raise CLIError(f"{args.model} is not an image model (it holds a {type(model).__name__}).")
    c, h, w = model.image_shape_
    mode = "L" if c == 1 else "RGB"
    files = []
    for path in args.images:
        if os.path.isdir(path):              # every image below the folder, in sorted order
            found = [str(f) for f in image_files(path)]
            if not found:
                raise CLIError(f"{path} holds no image files ({', '.join(IMG_EXTENSIONS[:4])}...)")
            files += found
        elif not os.path.isfile(path):
            raise CLIError(f"image file not found: {path}" if not os.path.exists(path)
                           else f"{path} is not an image file")
        else:
            files.append(path)
    try:
        X = np.stack([read_image(path, mode=mode, size=(h, w)) for path in files])
    except Image.DecompressionBombError as exc:
        raise CLIError(_bomb_message(exc)) from None
    proba = model.predict_proba(X)
    out = pd.DataFrame({"file": files, "label": model.classes_[proba.argmax(axis=1)],
                        "probability": proba.max(axis=1)})
    if args.out:
        write_csv(out, args.out, index=False, float_format="%.3f")
        print(f"{len(out)} predictions written to {args.out}", file=sys.stderr)
    else:
        write_csv(out, None, sep="\t", header=False, index=False, float_format="%.3f")
    return 0
