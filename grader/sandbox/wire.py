"""The codec between grader and worker: JSON plus ``.npy`` blobs, never pickle.

Standalone (standard library and NumPy only; NumPy 1.x or 2.x) because the worker loads it by
path under whatever interpreter an assignment needs.

A frame is ``u64 length | JSON header | blobs``; the header lists the blob lengths. Values are a
JSON tree in which every container is a one-key object, so no student dict can pass for one:
``{"l": [...]}`` list, ``{"t": [...]}`` tuple, ``{"d": [[key, value], ...]}`` dict,
``{"a": index}`` array (blob ``index``, an ``.npy`` file), ``{"f": "nan" | "inf" | "-inf"}``,
``{"h": [id, type name]}`` a :class:`Handle`: an object that stays in the worker (a trained model,
a forward cache), which the grader can only pass back to later calls.

``to_doc(..., lenient=True)`` (the worker side) converts NumPy scalars, torch tensors and
subclasses of int/float/str/list/tuple/ndarray to their exact base types; ``from_doc`` (the
grader side) re-validates everything it decodes: exact types only, arrays of dtype kind 'biuf'.
"""
import json
import math
import re
import struct
import sys

import numpy as np

ARRAY_KINDS = "biuf"
_HEADER = struct.Struct(">Q")
_NON_FINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}
_PLAIN_TEXT = "plain data (number, string, bool, None, list, tuple, dict) or a NumPy array or torch tensor of numeric or bool dtype"


class WireError(ValueError):
    """A value that may not cross, or a malformed frame."""


class Handle(object):
    """The grader's reference to an object kept in a worker (``keep=`` on a call): its number in
    that worker, its type's name (student text, for messages) and the worker's ``epoch`` (the
    sandbox's count of workers started: a handle from a worker that has since been replaced
    refers to nothing). Immutable; equal when all three are."""

    __slots__ = ("id", "type", "epoch")

    def __init__(self, id, type="", epoch=0):
        object.__setattr__(self, "id", id)
        object.__setattr__(self, "type", type)
        object.__setattr__(self, "epoch", epoch)

    def __setattr__(self, name, value):
        raise AttributeError("a Handle is immutable")

    def __eq__(self, other):
        return type(other) is Handle and (self.id, self.type, self.epoch) == (other.id, other.type, other.epoch)

    def __hash__(self):
        return hash((self.id, self.type, self.epoch))

    def __repr__(self):
        return "<%s object kept in the worker, #%d>" % (self.type or "an", self.id)

    def __deepcopy__(self, memo):
        return self

    def __copy__(self):
        return self


def _where(path):
    return "" if not path else "".join(path) + " "


def _typename(value):
    cls = type(value)
    return cls.__name__ if cls.__module__ == "builtins" else cls.__module__ + "." + cls.__qualname__


class _Encoder:
    def __init__(self, lenient, max_bytes, max_depth, keep=None):
        self.lenient = lenient
        self.keep = keep  # worker side: value -> (id, type name) of the kept value, for what cannot cross
        self.max_bytes = max_bytes
        self.max_depth = max_depth
        self.blobs = []
        self.size = 0

    def refuse(self, value, path, what=None):
        raise WireError("%sis a %s, expected %s" % (_where(path) or "value ", _typename(value), what or _PLAIN_TEXT))

    def encode(self, value, path, depth):
        cls = type(value)
        if value is None or cls is bool or cls is str:
            return value
        if cls is int:
            if value.bit_length() > 4096:
                raise WireError("%sis an int with %d bits, expected at most 4096" % (_where(path) or "value ", value.bit_length()))
            return value
        if cls is float:
            if math.isfinite(value):
                return value
            return {"f": "nan" if value != value else ("inf" if value > 0 else "-inf")}
        if depth >= self.max_depth:
            raise WireError("%snests deeper than %d levels" % (_where(path) or "value ", self.max_depth))
        if cls is list or cls is tuple:
            items = [self.encode(v, path + ["[%d]" % i], depth + 1) for i, v in enumerate(value)]
            return {"l" if cls is list else "t": items}
        if cls is dict:
            pairs = []
            for k, v in list(value.items()):
                if not _plain_key(k):
                    self.refuse(k, path + [" key"], "a str, int, float, bool or None dict key, or a tuple of them")
                pairs.append([self.encode(k, path, depth + 1), self.encode(v, path + ["[%r]" % (k,)], depth + 1)])
            return {"d": pairs}
        if cls is np.ndarray:
            return self.array(value, path)
        if cls is Handle:
            if type(value.id) is not int or type(value.type) is not str:
                self.refuse(value, path)
            return {"h": [value.id, value.type]}
        if self.lenient:
            converted = self.convert(value, path)
            if converted is not _REFUSED:
                return self.encode(converted, path, depth)
        if self.keep is not None:
            return {"h": list(self.keep(value))}
        self.refuse(value, path)

    def convert(self, value, path):
        """Exact base-type copy of a NumPy scalar, tensor or builtin subclass (worker side)."""
        cls = type(value)
        if issubclass(cls, bool):
            return bool(int.__int__(value))
        if issubclass(cls, int):
            return int.__int__(value)  # the stored value, whatever __int__ or __eq__ say
        if issubclass(cls, float):
            return float.__float__(value)
        if issubclass(cls, str):
            return str.__str__(value)
        if issubclass(cls, (list, tuple)):
            base = list if issubclass(cls, list) else tuple
            return base(base.__iter__(value))
        if issubclass(cls, dict):  # OrderedDict, defaultdict, a Counter: their items, as a dict
            return dict(dict.items(value))
        if issubclass(cls, np.ndarray):
            return np.ndarray.view(value, np.ndarray).copy()
        if issubclass(cls, np.generic):
            if value.dtype.kind not in ARRAY_KINDS:
                self.refuse(value, path)
            return np.asarray(value).view(np.ndarray).copy().item()
        torch = sys.modules.get("torch")
        tensor = getattr(torch, "Tensor", None) if torch is not None else None
        if isinstance(tensor, type) and issubclass(cls, tensor):
            try:
                t = value.detach().cpu()
                if str(t.dtype) == "torch.bfloat16":
                    t = t.float()
                array = t.resolve_conj().resolve_neg().numpy()
            except Exception as exc:  # a tensor subclass playing tricks, or an odd dtype
                raise WireError("%sis a %s that could not be converted to a NumPy array (%s)" % (_where(path) or "value ", _typename(value), exc))
            if not isinstance(array, np.ndarray):
                self.refuse(value, path)
            return np.ndarray.view(array, np.ndarray).copy()
        return _REFUSED

    def array(self, value, path):
        if value.dtype.kind not in ARRAY_KINDS or value.dtype.fields is not None or value.dtype.subdtype is not None:
            raise WireError("%sis an array of dtype %s, expected a numeric or bool dtype" % (_where(path) or "value ", value.dtype))
        self.size += value.nbytes
        if self.size > self.max_bytes:
            raise WireError("%sbrings the data to more than %d bytes (array of shape %s, dtype %s)" % (_where(path) or "value ", self.max_bytes, value.shape, value.dtype))
        self.blobs.append(save_array(value))
        return {"a": len(self.blobs) - 1}


