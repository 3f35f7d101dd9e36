"""Tour chapters: attacking networks (adversarial examples, black box) and looking inside them."""

import functools
import time

import numpy as np

from deepmine.report import compare
from deepmine.tour import chapter
from deepmine.tour._common import DIGIT_CMAP, image_grid, offline_note


@functools.lru_cache(maxsize=2)
def _digits_cnn(quick, seed):
    """A CNN on scikit-learn's 8x8 digits in [0, 1], shared by the chapters of this module."""
    from sklearn.model_selection import train_test_split

    from deepmine.datasets import load_digits_images
    from deepmine.vision import ConvNetClassifier

    X, y = load_digits_images(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, stratify=y, random_state=seed)
    cnn = ConvNetClassifier(conv_layers=((16, 3), (32, 3)), hidden_layer_sizes=(64,), dropout=0.0,
                            max_epochs=10 if quick else 30, learning_rate=1e-2 if quick else 3e-3,
                            batch_size=128 if quick else 64, random_state=seed)
    return cnn.fit(Xtr, ytr), Xtr, Xte, ytr, yte


@chapter(410, "adversarial", "Adversarial examples: FGSM, PGD and adversarial training")
def adversarial_examples(section, ctx):
    import pandas as pd

    from deepmine.adversarial import fgsm, robustness_curve
    from deepmine.tabular import MLPClassifier
    from deepmine.visualize import plot_adversarial, plot_robustness_curve

    cnn, Xtr, Xte, ytr, yte = _digits_cnn(ctx.quick, ctx.random_state)
    Xte, yte = (Xte[:200], yte[:200]) if ctx.quick else (Xte, yte)
    section.text(
        "An adversarial example is an input changed just enough for the network to change its "
        "answer. On ImageNet photographs a change of 1/255 per pixel suffices, and no one sees "
        "it; a small network on 8x8 digits needs much larger steps, and at eps=0.2 (a fifth of "
        "the pixel range) the change below is plainly visible. The fast gradient sign method "
        "(Goodfellow et al. 2015) moves every pixel by eps in the direction that increases the "
        "loss: x + eps * sign(grad_x J(theta, x, y)). Projected gradient descent (Madry et al. "
        "2018) takes several smaller steps and projects back onto the eps-ball. Pixels stay in "
        f"[0, 1]. The network: a small CNN on the 8x8 digits, test accuracy {cnn.score(Xte, yte):.1%}.")
    adv = fgsm(cnn, Xte[:3], yte[:3], 0.2, clip=(0, 1))
    offline_note(section, "FGSM on 8x8 digits with a small CNN trained here",
                 "the panda example: FGSM at eps of 1/255 on a photograph against an ImageNet "
                 "network", ["resnet18"])
    section.figure(plot_adversarial(cnn, Xte[:3], adv, n=3, cmap=DIGIT_CMAP),
                   "Left: test digit with predicted class and confidence; middle: the FGSM "
                   "perturbation (eps=0.2, red +, blue -); right: the adversarial image and "
                   "the network's new answer.")
    eps = [0.0, 0.05, 0.1, 0.15, 0.2, 0.3]
    curves = [robustness_curve(cnn, Xte, yte, eps, attack=["fgsm", "pgd"], clip=(0, 1),
                               random_state=ctx.random_state).assign(model="CNN")]
    section.heading("Adversarial training")
    Xf, Xtf = Xtr.reshape(len(Xtr), -1), Xte.reshape(len(Xte), -1)
    rows = []
    for name, adversarial in [("MLP", None), ("MLP, PGD-trained", "pgd")]:
        tic = time.perf_counter()
        mlp = MLPClassifier((128,), max_epochs=ctx.epochs(60, 10), learning_rate=3e-3,
                            adversarial=adversarial, adversarial_eps=0.1,
                            random_state=ctx.random_state).fit(Xf, ytr)
        rows.append({"model": name, "fit seconds": time.perf_counter() - tic,
                     "clean accuracy": mlp.score(Xtf, yte)})
        curves.append(robustness_curve(mlp, Xtf, yte, eps, attack=["fgsm", "pgd"], clip=(0, 1),
                                       random_state=ctx.random_state).assign(model=name))
    section.text(
        "Adversarial training mixes adversarial examples into training: each batch's loss "
        "is the mean of the clean loss and the loss on PGD examples (eps=0.1, 7 steps) crafted "
        "against the current weights -- MLPClassifier(adversarial='pgd', adversarial_eps=0.1), "
        "trained by the same engine as every other estimator.")
    section.table(pd.DataFrame(rows))
    curve = pd.concat(curves, ignore_index=True)
    table = curve.pivot_table(index="eps", columns=["model", "attack"], values="accuracy")
    table.columns = [f"{m} {a.upper()}" for m, a in table.columns]
    at = table.loc[0.1]
    section.figure(plot_robustness_curve(curve, title="Accuracy under attack"),
                   ["Test accuracy against eps for FGSM and PGD (10 steps). At eps=0.1 FGSM "
                    f"leaves the CNN {at['CNN FGSM']:.1%} accuracy, ",
                    compare(at["CNN FGSM"], table.loc[0.0, "CNN FGSM"], show_values=False,
                            words=("up from", "unchanged from", "down from")),
                    f" {table.loc[0.0, 'CNN FGSM']:.1%} on clean digits; PGD leaves it "
                    f"{at['CNN PGD']:.1%}, ",
                    compare(at["CNN PGD"], at["CNN FGSM"], show_values=False,
                            words=("more than", "as much as", "less than")),
                    " FGSM. Under PGD the PGD-trained MLP keeps an accuracy ",
                    compare(at["MLP, PGD-trained PGD"], at["MLP PGD"]), " the plain MLP's."])
    section.table(table.reset_index(), caption="Accuracy under attack")


