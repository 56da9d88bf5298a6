"""The grader-side codec accepts plain data only, whatever the worker sends."""
import io
import json

import numpy as np
import pytest

from grader.sandbox import wire


def roundtrip(value):
    doc, blobs = wire.to_doc(value, lenient=True)
    return wire.from_doc(json.loads(json.dumps(doc)), blobs)


def test_plain_values_round_trip_exactly():
    value = {"a": [1, 2.5, None, True, "s"], "b": (float("inf"), -0.0), 3: np.arange(4)}
    got = roundtrip(value)
    assert got["a"] == value["a"] and got["b"] == value["b"] and type(got["b"]) is tuple
    assert type(got[3]) is np.ndarray and got[3].tolist() == [0, 1, 2, 3]


def test_a_pickled_object_array_is_refused():
    buf = io.BytesIO()
    np.save(buf, np.array([object()], dtype=object), allow_pickle=True)
    with pytest.raises(wire.WireError, match="unexpected .npy header"):
        wire.from_doc({"a": 0}, [buf.getvalue()])


def test_an_array_with_the_wrong_byte_count_is_refused():
    blob = wire.save_array(np.arange(4))
    with pytest.raises(wire.WireError, match="expected 32"):
        wire.from_doc({"a": 0}, [blob[:-8]])


@pytest.mark.parametrize("doc", [[1, 2], {"x": 1}, {"l": [1], "t": [2]}, {"a": 5}, {"f": "nope"}],
                         ids=["bare-list", "unknown-tag", "two-tags", "missing-blob", "bad-float"])
def test_malformed_documents_are_refused(doc):
    with pytest.raises(wire.WireError, match="malformed|unknown tag"):
        wire.from_doc(doc, [])


def test_nesting_and_size_limits_are_enforced():
    deep = []
    for _ in range(40):
        deep = [deep]
    with pytest.raises(wire.WireError, match="deeper than 32"):
        wire.to_doc(deep)
    with pytest.raises(wire.WireError, match="more than 100 bytes"):
        wire.to_doc(np.zeros(100), max_bytes=100)


def test_strict_encoding_refuses_what_lenient_encoding_converts():
    with pytest.raises(wire.WireError, match="is a numpy.float64, expected plain data"):
        wire.to_doc(np.float64(1.0))
    assert wire.to_doc(np.float64(1.0), lenient=True)[0] == 1.0


def test_a_frame_announcing_too_much_is_refused_before_reading_it():
    frames = wire.FrameBuffer(max_bytes=1000)
    frames.feed((10 ** 9).to_bytes(8, "big"))
    with pytest.raises(wire.WireError, match="more than the limit of 1000"):
        frames.pop()


def test_frames_split_across_reads_are_reassembled():
    data = wire.pack({"id": 1}, [b"abc"]) + wire.pack({"id": 2})
    frames = wire.FrameBuffer(max_bytes=1000)
    out = []
    for i in range(len(data)):
        frames.feed(data[i:i + 1])
        while (frame := frames.pop()) is not None:
            out.append(frame)
    assert out == [({"id": 1}, [b"abc"]), ({"id": 2}, [])]


def test_a_dict_subclass_and_tuple_keys_cross_as_a_plain_dict():
    import collections

    state = collections.defaultdict(list, {("rmsprop", "square_avg"): np.ones(2), "step": 3})
    ordered = collections.OrderedDict([("m", 1.5), ((0, ("v", 1)), None)])
    doc, blobs = wire.to_doc((state, ordered), lenient=True)
    back = wire.from_doc(doc, blobs)
    assert type(back[0]) is dict and back[0]["step"] == 3 and back[0][("rmsprop", "square_avg")].tolist() == [1.0, 1.0]
    assert back[1] == {"m": 1.5, (0, ("v", 1)): None}
    with pytest.raises(wire.WireError, match="key is a frozenset"):
        wire.to_doc({frozenset({1}): 1}, lenient=True)
    with pytest.raises(wire.WireError, match="expected plain data"):
        wire.to_doc(collections.defaultdict(list), lenient=False)  # the grader's own values stay exact
