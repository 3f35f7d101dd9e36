"""The lecture's showpieces on the real pretrained ImageNet networks, when cached.

Each part runs only when ``deepmine download`` has put its asset into the library's cache
(torchvision's hub folder, gensim's data folder); otherwise it says which command shows it.
"""

import numpy as np

from deepmine.tour import chapter
from deepmine.tour._common import image_grid

_MEAN, _STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


def _imagenet(name):
    """The cached torchvision network ``name`` behind ImageNet normalisation, in eval mode."""
    import torch
    from torchvision.models import get_model, get_model_weights

    from deepmine.vision._architectures import Normalize

    weights = get_model_weights(name).DEFAULT
    model = torch.nn.Sequential(Normalize(_MEAN, _STD), get_model(name, weights=weights)).eval()
    for p in model.parameters():
        p.requires_grad_(False)
    return model, list(weights.meta["categories"])


def _photos(size=224):
    """scikit-learn's two sample photographs, resized (shorter side) and centre-cropped."""
    import torch
    import torch.nn.functional as F
    from sklearn.datasets import load_sample_images

    out = []
    for img in load_sample_images().images:  # china.jpg, flower.jpg: (427, 640, 3) uint8
        x = torch.tensor(img, dtype=torch.float32).permute(2, 0, 1)[None] / 255
        h, w = x.shape[-2:]
        scale = size / min(h, w)
        x = F.interpolate(x, size=(round(h * scale), round(w * scale)), mode="bilinear",
                          antialias=True, align_corners=False)
        top, left = (x.shape[-2] - size) // 2, (x.shape[-1] - size) // 2
        out.append(x[..., top:top + size, left:left + size].clamp(0, 1))
    return torch.cat(out)


def _missing(section, name, what):
    section.text(f"{what}: not shown, because {name} is not cached. "
                 f"'deepmine download {name}' (or 'deepmine tour --download') fetches it; "
                 f"then this chapter runs it here.")


def _top5(section, ctx):
    import pandas as pd
    import torch

    model, classes = _imagenet("googlenet")
    x = _photos()
    with torch.no_grad():
        proba = torch.softmax(model(x), 1).numpy()
    rows = []
    for name, p in zip(["china.jpg", "flower.jpg"], proba):
        top = np.argsort(p)[::-1][:5]
        rows.append({"photograph": name,
                     "GoogLeNet's top 5 ImageNet classes": ", ".join(
                         f"{classes[k]} ({p[k]:.0%})" for k in top)})
    section.table(pd.DataFrame(rows), caption="GoogLeNet (ImageNet weights) on the two "
                                              "photographs that ship with scikit-learn")


def _dream(section, ctx):
    from sklearn.datasets import load_sample_image

    from deepmine.visualize import deep_dream

    model, _ = _imagenet("googlenet")
    china = load_sample_image("china.jpg")
    if ctx.quick:
        china = china[::3, ::3]
    layers = ["1.inception4c", "1.inception4e"]  # inside Sequential(Normalize, GoogLeNet)
    dreams = [deep_dream(model, china, layer=layer, octaves=ctx.epochs(4, 2), octave_scale=1.4,
                         steps=ctx.epochs(10, 2), step_size=0.03, jitter=8,
                         random_state=ctx.random_state) for layer in layers]
    fig = image_grid([china, *dreams], ["china.jpg", *[f"DeepDream, {la[2:]}" for la in layers]],
                     ncols=3, panel=4.0)
    section.figure(fig, "DeepDream with GoogLeNet's ImageNet weights: gradient ascent on the "
                        "activation of an inception block paints what it detects (fur, eyes, "
                        "animal heads in inception4c; larger object parts in inception4e).")


