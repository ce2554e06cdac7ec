import csv

import numpy as np
import pytest

from archscout.errors import ArchscoutError
from archscout.spaces import NB201Space, get_space
from archscout.spaces.nb201 import OPS, PATH_ENCODING_LENGTH

SPACE = NB201Space()
BEST_C10 = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"


def test_string_round_trip_on_every_cell():
    archs = list(SPACE.enumerate())
    assert len(archs) == 15625 == SPACE.size()
    for a in archs[::97]:
        assert SPACE.from_string(SPACE.to_string(a)) == a
    assert SPACE.to_string(SPACE.from_string(BEST_C10)) == BEST_C10


def test_strings_match_the_published_table(shared_data):
    with open(shared_data / "nb201" / "test_accuracy.csv") as fh:
        rows = [r[0] for r in list(csv.reader(fh))[1:]]
    assert {SPACE.to_string(SPACE.from_string(r)) for r in rows} == set(rows)
    assert len(rows) == 15625


def test_canonical_form_gives_9445_classes_matching_the_zero_cost_keys(shared_data):
    classes = {SPACE.to_string(SPACE.canonical(a)) for a in SPACE.enumerate()}
    assert len(classes) == 9445
    with open(shared_data / "nb201" / "zero_cost_cifar10.csv") as fh:
        keys = {r[0] for r in list(csv.reader(fh))[1:]}
    assert keys == classes


def test_canonical_removes_dead_edges_only():
    # node 1 feeds nothing that reaches the output -> edge 1<-0 is dead
    a = SPACE.from_string("|nor_conv_3x3~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|")
    assert SPACE.to_string(SPACE.canonical(a)) == "|none~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|"
    # a chain 0->1->2->3 is all live
    chain = SPACE.from_string("|nor_conv_1x1~0|+|none~0|avg_pool_3x3~1|+|none~0|none~1|nor_conv_3x3~2|")
    assert SPACE.canonical(chain) == chain
    # idempotent
    for a in list(SPACE.enumerate())[::311]:
        c = SPACE.canonical(a)
        assert SPACE.canonical(c) == c
    assert not SPACE.is_connected(SPACE.from_string("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"))


@pytest.mark.parametrize(
    "text, words",
    [
        ("|conv_5x5~0|+|none~0|none~1|+|none~0|none~1|none~2|", "unknown op 'conv_5x5'"),
        ("|none~0|+|none~0|none~1|", "3 node groups"),
        ("|none~0|+|none~0|+|none~0|none~1|none~2|", "node 2 needs 2 inputs"),
        ("|none~1|+|none~0|none~1|+|none~0|none~1|none~2|", "should come from node 0"),
        ("none~0+|none~0|none~1|+|none~0|none~1|none~2|", "wrapped in '|'"),
        ("|none|+|none~0|none~1|+|none~0|none~1|none~2|", "bad edge"),
    ],
)
def test_malformed_strings_name_the_problem(text, words):
    with pytest.raises(ArchscoutError, match=words.replace("|", r"\|")):
        SPACE.from_string(text)


def test_mutation_and_neighbours_stay_in_space_and_change_one_edge():
    rng = np.random.default_rng(0)
    for _ in range(200):
        a = SPACE.sample(rng)
        m = SPACE.mutate(a, rng)
        assert sum(x != y for x, y in zip(a, m)) == 1
        assert all(0 <= o < len(OPS) for o in m)
    nb = SPACE.neighbours(a)
    assert len(nb) == 24 == len(set(nb))
    assert all(sum(x != y for x, y in zip(a, n)) == 1 for n in nb)


def test_encodings_on_known_cells():
    best = SPACE.from_string(BEST_C10)
    onehot = SPACE.encode(best, "onehot").reshape(6, 5)
    assert onehot.sum() == 6 and onehot[0, OPS.index("nor_conv_3x3")] == 1 and onehot[3, OPS.index("skip_connect")] == 1
    path = SPACE.encode(best, "path")
    assert path.shape == (PATH_ENCODING_LENGTH,) == (84,)
    # paths: skip (0->3); conv3,conv3 (0->1->3); conv3,conv3 (0->2->3); conv3,conv3,conv3 (0->1->2->3)
    assert path.sum() == 3
    allnone = SPACE.from_string("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|")
    assert SPACE.encode(allnone, "path").sum() == 0
    adj = SPACE.encode(best, "adjacency")
    assert adj.shape == (28 + 30,)
    with pytest.raises(ArchscoutError, match="unknown encoding"):
        SPACE.encode(best, "graph2vec")


def test_params_round_trip_and_registry():
    a = SPACE.from_string(BEST_C10)
    assert SPACE.from_params(SPACE.to_params(a)) == a
    assert isinstance(get_space("nb201"), NB201Space)
    with pytest.raises(ArchscoutError, match="unknown search space"):
        get_space("nb301")
    with pytest.raises(ArchscoutError, match="missing"):
        SPACE.from_params({})
