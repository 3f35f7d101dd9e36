"""Data-parallel training: one process per device, gradients averaged by DistributedDataParallel.

:class:`~deepmine.nn.Trainer` with ``strategy="ddp"`` either starts one process
per device on this machine (``torch.multiprocessing`` spawn; this process is
rank 0 and keeps the fitted state) or, when it already runs in a process group
(``torchrun`` sets ``RANK``/``WORLD_SIZE``), joins it. Every rank draws the same
seeded permutation per epoch and takes ``perm[rank::world]`` (padded to a
multiple of the world size, as :class:`~torch.utils.data.DistributedSampler`
does), so the union of the ranks' batches of ``b`` rows is the one-process batch
of ``world * b`` rows. Losses are summed over the ranks, so every rank sees the
same history; the callbacks run on rank 0, whose stop decision and final
weights are sent to the others.
"""

import copy
import datetime
import os
import pickle
import queue
import socket
import traceback
import warnings

import torch
import torch.distributed as dist
from torch.utils.data import DataLoader, Subset

from deepmine.exceptions import InvalidParameterError
from deepmine.nn._data import is_tensors, n_rows

__all__ = ["STRATEGIES", "fit_data_parallel", "Group"]

#: Training strategies of the Trainer: None (this process) or "ddp".
STRATEGIES = (None, "ddp")
#: How long a collective (or the start of the process group) may wait for the other ranks.
TIMEOUT = datetime.timedelta(minutes=10)
#: How long the started processes may take to import and report that they run.
START_SECONDS = 300


