"""scikit-learn's MLP parameter names: a TypeError that names the deepmine parameter to use."""

import functools
import inspect

#: scikit-learn's MLP parameter names -> what to pass to a deepmine estimator instead
SKLEARN_NAMES = {
    "max_iter": "max_epochs=",
    "alpha": "weight_decay= (an L2 penalty, added to the gradient)",
    "learning_rate_init": "learning_rate=",
    "n_iter_no_change": "patience= (with early_stopping=True)",
    "solver": "optimizer= (e.g. 'adam', 'sgd' or a torch.optim class)",
    "beta_1": "optimizer=('adam', {'betas': (beta_1, beta_2)})",
    "beta_2": "optimizer=('adam', {'betas': (beta_1, beta_2)})",
    "epsilon": "optimizer=('adam', {'eps': epsilon})",
    "nesterovs_momentum": "optimizer='nesterov'",
    "power_t": "lr_schedule= (a schedule by name, e.g. 'exponential')",
    "max_fun": "max_epochs=",
}


def sklearn_name_error(cls, names):
    """The TypeError for scikit-learn parameter names that a deepmine estimator calls otherwise."""
    hints = "; ".join(f"instead of {n}= pass {SKLEARN_NAMES[n]}" for n in names)
    return TypeError(f"{cls.__name__} does not take scikit-learn's MLP parameter"
                     f"{'s' if len(names) > 1 else ''} {', '.join(names)}: {hints}.")


def guard_sklearn_names(init):
    """Wrap ``__init__`` so that scikit-learn's MLP names raise a TypeError naming deepmine's."""
    accepted = set(inspect.signature(init).parameters)

    @functools.wraps(init)
    def __init__(self, *args, **kwargs):
        wrong = [k for k in kwargs if k in SKLEARN_NAMES and k not in accepted]
        if wrong:
            raise sklearn_name_error(type(self), wrong)
        init(self, *args, **kwargs)

    return __init__