_REFUSED = object()


def _plain_key(key, depth=0):
    """A dict key that may cross: a str, int, float, bool or None, or a (short, shallow) tuple of them."""
    if type(key) in (str, int, float, bool, type(None)):
        return True
    return type(key) is tuple and depth < 4 and len(key) <= 16 and all(_plain_key(k, depth + 1) for k in key)


def to_doc(value, lenient=False, max_bytes=64 << 20, max_depth=32, keep=None):
    """(JSON-able tree, list of .npy blobs) for ``value``; WireError if it may not cross.

    ``keep`` (worker side): ``value -> (id, type name)``, called for each part that is not plain
    data, which then crosses as a handle instead of being refused."""
    encoder = _Encoder(lenient, max_bytes, max_depth, keep)
    try:
        doc = encoder.encode(value, [], 0)
    except RecursionError:
        raise WireError("value nests too deeply to encode")
    return doc, encoder.blobs


def from_doc(doc, blobs, max_depth=32, handle=None):
    """Rebuild a value from ``to_doc``'s output, re-validating every node (grader side).

    ``handle``: ``(id, type name) -> value`` for ``{"h": ...}`` nodes (a :class:`Handle` on the
    grader's side, the kept object on the worker's); without it a handle is refused."""
    arrays = [None] * len(blobs)

    def decode(node, depth):
        cls = type(node)
        if node is None or cls in (bool, int, float, str):
            return node
        if cls is not dict or len(node) != 1:
            raise WireError("malformed value: a %s node where a tagged object was expected" % cls.__name__)
        if depth >= max_depth:
            raise WireError("value nests deeper than %d levels" % max_depth)
        (tag, body), = node.items()
        if tag in ("l", "t") and type(body) is list:
            items = [decode(v, depth + 1) for v in body]
            return items if tag == "l" else tuple(items)
        if tag == "d" and type(body) is list:
            out = {}
            for pair in body:
                if type(pair) is not list or len(pair) != 2:
                    raise WireError("malformed dict entry")
                key = decode(pair[0], depth + 1)
                if not _plain_key(key):
                    raise WireError("dict key is a %s, expected str, int, float, bool or None, or a tuple of them"
                                    % type(key).__name__)
                out[key] = decode(pair[1], depth + 1)
            return out
        if tag == "f" and body in _NON_FINITE:
            return _NON_FINITE[body]
        if (tag == "h" and handle is not None and type(body) is list and len(body) == 2
                and type(body[0]) is int and 0 <= body[0] < 1 << 62 and type(body[1]) is str):
            return handle(body[0], body[1][:200])
        if tag == "a" and type(body) is int and 0 <= body < len(blobs):
            if arrays[body] is None:
                arrays[body] = load_array(blobs[body])
            return arrays[body]
        raise WireError("malformed value: unknown tag %r" % (tag,))

    try:
        return decode(doc, 0)
    except RecursionError:
        raise WireError("value nests too deeply to decode")