@chapter(420, "blackbox", "Black-box attack: a substitute model (Papernot et al. 2017)")
def black_box(section, ctx):
    import pandas as pd

    from deepmine.adversarial import fgsm, substitute_attack

    cnn, _, Xte, _, yte = _digits_cnn(ctx.quick, ctx.random_state)
    seed, target = Xte[:150], Xte[150:]
    section.text(
        "The attacker sees only the CNN's predicted labels. A substitute (an MLP) is trained "
        "on 150 test images labelled by the CNN; Jacobian-based dataset augmentation adds "
        "x + 0.1 * sign(grad of the substitute's score for the oracle's label) each round, "
        "doubling the set near the decision boundary. FGSM examples crafted on the substitute "
        "are then shown to the CNN.")
    res = substitute_attack(cnn.predict, seed, target, eps=0.3,
                            augmentation_rounds=ctx.epochs(5, 3), clip=(0, 1),
                            random_state=ctx.random_state)
    flat = target.reshape(len(target), -1)
    clean = cnn.predict(target)
    oracle_labels = np.where(np.isin(clean, res.substitute.classes_), clean,
                             res.substitute.classes_[0])
    rows = []
    for eps in (0.1, 0.2, 0.3):
        adv = res.X_adv if eps == 0.3 else fgsm(res.substitute, flat, oracle_labels, eps,
                                                clip=(0, 1)).reshape(target.shape)
        noise = np.clip(target + eps * np.sign(
            np.random.default_rng(ctx.random_state).normal(size=target.shape)), 0, 1)
        rows.append({"eps": eps, "transfer success rate": float(np.mean(cnn.predict(adv) != clean)),
                     "random-sign success rate": float(np.mean(cnn.predict(noise) != clean))})
    section.table(pd.DataFrame(rows), caption="Share of attacked images whose CNN label changed")
    section.text("At eps=0.3 the examples crafted on the substitute change the CNN's label ",
                 compare(rows[-1]["transfer success rate"], rows[-1]["random-sign success rate"],
                         words=("more often than", "about as often as", "less often than")),
                 " random sign noise of the same size: the attack transfers, "
                 "without any access to the CNN's gradients." if
                 rows[-1]["transfer success rate"] > rows[-1]["random-sign success rate"] + 0.005
                 else ".")
    section.text(f"The substitute agrees with the CNN on {res.agreement:.1%} of the attacked "
                 f"images after {res.n_queries} oracle queries.")
    section.table(res.rounds, caption="Substitute training rounds")


