"""Training state on disk for :class:`~deepmine.nn.Checkpoint`: safetensors files, written atomically.

``best.safetensors`` holds the weights of the best epoch. ``last.safetensors``
holds everything a resumed training needs: the weights (``module.*``), the
optimizer's tensors (``optimizer.<param>.<name>``), the random number
generators (``rng.*``), and in its JSON metadata the optimizer's other state,
the learning-rate schedule's state, the history and the best value so far.
Loading never executes code from the files.
"""

import json
import os
from pathlib import Path

import torch

from deepmine.exceptions import ModelFileError

_TENSOR = "__tensor__"


def _cpu(t):
    return t.detach().to("cpu").contiguous().clone()


def _write(tensors, metadata, path):
    from safetensors.torch import save_file

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    save_file(tensors, str(tmp), metadata=metadata)
    os.replace(tmp, path)


def save_weights(state_dict, dirname, name):
    """Write a module's ``state_dict`` to ``dirname/name`` as safetensors."""
    _write({k: _cpu(v) for k, v in state_dict.items()}, {"format": "pt"}, Path(dirname) / name)


def _json(value):
    return json.dumps(value, default=lambda v: v.item() if hasattr(v, "item") else str(v))


def save_training_state(dirname, trainer, *, best, best_epoch):
    """Write ``dirname/last.safetensors``: everything needed to continue ``trainer``'s fit."""
    tensors = {f"module.{k}": _cpu(v) for k, v in trainer.module.state_dict().items()}
    opt = trainer.optimizer_.state_dict()
    state_meta = {}
    for pid, entries in opt["state"].items():
        meta = {}
        for key, value in entries.items():
            if torch.is_tensor(value):
                tensors[f"optimizer.{pid}.{key}"] = _cpu(value)
                meta[key] = _TENSOR
            else:
                meta[key] = value
        state_meta[str(pid)] = meta
    tensors["rng.torch"] = torch.get_rng_state()
    tensors["rng.generator"] = trainer.generator_.get_state()
    scheduler = trainer.scheduler_
    metadata = {
        "format": "pt",
        "history": _json(list(trainer.history_)),
        "optimizer_state": _json(state_meta),
        "param_groups": _json(opt["param_groups"]),
        "scheduler": _json(scheduler.state_dict() if scheduler is not None else None),
        "best": _json(best if abs(best) != float("inf") else None),
        "best_epoch": _json(best_epoch),
    }
    _write(tensors, metadata, Path(dirname) / "last.safetensors")


def load_training_state(dirname, trainer):
    """Restore ``trainer``'s module, optimizer, schedule, generators and history from ``dirname``.

    Returns None when there is no ``last.safetensors`` yet (a fresh start), else a dict
    with ``best`` (None before any epoch was judged), ``best_epoch`` and ``best_state`` (the best weights, or None).
    """
    from safetensors import safe_open
    from safetensors.torch import load_file

    path = Path(dirname) / "last.safetensors"
    if not path.exists():
        return None
    try:
        with safe_open(str(path), framework="pt") as f:
            metadata = f.metadata()
        tensors = load_file(str(path))
        meta = {k: json.loads(metadata[k]) for k in
                ("history", "optimizer_state", "param_groups", "scheduler", "best", "best_epoch")}
    except Exception as exc:  # noqa: BLE001 - any unreadable file gets one message
        raise ModelFileError(f"Cannot resume from {path}: the file is not a deepmine checkpoint "
                             f"({exc}). Delete it or pass another dirname.") from None
    module_state = {k[len("module."):]: v for k, v in tensors.items() if k.startswith("module.")}
    try:
        trainer.module.load_state_dict(module_state)
    except RuntimeError as exc:
        first = str(exc).strip().splitlines()[0]
        raise ModelFileError(f"Cannot resume from {path}: its weights do not fit this network "
                             f"({first}). Use the network the checkpoint was written for, or "
                             f"another dirname.") from None
    state = {}
    for pid, entries in meta["optimizer_state"].items():
        state[int(pid)] = {key: (tensors[f"optimizer.{pid}.{key}"] if value == _TENSOR else value)
                           for key, value in entries.items()}
    trainer.optimizer_.load_state_dict({"state": state, "param_groups": meta["param_groups"]})
    if trainer.scheduler_ is not None and meta["scheduler"] is not None:
        trainer.scheduler_.load_state_dict(meta["scheduler"])
    torch.set_rng_state(tensors["rng.torch"])
    trainer.generator_.set_state(tensors["rng.generator"])
    trainer.history_[:] = meta["history"]
    best_path = Path(dirname) / "best.safetensors"
    best_state = load_file(str(best_path)) if best_path.exists() else None
    return {"best": meta["best"], "best_epoch": meta["best_epoch"],
            "best_state": best_state}