_NPY_MAGIC = b"\x93NUMPY\x01\x00"
_NPY_HEADER = re.compile(r"\{'descr': '([<>|=][biuf][0-9]{1,2})', 'fortran_order': False, 'shape': \(((?:[0-9]+, ?)*[0-9]*)\), \} *\n")


def save_array(array):
    """Bytes of an .npy (format 1.0) file; what ``np.save(..., allow_pickle=False)`` writes, faster."""
    if not array.flags.c_contiguous:
        array = array.copy(order="C")  # not ascontiguousarray: it turns 0-d into 1-d
    shape = "(%d,)" % array.shape[0] if array.ndim == 1 else "(%s)" % ", ".join("%d" % n for n in array.shape)
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (array.dtype.str, shape)
    pad = 64 - (len(_NPY_MAGIC) + 2 + len(header) + 1) % 64
    header = (header + " " * (pad % 64) + "\n").encode("latin1")
    return b"".join([_NPY_MAGIC, struct.pack("<H", len(header)), header, array.tobytes()])


def load_array(blob):
    """The array in an .npy blob written by ``save_array``; anything else is refused (no pickle, ever)."""
    blob = bytes(blob)
    if not blob.startswith(_NPY_MAGIC) or len(blob) < 10:
        raise WireError("array blob is not an .npy (format 1.0) file")
    (n,) = struct.unpack_from("<H", blob, 8)
    match = _NPY_HEADER.fullmatch(blob[10:10 + n].decode("latin1"))
    if match is None:
        raise WireError("array blob has an unexpected .npy header, expected a numeric or bool dtype in C order")
    dtype = np.dtype(match.group(1))
    shape = tuple(int(x) for x in match.group(2).replace(" ", "").split(",") if x)
    count = 1
    for dim in shape:
        count *= dim
    data = memoryview(blob)[10 + n:]  # no copy until the array's own
    if dtype.kind not in ARRAY_KINDS or len(data) != count * dtype.itemsize:
        raise WireError("array blob holds %d bytes, expected %d for shape %s and dtype %s" % (len(data), count * dtype.itemsize, shape, dtype))
    array = np.frombuffer(data, dtype=dtype).reshape(shape).copy()
    if type(array) is not np.ndarray:
        raise WireError("array blob did not decode to a plain ndarray")
    return array


def _reject_constant(name):
    raise WireError("non-standard JSON constant %s" % name)


# ---------------------------------------------------------------------------------------------
# Frames


def pack(message, blobs=()):
    """Bytes of one frame: ``message`` (a JSON-able dict) and its blobs."""
    header = dict(message)
    header["blobs"] = [len(b) for b in blobs]
    text = json.dumps(header, allow_nan=False, separators=(",", ":")).encode("utf-8")
    return b"".join([_HEADER.pack(len(text)), text] + list(blobs))


def _parse_header(text, max_bytes):
    try:
        header = json.loads(text.decode("utf-8"), parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise WireError("frame header is not valid JSON (%s)" % exc)
    if type(header) is not dict or type(header.get("blobs")) is not list:
        raise WireError("frame header is not an object with a blob list")
    lengths = header.pop("blobs")
    if not all(type(n) is int and n >= 0 for n in lengths) or sum(lengths) > max_bytes:
        raise WireError("frame announces blobs of %r bytes, more than the limit of %d" % (sum(n for n in lengths if type(n) is int), max_bytes))
    return header, lengths


class FrameBuffer:
    """Incremental frame parser for a non-blocking reader (the grader side)."""

    def __init__(self, max_bytes):
        self.max_bytes = max_bytes
        self.data = bytearray()
        self._header = None

    def feed(self, chunk):
        self.data += chunk

    def pop(self):
        """The next complete (message, blobs), or None if more bytes are needed."""
        if self._header is None:
            if len(self.data) < _HEADER.size:
                return None
            (n,) = _HEADER.unpack_from(self.data)
            if n > self.max_bytes:
                raise WireError("frame header announces %d bytes, more than the limit of %d" % (n, self.max_bytes))
            if len(self.data) < _HEADER.size + n:
                return None
            self._header = _parse_header(bytes(self.data[_HEADER.size:_HEADER.size + n]), self.max_bytes)
            del self.data[:_HEADER.size + n]
        message, lengths = self._header
        if len(self.data) < sum(lengths):
            return None
        blobs, at = [], 0
        with memoryview(self.data) as view:  # one copy per blob, not two
            for n in lengths:
                blobs.append(bytes(view[at:at + n]))
                at += n
        del self.data[:at]
        self._header = None
        return message, blobs


def read_frame(sock, max_bytes):
    """Blocking read of one frame from a socket; None at end of stream (the worker side)."""
    head = _read_exact(sock, _HEADER.size)
    if head is None:
        return None
    (n,) = _HEADER.unpack(head)
    if n > max_bytes:
        raise WireError("frame too large")
    message, lengths = _parse_header(_read_exact(sock, n) or b"", max_bytes)
    return message, [_read_exact(sock, k) if k else b"" for k in lengths]


def _read_exact(sock, n):
    parts, left = [], n
    while left:
        chunk = sock.recv(min(left, 1 << 20))
        if not chunk:
            return None
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)