@chapter(415, "saliency", "Saliency maps: which pixels the answer depends on")
def saliency(section, ctx):
    import pandas as pd

    from deepmine.visualize import saliency_map

    cnn, _, Xte, _, yte = _digits_cnn(ctx.quick, ctx.random_state)
    section.text(
        "The gradient of the class score with respect to the input says which pixels would "
        "change the answer most (Simonyan et al. 2014): deepmine.visualize.saliency_map(model, "
        "X) returns its magnitude, one value per pixel. The same gradient that FGSM follows is "
        "here read as an explanation.")
    S = saliency_map(cnn, Xte)
    n = 4  # four panels to a row: each shown at 260 px in the 1100 px report
    images = [*Xte[:n, 0], *S[:n, 0]]
    pred = cnn.predict(Xte[:n])
    titles = [f"digit {t}, predicted {p}" for t, p in zip(yte[:n], pred)] + ["saliency"] * n
    section.figure(image_grid(images, titles, ncols=n, panel=2.0),
                   "Test digits (top) and the magnitude of the class score's gradient (bottom, "
                   "dark = large).")
    k = 8  # blank the k most salient pixels of each digit, or k random pixels that carry ink
    rng = np.random.default_rng(ctx.random_state)
    flat, sal = Xte.reshape(len(Xte), -1), S.reshape(len(S), -1)
    top = np.argsort(-sal, axis=1)[:, :k]
    rand = np.stack([rng.choice(np.flatnonzero(r > 0.2) if (r > 0.2).sum() >= k else 64, k,
                                replace=False) for r in flat])
    rows = [{"pixels set to 0": "none", "test accuracy": cnn.score(Xte, yte)}]
    for name, idx in [(f"the {k} most salient", top), (f"{k} random ink pixels", rand)]:
        blanked = flat.copy()
        np.put_along_axis(blanked, idx, 0.0, axis=1)
        rows.append({"pixels set to 0": name,
                     "test accuracy": cnn.score(blanked.reshape(Xte.shape), yte)})
    section.table(pd.DataFrame(rows), caption=f"Blanking {k} of the 64 pixels of every test digit")
    section.text(f"Does the map point at the pixels that matter? With the {k} most salient "
                 "pixels of each digit set to 0 the test accuracy is ",
                 compare(rows[1]["test accuracy"], rows[2]["test accuracy"]),
                 f" with {k} random ink pixels set to 0.")


@chapter(430, "prototypes", "Class prototypes: turning the network upside down")
def prototypes(section, ctx):
    import pandas as pd

    from deepmine.visualize import class_prototype

    cnn, Xtr, _, ytr, _ = _digits_cnn(ctx.quick, ctx.random_state)
    steps = ctx.epochs(300, 100)
    section.text(
        "Keep the weights fixed and optimise the input: gradient ascent on the score of one "
        "class (Simonyan et al. 2014). Without a prior the network's favourite input is "
        "high-frequency noise; a total-variation prior (neighbouring pixels correlate) asks "
        "for smooth images. Two numbers say what each prior does: the total variation (mean "
        "absolute difference of neighbouring pixels) and the correlation of each prototype "
        "with the mean training image of its class.")
    means = np.stack([Xtr[ytr == k, 0].mean(axis=0) for k in range(10)])
    rows = []
    for prior, label in [(None, "no prior"), ("total_variation", "total-variation prior")]:
        P = class_prototype(cnn, list(range(10)), prior=prior, steps=steps,
                            random_state=ctx.random_state)
        imgs = P.reshape(10, 8, 8)
        proba = cnn.predict_proba(P.reshape(10, 1, 8, 8))
        tv = float(np.mean([np.abs(np.diff(im, axis=0)).mean() + np.abs(np.diff(im, axis=1)).mean()
                            for im in imgs]) / 2)
        corr = float(np.mean([np.corrcoef(im.ravel(), m.ravel())[0, 1] for im, m in zip(imgs, means)]))
        rows.append({"prior": label, "total variation": tv, "correlation with class mean": corr,
                     "mean confidence": float(np.mean(proba[np.arange(10), np.arange(10)]))})
        section.figure(image_grid(list(imgs), [f"{k}: {proba[k, k]:.0%}" for k in range(10)],
                                  ncols=4, panel=2.0),
                       f"Prototypes of the ten digits, {label} (title: class and the CNN's "
                       "confidence).")
    section.table(pd.DataFrame(rows))
    section.text("With the prior, the prototypes' total variation is ",
                 compare(rows[1]["total variation"], rows[0]["total variation"], fmt="{:.3f}",
                         words=("higher than", "about the same as", "lower than"), tolerance=0.002),
                 " without it, and their correlation with the class means is ",
                 compare(rows[1]["correlation with class mean"],
                         rows[0]["correlation with class mean"], fmt="{:.2f}", tolerance=0.02),
                 " without it. On 8x8 digits a prototype shows where the network expects ink, not a "
                 "handwritten digit.")


