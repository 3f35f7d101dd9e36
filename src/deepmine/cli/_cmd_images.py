"""``deepmine images fit|predict``: a convolutional network on a folder of images (one sub-folder per class)."""

from deepmine.cli import CLIError


def register(sub):
    p = sub.add_parser("images", help="train a CNN on an image folder, or classify image files")
    isub = p.add_subparsers(dest="images_command", metavar="{fit,predict}")
    f = isub.add_parser("fit", help="train a ConvNetClassifier on FOLDER/<class>/<image files>")
    f.add_argument("folder", help="folder with one sub-folder of images per class")
    f.add_argument("--epochs", type=int, default=30, help="training epochs (default: 30)")
    f.add_argument("--out", default="model.dm", help="model file to write (default: model.dm)")
    f.add_argument("--image-size", type=int, nargs=2, metavar=("H", "W"),
                   help="resize every image to H x W (needed when sizes differ)")
    f.add_argument("--test-size", type=float, default=0.2,
                   help="share of images held out for the accuracy (default: 0.2)")
    f.add_argument("--augment", action="store_true", help="random shifts and rotations in training")
    f.add_argument("--seed", type=int, default=0)
    f.set_defaults(func=run_fit)
    q = isub.add_parser("predict", help="classify image files with a saved model")
    q.add_argument("model", help="model file written by 'deepmine images fit'")
    q.add_argument("images", nargs="+", help="image files")
    q.set_defaults(func=run_predict)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def run_fit(args):
    import numpy as np
    from sklearn.model_selection import train_test_split

    from deepmine.datasets import load_image_folder
    from deepmine.vision import ConvNetClassifier

    if args.epochs < 1:
        raise CLIError("--epochs must be at least 1.")
    if not 0 < args.test_size < 1:
        raise CLIError("--test-size must be between 0 and 1.")
    data = load_image_folder(args.folder, image_size=args.image_size)
    X, y = data.images, data.target
    if len(data.target_names) < 2:
        raise CLIError(f"{args.folder} holds a single class ({data.target_names[0]}); "
                       f"a classifier needs at least two sub-folders.")
    counts = np.unique(y, return_counts=True)[1]
    stratify = y if counts.min() >= 2 and len(y) * args.test_size >= len(counts) else None
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=args.test_size, stratify=stratify,
                                          random_state=args.seed)
    clf = ConvNetClassifier(max_epochs=args.epochs, shift=0.1 if args.augment else 0.0,
                            rotation=10.0 if args.augment else 0.0, random_state=args.seed)
    clf.fit(Xtr, ytr)
    acc = clf.score(Xte, yte)
    clf.save(args.out)
    print(f"{len(X)} images, {len(data.target_names)} classes, shape (C, H, W) = "
          f"{tuple(X.shape[1:])}")
    print(f"held-out accuracy: {acc:.4f} on {len(yte)} images ({len(ytr)} used for training)")
    print(f"model written to {args.out}")
    return 0


def run_predict(args):
    import numpy as np

    import deepmine
    from deepmine.datasets._images import read_image

    model = deepmine.load(args.model)
    if not hasattr(model, "image_shape_"):
        raise CLIError(f"{args.model} is not an image model (it holds a {type(model).__name__}).")
    c, h, w = model.image_shape_
    mode = "L" if c == 1 else "RGB"
    X = np.stack([read_image(path, mode=mode, size=(h, w)) for path in args.images])
    proba = model.predict_proba(X)
    for path, p in zip(args.images, proba):
        print(f"{path}\t{model.classes_[p.argmax()]}\t{p.max():.3f}")
    return 0
