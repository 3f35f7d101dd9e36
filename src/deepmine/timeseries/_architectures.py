"""Networks for series, as plain ``torch.nn.Module`` s (inputs are ``(batch, channels, time)``).

- :class:`FCN`: Wang, Yan & Oates 2017, "Time series classification from scratch
  with deep neural networks: a strong baseline" -- three convolution blocks
  (128/256/128 filters, kernels 8/5/3, batch norm, ReLU), global average pooling.
- :class:`MCDCNN`: Zheng et al. 2014, "Time series classification using
  multi-channels deep convolutional neural networks" -- one convolution tower
  per channel (here a grouped convolution: the towers run as one layer), then an MLP,
  with the sizes of Fawaz et al. 2019's reimplementation.
- :class:`LSTMNet`: an LSTM (Hochreiter & Schmidhuber 1997) read either at its
  last step (classification) or at every step (forecasting); optionally initialised
  as in Keras (``init="keras"``, see :func:`keras_lstm_init`).
"""

import torch
from torch import nn


def _same_conv(c_in, c_out, k, groups=1):
    """A stride-1 convolution that keeps the length (even kernels pad one more on the right)."""
    if k % 2:
        return [nn.Conv1d(c_in, c_out, k, padding=k // 2, groups=groups)]
    return [nn.ConstantPad1d(((k - 1) // 2, k // 2), 0.0), nn.Conv1d(c_in, c_out, k, groups=groups)]


class FCN(nn.Module):
    """Fully convolutional network with global average pooling (class activation maps for free)."""

    def __init__(self, n_channels, n_classes, filters=(128, 256, 128), kernels=(8, 5, 3)):
        super().__init__()
        layers, width = [], n_channels
        for f, k in zip(filters, kernels):
            layers += [*_same_conv(width, f, k), nn.BatchNorm1d(f), nn.ReLU()]
            width = f
        self.features = nn.Sequential(*layers)
        self.head = nn.Linear(width, n_classes)

    def forward(self, x):                        # x: (B, C, T)
        return self.head(self.features(x).mean(dim=-1))   # (B, n_classes)

    def class_activation(self, x):
        """Class activation maps (Zhou et al. 2016): ``(B, n_classes, T)``."""
        feats = self.features(x)                 # (B, F, T)
        return torch.einsum("kf,bft->bkt", self.head.weight, feats)


class MCDCNN(nn.Module):
    """Multi-channel deep CNN: per-channel conv towers (grouped convolutions), then a dense layer."""

    def __init__(self, n_channels, n_timesteps, n_classes, filters=8, kernel=5, hidden=732):
        super().__init__()
        c, f = n_channels, filters
        self.towers = nn.Sequential(
            *_same_conv(c, c * f, kernel, groups=c), nn.ReLU(), nn.MaxPool1d(2, ceil_mode=True),
            *_same_conv(c * f, c * f, kernel, groups=c), nn.ReLU(), nn.MaxPool1d(2, ceil_mode=True),
        )
        length = -(-(-(-n_timesteps // 2)) // 2)      # two ceil-mode halvings
        self.mlp = nn.Sequential(nn.Flatten(), nn.Linear(c * f * length, hidden), nn.ReLU(),
                                 nn.Linear(hidden, n_classes))

    def forward(self, x):                        # x: (B, C, T)
        return self.mlp(self.towers(x))          # (B, n_classes)


def keras_lstm_init(lstm, forget_bias=1.0):
    """Initialise ``lstm`` (a ``torch.nn.LSTM``) in place as Keras does by default.

    Xavier-uniform input weights and orthogonal recurrent weights, each gate's
    block on its own; zero biases except the forget gate's, ``forget_bias``
    (Gers, Schmidhuber & Cummins 2000; Jozefowicz, Zaremba & Sutskever 2015).
    PyTorch's own default draws every weight and both bias vectors from
    U(-1/sqrt(H), 1/sqrt(H)), which leaves the forget gate near 0.5 at the start:
    the cell state then halves at every step, and what the series held more
    than a few dozen steps before its end barely reaches the last state.
    """
    H = lstm.hidden_size
    for name, p in lstm.named_parameters():
        with torch.no_grad():
            if name.startswith("weight_ih"):
                for k in range(4):                     # gates in PyTorch's order: i, f, g, o
                    nn.init.xavier_uniform_(p[k * H:(k + 1) * H])
            elif name.startswith("weight_hh"):
                for k in range(4):
                    nn.init.orthogonal_(p[k * H:(k + 1) * H])
            elif name.startswith("bias"):
                p.zero_()
                if name.startswith("bias_ih"):         # one of the two bias vectors carries it
                    p[H:2 * H] = forget_bias


class LSTMNet(nn.Module):
    """LSTM over ``(B, C, T)`` input; ``every_step`` returns ``(B, T, n_out)``, else ``(B, n_out)``.

    ``init="torch"`` keeps PyTorch's initialisation, ``"keras"`` applies
    :func:`keras_lstm_init` (forget-gate bias 1).
    """

    def __init__(self, n_channels, n_out, hidden_size=64, num_layers=1, dropout=0.0,
                 every_step=False, init="torch"):
        super().__init__()
        self.lstm = nn.LSTM(n_channels, hidden_size, num_layers=num_layers, batch_first=True,
                            dropout=dropout if num_layers > 1 else 0.0)
        if init not in ("torch", "keras"):
            raise ValueError(f"LSTMNet init must be 'torch' or 'keras', got {init!r}.")
        if init == "keras":
            keras_lstm_init(self.lstm)
        self.head = nn.Linear(hidden_size, n_out)
        self.every_step = every_step

    def forward(self, x):                        # x: (B, C, T)
        out, _ = self.lstm(x.transpose(1, 2))    # (B, T, H)
        if self.every_step:
            return self.head(out)                # (B, T, n_out)
        return self.head(out[:, -1])             # (B, n_out)