class Group:
    """This process's place in a data-parallel run and the collectives the Trainer needs."""

    def __init__(self, rank, world, device):
        self.rank, self.world, self.device = rank, world, torch.device(device)
        self._comm = self.device if self.device.type == "cuda" else torch.device("cpu")  # nccl

    def wrap(self, module):
        """The module inside DistributedDataParallel (which also broadcasts rank 0's weights)."""
        from torch.nn.parallel import DistributedDataParallel

        ids = [self.device.index] if self.device.type == "cuda" else None
        return DistributedDataParallel(module, device_ids=ids)

    def _indices(self, n, order):
        """``order[rank::world]`` after padding ``order`` with its first rows to a multiple of world."""
        total = -(-n // self.world) * self.world
        if total > n:
            reps = -(-total // n)
            order = torch.cat([order] * reps)[:total]
        return order[self.rank:total:self.world]

    def shard(self, train, order, generator, shuffle):
        """This rank's part of the training data: ``(tensors, row order)`` or ``(Subset, None)``."""
        if isinstance(train, DataLoader):
            return train, order  # used as it is: its sampler decides what each rank reads
        n = n_rows(train)
        if n is None:
            return train, order
        if order is None:
            order = (torch.randperm(n, generator=generator) if shuffle and not is_tensors(train)
                     else torch.arange(n))
        if is_tensors(train):
            return train, self._indices(n, order.to(train[0].device))
        return Subset(train, self._indices(n, order.cpu()).tolist()), None

    def reduce(self, values):
        """Element-wise sum over the ranks of a list of floats (or 0-d tensors), as a float64 tensor."""
        t = torch.stack([torch.as_tensor(v, dtype=torch.float64).reshape(()) for v in values])
        t = t.to(self._comm)
        dist.all_reduce(t)
        return t.cpu()

    def broadcast(self, value):
        """Rank 0's float ``value`` (None stays None only when it is None on rank 0)."""
        t = torch.tensor([float("nan") if value is None else float(value), value is None],
                         dtype=torch.float64, device=self._comm)
        dist.broadcast(t, 0)
        return None if t[1] else float(t[0])

    def evaluate(self, trainer, module, valid, compute_loss, score):
        """Validation loss over the ranks' shares of ``valid`` (summed) and rank 0's score."""
        n = n_rows(valid)
        if is_tensors(valid):
            part = tuple(t[self.rank::self.world] for t in valid)
        elif n is not None and not isinstance(valid, DataLoader):
            part = Subset(valid, list(range(self.rank, n, self.world)))
        else:
            part = valid if self.rank == 0 else None
        count = 0 if part is None else n_rows(part) or 0
        loss = trainer._evaluate(module, part, compute_loss, None)[0] if count else 0.0
        total, count = self.reduce([loss * count, count])
        value = None
        if score is not None:  # the estimator's score sees all of valid: rank 0 computes it
            value = self.broadcast(_score(trainer, module, valid, score) if self.rank == 0
                                   else None)
        return float(total) / max(float(count), 1.0), value

    def check_same_start(self, history):
        """Refuse (on every rank) a start that rank 0's callbacks moved, e.g. a resumed Checkpoint."""
        first = self.broadcast(len(history))
        if float(self.reduce([len(history)])[0]) != first * self.world:
            raise ValueError(f"strategy='ddp' cannot resume training: rank 0 starts after epoch "
                             f"{int(first)} but the other processes do not; train in one process "
                             f"(strategy=None) to resume from a Checkpoint.")

    def sync(self, module):
        """Give every rank rank 0's parameters and buffers (after callbacks restored weights)."""
        for t in [*module.parameters(), *module.buffers()]:
            if self._comm == t.device:
                dist.broadcast(t.data, 0)
            else:
                buf = t.data.to(self._comm)
                dist.broadcast(buf, 0)
                t.data.copy_(buf)


@torch.no_grad()
def _score(trainer, module, valid, score):
    module.eval()
    with trainer.precision_.autocast():
        return score(module, valid)


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def in_process_group():
    """True under ``torchrun`` (``WORLD_SIZE`` > 1 in the environment) or inside a process group."""
    return dist.is_available() and (dist.is_initialized() or int(os.environ.get("WORLD_SIZE", 1)) > 1)


def resolve_devices(devices, device):
    """``(number of processes, GPU ids or None)`` for ``devices`` on ``device``."""
    device = torch.device(device)
    if device.type not in ("cpu", "cuda"):
        raise InvalidParameterError(
            f"strategy='ddp' trains on CPUs (gloo) or CUDA GPUs (nccl); got device "
            f"{device.type!r}. Use device='cpu' or device='cuda'.")
    if device.type == "cuda":
        count = torch.cuda.device_count()
        if devices == "auto":
            ids = list(range(count))
        elif isinstance(devices, int) and not isinstance(devices, bool):
            ids = list(range(devices))
        else:
            ids = [int(i) for i in devices]
        bad = [i for i in ids if not 0 <= i < count]
        if not ids or bad:
            raise InvalidParameterError(
                f"The 'devices' parameter must name GPUs among the {count} visible ones; got "
                f"{devices!r}. Pass a number up to {count} or a list of ids below {count}.")
        return len(ids), ids
    if devices == "auto":
        return 1, None
    if isinstance(devices, int) and not isinstance(devices, bool) and devices >= 1:
        return devices, None
    raise InvalidParameterError(
        f"On the CPU the 'devices' parameter must be the number of processes (an int >= 1) or "
        f"'auto'; got {devices!r}. A list of GPU ids needs device='cuda'.")


def rank_device(device, devices):
    """The device this process trains on: GPU ``LOCAL_RANK`` under torchrun, the first of ``devices``."""
    device = torch.device(device)
    if device.type != "cuda":
        return device
    if in_process_group():
        return torch.device("cuda", int(os.environ.get("LOCAL_RANK", 0)))
    if isinstance(devices, (list, tuple)) and devices:
        return torch.device("cuda", int(devices[0]))
    return torch.device("cuda", device.index or 0)


def _reseed(rank):
    """Different dropout/augmentation streams per rank, drawn from rank 0's seeded state."""
    if rank:
        g = torch.Generator()
        g.set_state(torch.random.get_rng_state())
        torch.manual_seed(int(torch.randint(2**62, (1,), generator=g)) + rank)


def _to_device(data, device):
    if not is_tensors(data):
        return data
    return tuple(t.to(device) for t in data)


def _sync_batch_norm(module, device):
    """Swap batch norms for SyncBatchNorm on CUDA; returns the swaps to undo after training."""
    if device.type != "cuda":
        return []
    swaps = []
    for parent in module.modules():
        for name, child in list(parent.named_children()):
            if isinstance(child, torch.nn.modules.batchnorm._BatchNorm) and not isinstance(
                    child, torch.nn.SyncBatchNorm):
                sync = torch.nn.SyncBatchNorm.convert_sync_batchnorm(child)
                setattr(parent, name, sync)
                swaps.append((parent, name, child))
    return swaps


def _undo_sync_batch_norm(swaps):
    for parent, name, original in swaps:
        original.load_state_dict(getattr(parent, name).state_dict())
        setattr(parent, name, original)


def _run_rank(trainer, rank, world, device, module, train, valid, kw):
    """Train this rank's share inside the process group; returns the History."""
    device = torch.device(device)
    if device.type == "cuda":
        torch.cuda.set_device(device)
    module.to(device)
    train, valid = _to_device(train, device), _to_device(valid, device)
    _reseed(rank)
    swaps = _sync_batch_norm(module, device)
    trainer.group_ = Group(rank, world, device)
    try:
        with warnings.catch_warnings():
            if rank:  # rank 0 warns for all
                warnings.simplefilter("ignore")
            return trainer.fit(module, train, valid, **kw)
    finally:
        trainer.group_ = None
        _undo_sync_batch_norm(swaps)


def _backend(device):
    return "nccl" if torch.device(device).type == "cuda" else "gloo"


def fit_data_parallel(trainer, module, train, valid, **kw):
    """:meth:`Trainer.fit` with ``strategy="ddp"``: join the process group, or start one."""
    if trainer.strategy not in STRATEGIES:
        raise InvalidParameterError(f"The 'strategy' parameter must be None or 'ddp'; got "
                                    f"{trainer.strategy!r}.")
    first = next(module.parameters(), None)
    device = first.device if first is not None else torch.device("cpu")
    if in_process_group():
        return _fit_in_group(trainer, module, train, valid, device, kw)
    n, ids = resolve_devices(trainer.devices, device)
    if n == 1:
        if ids is not None:
            module.to(torch.device("cuda", ids[0]))
            train, valid = _to_device(train, f"cuda:{ids[0]}"), _to_device(valid, f"cuda:{ids[0]}")
        strategy, trainer.strategy = trainer.strategy, None
        try:
            return trainer.fit(module, train, valid, **kw)
        finally:
            trainer.strategy = strategy
    return _spawn(trainer, module, train, valid, n, ids, device, kw)


def _fit_in_group(trainer, module, train, valid, device, kw):
    """Under torchrun: rank and world size from the environment, GPU ``LOCAL_RANK``."""
    owned = not dist.is_initialized()
    if device.type == "cuda":
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", 0)))
    if owned:
        dist.init_process_group(_backend(device), timeout=TIMEOUT)
    try:
        return _run_rank(trainer, dist.get_rank(), dist.get_world_size(), device, module, train,
                         valid, kw)
    finally:
        if owned:
            dist.destroy_process_group()


def _trainer_params(trainer):
    import inspect

    names = [p for p in inspect.signature(type(trainer).__init__).parameters if p != "self"]
    params = {p: getattr(trainer, p) for p in names}
    params.update(callbacks=None, verbose=0, strategy="ddp")  # callbacks run on rank 0
    return params


def _child(rank, world, port, device, payload, messages):
    """Entry point of the started processes (ranks 1 .. world-1)."""
    try:
        messages.put(("ready", rank, None))
        cls, params, module, train, valid, kw = pickle.loads(payload)
        torch.set_num_threads(1)
        dist.init_process_group(_backend(device), init_method=f"tcp://127.0.0.1:{port}",
                                rank=rank, world_size=world, timeout=TIMEOUT)
        try:
            _run_rank(cls(**params), rank, world, device, module, train, valid, kw)
        finally:
            dist.destroy_process_group()
    except BaseException as exc:  # noqa: BLE001 - reported to rank 0, then the process fails
        messages.put(("error", rank, f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"))
        raise SystemExit(1) from None


def _spawn(trainer, module, train, valid, world, ids, device, kw):
    """Start ranks 1 .. world-1 on this machine; this process trains as rank 0."""
    import torch.multiprocessing as mp

    devices = [torch.device("cuda", i) for i in ids] if ids is not None else [device] * world
    sent = module if device.type == "cpu" else copy.deepcopy(module).cpu()
    try:  # CPU copies: each started process moves them to its own device
        payload = pickle.dumps((type(trainer), _trainer_params(trainer), sent,
                                _to_device(train, "cpu"), _to_device(valid, "cpu"), kw))
    except (pickle.PicklingError, AttributeError, TypeError) as exc:
        raise TypeError(f"strategy='ddp' sends the module, the data and compute_loss/score to new "
                        f"processes by pickling, which failed ({exc}); define compute_loss and "
                        f"score at module level (no lambda or local function).") from None
    port = free_port()
    ctx = _context(mp)
    messages = ctx.Queue()
    procs = [ctx.Process(target=_child, args=(r, world, port, str(devices[r]), payload, messages),
                         daemon=True) for r in range(1, world)]
    for p in procs:
        p.start()
    try:
        _wait_ready(procs, messages)
        dist.init_process_group(_backend(devices[0]), init_method=f"tcp://127.0.0.1:{port}",
                                rank=0, world_size=world, timeout=TIMEOUT)
        try:
            history = _run_rank(trainer, 0, world, devices[0], module, train, valid, kw)
        except Exception as exc:  # a peer's failure shows here as a communication error
            if type(exc) is RuntimeError or isinstance(exc, dist.DistError):
                _raise_child_error(procs, messages, exc)
            raise
        finally:
            dist.destroy_process_group()
        for p in procs:
            p.join(60)
        _raise_child_error(procs, messages, None)
        return history
    finally:
        for p in procs:
            if p.is_alive():
                p.terminate()
                p.join(5)


def _context(mp):
    """A forkserver where there is one (deepmine imported once, then each process is a fork), else spawn."""
    if "forkserver" not in mp.get_all_start_methods():
        return mp.get_context("spawn")
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["__main__", "deepmine.base", "deepmine.nn._distributed",
                                "torch.nn.parallel"])
    return ctx


def _wait_ready(procs, messages):
    ready = set()
    for _ in range(START_SECONDS * 4):
        try:
            kind, rank, text = messages.get(timeout=0.25)
        except queue.Empty:
            dead = [p for p in procs if p.exitcode not in (None, 0)]
            if dead:
                raise RuntimeError(f"strategy='ddp': a training process exited with code "
                                   f"{dead[0].exitcode} before it started; run the script "
                                   f"under `if __name__ == '__main__':`.")
            continue
        if kind == "error":
            raise RuntimeError(f"strategy='ddp': training process {rank} failed: {text}")
        ready.add(rank)
        if len(ready) == len(procs):
            return
    raise RuntimeError(f"strategy='ddp': the training processes did not start within "
                       f"{START_SECONDS} s.")


def _raise_child_error(procs, messages, exc):
    """Raise the first error reported by a started process (the cause of ``exc`` on rank 0)."""
    for p in procs:
        p.join(5 if exc is not None else 0)
    try:
        while True:
            kind, rank, text = messages.get(timeout=0.1)
            if kind == "error":
                raise RuntimeError(f"strategy='ddp': training process {rank} failed: "
                                   f"{text}") from exc
    except queue.Empty:
        pass
    failed = [p for p in procs if p.exitcode not in (None, 0)]
    if failed and exc is None:
        raise RuntimeError(f"strategy='ddp': a training process exited with code "
                           f"{failed[0].exitcode}.")