def _fgsm(section, ctx):
    import pandas as pd
    import torch

    from deepmine.adversarial import fgsm, pgd

    model, classes = _imagenet("resnet18")
    x = _photos()
    with torch.no_grad():
        before = torch.softmax(model(x), 1).numpy()
    y = before.argmax(1)
    eps = 2 / 255
    rows, adv_images = [], {}
    for attack, make in [("FGSM", lambda: fgsm(model, x.numpy(), y, eps, clip=(0, 1))),
                         ("PGD, 10 steps", lambda: pgd(model, x.numpy(), y, eps, steps=10,
                                                       clip=(0, 1),
                                                       random_state=ctx.random_state))]:
        adv = np.asarray(make(), dtype=np.float32)
        adv_images[attack] = adv
        with torch.no_grad():
            after = torch.softmax(model(torch.as_tensor(adv)), 1).numpy()
        for i, name in enumerate(["china.jpg", "flower.jpg"]):
            k = int(after[i].argmax())
            rows.append({"photograph": name, "attack": attack,
                         "before": f"{classes[y[i]]} ({before[i, y[i]]:.0%})",
                         "after": f"{classes[k]} ({after[i, k]:.0%})",
                         "changed": bool(k != y[i]),
                         "largest pixel change": float(np.abs(adv[i] - x[i].numpy()).max())})
    df = pd.DataFrame(rows)
    n_changed = int(df["changed"].sum())
    section.text(
        f"ResNet-18 (ImageNet weights) on the photographs, attacked with eps = 2/255: no pixel "
        f"moves by more than {df['largest pixel change'].max() * 255:.1f} of 255 grey levels. "
        f"The answer changed in {n_changed} of {len(df)} attacks.")
    section.table(df.drop(columns="largest pixel change"),
                  caption="Predicted class (confidence) before and after the attack")
    adv = adv_images["PGD, 10 steps"][0]
    clean = x[0].numpy()
    delta = adv - clean
    fig = image_grid([clean, 0.5 + delta / (2 * eps), adv],
                     [f"clean: {classes[y[0]]}", "perturbation (scaled to be visible)",
                      f"adversarial: {df.iloc[2]['after']}"], ncols=3, panel=4.0)
    section.figure(fig, "PGD at eps = 2/255 on china.jpg: the clean and adversarial images "
                        "look the same; the middle panel magnifies the perturbation.")


def _style(section, ctx):
    from sklearn.datasets import load_sample_image

    from deepmine.visualize import style_transfer
    from deepmine.visualize._style import vgg19_features

    china, flower = load_sample_image("china.jpg"), load_sample_image("flower.jpg")
    size = ctx.epochs(384, 96)
    out, info = style_transfer(china, flower, feature_net=vgg19_features(),
                               steps=ctx.epochs(60, 3), max_size=size,
                               random_state=ctx.random_state, return_info=True)
    section.figure(image_grid([china, flower, out], ["content", "style", "result"], ncols=3,
                              panel=4.0),
                   f"Style transfer with VGG-19's ImageNet weights at {out.shape[1]}x"
                   f"{out.shape[0]} pixels (Gatys et al. 2015): the content of china.jpg "
                   f"painted with the textures of flower.jpg; style layers "
                   f"{', '.join(info['style_layers'])}.")


@chapter(470, "pretrained", "The lecture's showpieces on ImageNet networks")
def showpieces(section, ctx):
    import pandas as pd

    from deepmine.datasets import is_cached, list_assets

    section.text(
        "The offline chapters above use networks trained on the 8x8 digits. The lecture's "
        "pictures come from networks trained on ImageNet; this chapter shows them when their "
        "weights are in torchvision's cache. (The word2vec chapter does the same with the "
        "GoogleNews vectors.)")
    used = {"googlenet", "resnet18", "vgg19"}
    section.table(pd.DataFrame([{"network": a["name"], "download (MB)": a["size_mb"],
                                 "cached": "yes" if a["cached"] else "no", "used for": a["use"]}
                                for a in list_assets() if a["name"] in used]),
                  caption="The pretrained networks of this chapter ('deepmine download --list')")
    parts = [("googlenet", "GoogLeNet's ImageNet classes of the photographs", _top5),
             ("googlenet", "DeepDream with GoogLeNet on china.jpg", _dream),
             ("resnet18", "An imperceptible adversarial example on a photograph", _fgsm),
             ("vgg19", "Style transfer with VGG-19", _style)]
    for name, title, part in parts:
        section.heading(title)
        if is_cached(name):
            part(section, ctx)
        else:
            _missing(section, name, title)
