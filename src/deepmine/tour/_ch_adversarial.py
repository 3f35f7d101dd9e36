"""Tour chapters: attacking networks (adversarial examples, black box) and looking inside them."""

import functools
import time

import numpy as np

from deepmine.tour import chapter


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
        "An adversarial example is an input changed so slightly that a human sees no "
        "difference, yet the network changes its answer. The fast gradient sign method "
        "(Goodfellow et al. 2015) moves every pixel by eps in the direction that increases the "
        "loss: x + eps * sign(grad_x J(theta, x, y)). Projected gradient descent (Madry et al. "
        "2018) takes several smaller steps and projects back onto the eps-ball. Pixels stay in "
        f"[0, 1]. The network: a small CNN on the 8x8 digits, test accuracy {cnn.score(Xte, yte):.1%}.")
    adv = fgsm(cnn, Xte[:3], yte[:3], 0.2, clip=(0, 1))
    section.figure(plot_adversarial(cnn, Xte[:3], adv, n=3),
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
    section.figure(plot_robustness_curve(curve, title="Accuracy under attack"),
                   "Test accuracy against eps for FGSM and PGD (10 steps): the plain networks "
                   "collapse, PGD is at least as strong as FGSM, adversarial training buys "
                   "robustness around its training eps.")
    table = curve.pivot_table(index="eps", columns=["model", "attack"], values="accuracy")
    table.columns = [f"{m} {a.upper()}" for m, a in table.columns]
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
    section.text(f"The substitute agrees with the CNN on {res.agreement:.1%} of the attacked "
                 f"images after {res.n_queries} oracle queries.")
    section.table(res.rounds, caption="Substitute training rounds")


@chapter(430, "prototypes", "Class prototypes: turning the network upside down")
def prototypes(section, ctx):
    from deepmine.visualize import class_prototype, plot_images

    cnn = _digits_cnn(ctx.quick, ctx.random_state)[0]
    steps = ctx.epochs(300, 100)
    section.text(
        "Keep the weights fixed and optimise the input: gradient ascent on the score of one "
        "class (Simonyan et al. 2014). Without a prior the network's favourite input is "
        "high-frequency noise; a total-variation prior (neighbouring pixels correlate) gives "
        "smoother, more digit-like prototypes.")
    for prior, label in [(None, "no prior"), ("total_variation", "total-variation prior")]:
        P = class_prototype(cnn, list(range(10)), prior=prior, steps=steps,
                            random_state=ctx.random_state)
        proba = cnn.predict_proba(P.reshape(10, -1))
        titles = [f"{k}: {proba[k, k]:.0%}" for k in range(10)]
        section.figure(plot_images(P, titles=titles),
                       f"Prototypes of the ten digits, {label} (title: class and the CNN's confidence).")


@chapter(440, "deepdream", "DeepDream on a photograph")
def dream(section, ctx):
    from sklearn.datasets import load_sample_image

    from deepmine.visualize import deep_dream, plot_images

    cnn = _digits_cnn(ctx.quick, ctx.random_state)[0]
    step = 4 if ctx.quick else 2
    photo = load_sample_image("china.jpg")[::step, ::step]
    out = deep_dream(cnn, photo, octaves=ctx.epochs(4, 3), steps=ctx.epochs(10, 8),
                     step_size=0.01, random_state=ctx.random_state)
    section.text(
        "DeepDream (Mordvintsev et al. 2015) amplifies what a layer sees: gradient ascent on "
        "the squared activations of the last convolution layer, from a coarse to a fine scale. "
        "With the digits CNN (one grey channel) the photograph is overlaid by the strokes its "
        "kernels detect; an ImageNet network would paint eyes and dogs.")
    section.figure(plot_images([photo.mean(axis=2) / 255, out], titles=["china.jpg", "dream"],
                               ncols=2), "scikit-learn's china.jpg (grey) and its dream.")


@chapter(450, "style", "Neural style transfer (Gatys et al. 2015)")
def style(section, ctx):
    from sklearn.datasets import load_sample_image

    from deepmine.visualize import plot_images, style_transfer

    china, flower = load_sample_image("china.jpg"), load_sample_image("flower.jpg")
    tic = time.perf_counter()
    out, info = style_transfer(china, flower, steps=ctx.epochs(100, 20),
                               max_size=ctx.epochs(160, 64), random_state=ctx.random_state,
                               return_info=True)
    section.text(
        "Style transfer optimises an image so that its deep features match the content "
        "image and the Gram matrices (channel correlations) of several layers match the "
        f"style image. Feature network used here: {info['feature_net']}; style layers "
        f"{info['style_layers']}, content layer {info['content_layers']}; "
        f"{info['size'][1]}x{info['size'][0]} pixels, L-BFGS, "
        f"{time.perf_counter() - tic:.1f} s.")
    section.figure(plot_images([china, flower, out], titles=["content", "style", "result"],
                               ncols=3), "Content of china.jpg in the style of flower.jpg.")