@chapter(440, "deepdream", "DeepDream on a photograph")
def dream(section, ctx):
    from sklearn.datasets import load_sample_image

    from deepmine.visualize import deep_dream

    cnn = _digits_cnn(ctx.quick, ctx.random_state)[0]
    step = 4 if ctx.quick else 2
    photo = load_sample_image("china.jpg")[::step, ::step]
    out = deep_dream(cnn, photo, octaves=ctx.epochs(4, 3), steps=ctx.epochs(10, 8),
                     step_size=0.01, random_state=ctx.random_state)
    section.text(
        "DeepDream (Mordvintsev et al. 2015) amplifies what a layer sees: gradient ascent on "
        "the squared activations of the last convolution layer, from a coarse to a fine scale. "
        "With the digits CNN (one grey channel) the photograph is overlaid by the strokes its "
        "kernels detect.")
    offline_note(section, "DeepDream with the digits CNN trained here",
                 "GoogLeNet's inception layers painting eyes and dogs into china.jpg",
                 ["googlenet"])
    grey = photo.mean(axis=2) / 255
    section.figure(image_grid([grey, out], ["china.jpg (grey)", "dream"], ncols=2, panel=4.5,
                              cmap="gray"),
                   f"scikit-learn's china.jpg at {grey.shape[1]}x{grey.shape[0]} pixels and its "
                   "dream.")


@chapter(450, "style", "Neural style transfer (Gatys et al. 2015)")
def style(section, ctx):
    from sklearn.datasets import load_sample_image

    from deepmine.visualize import style_transfer
    from deepmine.visualize._style import random_features

    china, flower = load_sample_image("china.jpg"), load_sample_image("flower.jpg")
    tic = time.process_time()
    out, info = style_transfer(china, flower, feature_net=random_features(
                                   random_state=ctx.random_state), steps=ctx.epochs(100, 20),
                               max_size=ctx.epochs(160, 64), random_state=ctx.random_state,
                               return_info=True)
    section.text(
        "Style transfer optimises an image so that its deep features match the content "
        "image and the Gram matrices (channel correlations) of several layers match the "
        f"style image. Feature network used here: {info['feature_net']}; style layers "
        f"{info['style_layers']}, content layer {info['content_layers']}; "
        f"{info['size'][1]}x{info['size'][0]} pixels, L-BFGS, "
        f"{time.process_time() - tic:.1f} s of CPU time.")
    offline_note(section, f"style transfer through {info['feature_net']}",
                 "VGG-19's ImageNet features at 384 pixels or more", ["vgg19"])
    section.figure(image_grid([china, flower, out], ["content", "style", "result"], ncols=3,
                              panel=3.2),
                   "Content of china.jpg in the style of flower.jpg.")
