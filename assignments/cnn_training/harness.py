"""The grader's code that runs in each worker beside the student's (``WORKER_HARNESS``).

It runs in the student's process, so nothing it reports is trusted more than the student's own
answers: it returns raw outputs (logits) and the grader decides from them (accuracy, losses,
shapes, whether outputs changed) with the labels it never sends. What it alone can see (which
parameters got a gradient, the parameter count, whether validation ran in evaluation mode) is
reported as observed and weighs little. Plain functions of plain data and kept objects
(``Handle``s): the student's model, and the datasets built here.
"""
import io

import numpy as np
import torch


class ImageSet(torch.utils.data.Dataset):
    """(image float32 tensor (C, H, W) in [0, 1], int label) pairs, as the notebook promises."""

    def __init__(self, images, labels):
        self.images = torch.from_numpy(np.ascontiguousarray(images, dtype=np.float32))
        self.labels = [int(v) for v in labels]

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, index):
        return self.images[index].clone(), self.labels[index]  # a copy: in-place preprocessing stays the student's


def make_set(images, labels):
    return ImageSet(images, labels)


class ValidationWatch:
    """Notes, for each batch the model is called on during the student's train(), whether it is
    validation images and whether the model is in training mode then (a forward pre-hook): how
    the student read the validation set does not matter, only what went through the model."""

    def __init__(self, model, images):
        self.keys = {np.ascontiguousarray(image, dtype=np.float32).tobytes() for image in images}
        self.shape = tuple(np.shape(images)[1:])  # (C, H, W): only a layer given images is looked at
        self.modules = {id(m) for m in _module(model).modules()}
        self.training_batches, self.eval_batches = set(), set()
        # every module call, not only model(x): model.forward(x) and layer-by-layer code call layers
        self.handle = torch.nn.modules.module.register_module_forward_pre_hook(self.hook)

    @property
    def in_training_mode(self):
        return len(self.training_batches)

    @property
    def in_eval_mode(self):
        return len(self.eval_batches)

    def hook(self, module, args):
        if id(module) not in self.modules:
            return
        x = args[0] if args else None
        if not isinstance(x, torch.Tensor) or tuple(x.shape[1:]) != self.shape or len(x) == 0:
            return  # activations of the inner layers: never copied, never hashed
        rows = x[:8].detach().to("cpu", torch.float32).numpy()
        if 2 * sum(row.tobytes() in self.keys for row in rows) > len(rows):  # mostly validation images
            batch = (x.data_ptr(), tuple(x.shape))  # one batch, however many layers see it
            (self.training_batches if module.training else self.eval_batches).add(batch)


def watch_validation(model, images):
    return ValidationWatch(model, images)


def validation_reads(watch):
    """What the watch saw, and the watch removed (later evaluations are the grader's)."""
    watch.handle.remove()
    return {"batches": watch.in_training_mode + watch.in_eval_mode, "in_training_mode": watch.in_training_mode}


def prepare(seed, device, deterministic=True):
    """Seeds and deterministic algorithms before the student's code builds or trains anything;
    what was in force, for the report."""
    torch.manual_seed(seed)
    np.random.seed(seed % 2**32)
    if device.startswith("cuda"):
        torch.cuda.manual_seed_all(seed)
        torch.backends.cudnn.benchmark = False
    torch.use_deterministic_algorithms(bool(deterministic), warn_only=True)
    return environment(device)


def environment(device="cpu"):
    cuda = torch.version.cuda
    return {"device": device, "torch": torch.__version__.split("+")[0], "cuda": cuda or "none",
            "threads": torch.get_num_threads(), "deterministic": torch.are_deterministic_algorithms_enabled(),
            "cuda_available": bool(torch.cuda.is_available()) if cuda else False}


def _module(model):
    if not isinstance(model, torch.nn.Module):
        raise TypeError("build_model must return a torch.nn.Module, got a %s" % type(model).__name__)
    return model


def outputs(model, images, mode="eval", device="cpu", batch_size=256):
    """The model's outputs on ``images`` in ``mode``, without gradients, as float64 logits. Each
    batch is a fresh tensor: a model that preprocesses its input in place changes only its copy."""
    model = _module(model)
    model.train(mode == "train")
    x = torch.from_numpy(np.ascontiguousarray(images, dtype=np.float32))
    parts = []
    with torch.no_grad():
        for start in range(0, len(x), batch_size):
            out = model(x[start:start + batch_size].clone().to(device))
            if not isinstance(out, torch.Tensor):
                raise TypeError("the model returned a %s, expected a tensor of logits" % type(out).__name__)
            parts.append(out.detach().to("cpu", torch.float64))
    return torch.cat(parts).numpy() if parts else np.zeros((0, 0))


def outputs_twice(model, images, device="cpu"):
    """Two evaluation-mode passes over ``images`` in this one call: the worker seeds its random
    generators before every call, so passes in two calls would draw the same dropout masks."""
    return outputs(model, images, "eval", device), outputs(model, images, "eval", device)


def describe(model, images=None):
    """The trainable parameter count; lazy layers (LazyLinear) are sized first by one
    evaluation-mode pass over ``images``."""
    model = _module(model)
    if images is not None and any(isinstance(p, torch.nn.parameter.UninitializedParameter)
                                  for p in model.parameters()):
        outputs(model, images, "eval")
    named = list(model.named_parameters())
    return {"parameters": int(sum(p.numel() for _, p in named if p.requires_grad)),
            "trainable": [n for n, p in named if p.requires_grad]}


def gradient_flow(model, images, labels):
    """One training-mode forward and backward of the cross-entropy: the trainable parameters
    whose gradient is None (they take no part in the forward pass)."""
    model = _module(model)
    model.train(True)
    model.zero_grad(set_to_none=True)
    x = torch.from_numpy(np.ascontiguousarray(images, dtype=np.float32))
    loss = torch.nn.functional.cross_entropy(model(x), torch.as_tensor(np.asarray(labels), dtype=torch.long))
    loss.backward()
    missing = [n for n, p in model.named_parameters() if p.requires_grad and p.grad is None]
    model.zero_grad(set_to_none=True)
    return missing


def overfit(model, images, labels, steps, lr, optimizer="adam"):
    """Train on one small batch with a fixed optimizer; the batch's logits after, in eval mode."""
    model = _module(model)
    x = torch.from_numpy(np.ascontiguousarray(images, dtype=np.float32))
    y = torch.as_tensor(np.asarray(labels), dtype=torch.long)
    make = {"adam": torch.optim.Adam, "sgd": torch.optim.SGD}[optimizer]
    opt = make([p for p in model.parameters() if p.requires_grad], lr=lr)
    model.train(True)
    for _ in range(int(steps)):
        opt.zero_grad(set_to_none=True)
        torch.nn.functional.cross_entropy(model(x.clone()), y).backward()
        opt.step()
    return outputs(model, images, "eval")


def load_weights(model, blob):
    """The state_dict in ``blob`` (the bytes of the submitted file, read by the grader) loaded
    into the student's model with ``torch.load(..., weights_only=True)``."""
    model = _module(model)
    state = torch.load(io.BytesIO(np.asarray(blob, dtype=np.uint8).tobytes()), map_location="cpu", weights_only=True)
    model.load_state_dict(state)
    return True


def to_device(model, device):
    _module(model).to(device)
    return True

