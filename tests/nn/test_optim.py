"""deepmine's optimizers: torch.optim's arithmetic, without importing torch._dynamo."""

import pickle
import subprocess
import sys

import pytest
import torch

from deepmine.nn import OPTIMIZERS, get_optimizer, get_scheduler

_TORCH = {"sgd": torch.optim.SGD, "momentum": torch.optim.SGD, "nesterov": torch.optim.SGD,
          "adagrad": torch.optim.Adagrad, "rmsprop": torch.optim.RMSprop,
          "adadelta": torch.optim.Adadelta, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW}


def _train(make_optimizer):
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(5, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    opt = make_optimizer(net.parameters())
    sched = get_scheduler("step", opt, max_epochs=6)
    gen = torch.Generator().manual_seed(1)
    for _ in range(6):
        opt.zero_grad(set_to_none=True)
        net(torch.randn(8, 5, generator=gen)).pow(2).mean().backward()
        opt.step()
        sched.step()
    return torch.cat([p.detach().ravel() for p in net.parameters()]), opt


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_steps_are_bit_identical_to_torch(name):
    """Each optimizer by name takes exactly the steps of its torch.optim class with the same settings."""
    ours, opt = _train(lambda p: get_optimizer(name, p, learning_rate=0.05, weight_decay=0.01))
    assert isinstance(opt, _TORCH[name])
    settings = {k: opt.defaults[k] for k in ("lr", "weight_decay", "momentum", "nesterov", "fused")
                if k in opt.defaults and opt.defaults[k] is not None}
    theirs, _ = _train(lambda p: _TORCH[name](p, **settings))
    assert torch.equal(ours, theirs)
    # state round-trips: pickle and state_dict / load_state_dict
    again = pickle.loads(pickle.dumps(opt))
    again.load_state_dict(opt.state_dict())
    assert type(again) is type(opt) and len(again.state) == len(opt.state)


def test_first_fit_does_not_import_dynamo():
    """A fit in a fresh process never imports torch._dynamo (about 1 s of CPU on the first step)."""
    code = ("import sys, numpy as np\n"
            "from deepmine.tabular import MLPClassifier, Perceptron\n"
            "X = np.random.RandomState(0).normal(size=(40, 3)); y = (X[:, 0] > 0).astype(int)\n"
            "MLPClassifier(max_epochs=2, lr_schedule='plateau', early_stopping=True).fit(X, y)\n"
            "Perceptron(max_epochs=2).fit(X, y)\n"
            "print(sorted(m for m in sys.modules if m.startswith('torch._dynamo')))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
