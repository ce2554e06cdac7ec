import numpy as np
import pytest

from archscout.errors import ArchscoutError
from archscout.estimation.predictors import Encoder, graf_stats, path_stats
from archscout.spaces.nb201 import PATH_ENCODING_LENGTH, NB201Space

SPACE = NB201Space()
ALL_CONV3 = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|"
ONLY_SKIP = "|none~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|"


def test_path_encoding_length_and_bits_on_known_cells():
    assert PATH_ENCODING_LENGTH == 84 == len(SPACE.encode(SPACE.from_string(ALL_CONV3), "path"))
    v = SPACE.encode(SPACE.from_string(ALL_CONV3), "path")
    # paths 0->3, 0->1->3, 0->2->3, 0->1->2->3 read conv3, conv3-conv3 (twice), conv3-conv3-conv3;
    # live ops are indexed 0..3 (skip, conv1, conv3, pool): length-1 block at 0, length-2 at 4, length-3 at 20
    assert np.flatnonzero(v).tolist() == [2, 4 + 2 * 4 + 2, 20 + 2 * 16 + 2 * 4 + 2]
    assert np.flatnonzero(SPACE.encode(SPACE.from_string(ONLY_SKIP), "path")).tolist() == [0]
    assert SPACE.encode((0,) * 6, "path").sum() == 0


def test_path_stats_hand_computed():
    # vocabulary order: skip, conv1, conv3, pool; blocks: node counts, sum, max, min over paths; #paths, longest, shortest
    s = path_stats(SPACE, SPACE.from_string(ALL_CONV3))
    assert s[:4].tolist() == [0, 0, 6, 0]
    assert s[4:8].tolist() == [0, 0, 1 + 2 + 2 + 3, 0]
    assert s[8:12].tolist() == [0, 0, 3, 0] and s[12:16].tolist() == [0, 0, 1, 0]
    assert s[16:].tolist() == [4, 3, 1]
    s = path_stats(SPACE, SPACE.from_string(ONLY_SKIP))
    assert s[:4].tolist() == [1, 0, 0, 0] and s[16:].tolist() == [1, 1, 1]
    assert path_stats(SPACE, (0,) * 6)[16:].tolist() == [0, 0, 0]


MIXED = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"


def test_graf_stats_hand_computed():
    # 15 op sets in order {skip} {c1} {c3} {pool} {skip,c1} {skip,c3} {skip,pool} {c1,c3} {c1,pool} {c3,pool}
    # {skip,c1,c3} ... {all}; per set (#paths of ops in the set only, shortest, longest); then per op
    # (#inputs of the output, #readers of the input)
    g = graf_stats(SPACE, SPACE.from_string(MIXED)).reshape(-1)
    sets, degrees = g[:45].reshape(15, 3), g[45:].reshape(4, 2)
    # paths: skip (1 op), c3-c3 twice (0->1->3, 0->2->3), c3-c3-c3 (0->1->2->3)
    assert sets[0].tolist() == [1, 1, 1] and sets[1].tolist() == [0, -1, -1]
    assert sets[2].tolist() == [3, 2, 3] and sets[5].tolist() == [4, 1, 3] and sets[-1].tolist() == [4, 1, 3]
    assert degrees.tolist() == [[1, 1], [0, 0], [2, 2], [0, 0]]
    only_skip = graf_stats(SPACE, SPACE.from_string(ONLY_SKIP)).reshape(-1)
    assert only_skip[:3].tolist() == [1, 1, 1] and only_skip[6:9].tolist() == [0, -1, -1]
    empty = graf_stats(SPACE, (0,) * 6)
    assert (empty[:45].reshape(15, 3)[:, 0] == 0).all() and (empty[:45].reshape(15, 3)[:, 1:] == -1).all()


def test_equivalent_cells_get_equal_features():
    # edge 1<-0 feeds node 1, which reaches the output only through none edges: a dead edge
    dead = SPACE.from_string("|nor_conv_3x3~0|+|skip_connect~0|none~1|+|skip_connect~0|none~1|nor_conv_1x1~2|")
    assert SPACE.canonical(dead) != dead
    enc = Encoder(SPACE, ("onehot", "path", "pathstats", "graf"))
    assert np.array_equal(enc([dead]), enc([SPACE.canonical(dead)]))


def test_encoder_rejects_unknown_kind_and_foreign_archs():
    with pytest.raises(ArchscoutError, match="unknown encoding"):
        Encoder(SPACE, "bogus")
    enc = Encoder(SPACE, "onehot")
    with pytest.raises(ArchscoutError):
        enc([(0, 1, 2)])  # not a 6-edge cell


def test_chain_stats_hand_computed_and_depth_independent():
    from archscout.estimation.predictors import chain_stats
    from archscout.spaces.chain import ChainSpace

    chain = ChainSpace()
    a = chain.from_string("C(32,3,1) P(2,2) C(64,5,2) GAP FC(128)")
    s = chain_stats(chain, a)
    # depth, #conv, #pool, #stride-2, downsampling, log2 receptive field (1 + 2 + 1*1 + 4*2 = 12)
    assert s[:5].tolist() == [3, 2, 1, 1, 2] and s[5] == pytest.approx(np.log2(12))
    assert s[6:10].tolist() == [0, 1, 1, 0] and s[10:14].tolist() == [0, 1, 1, 0]  # filters 16..128, kernels 1..7
    assert s[14:18].tolist() == [5, 6, 6, 1]  # log2 first / last / widest filters, widening
    assert s[18:].tolist() == [1, 1, pytest.approx(np.log2(129))]
    # the same length at every depth, so a model fitted on shallow chains can score deeper ones
    deeper = chain.from_string("C(32,3,1) P(2,2) C(64,5,2) C(16,1,1) C(16,1,1) FLATTEN")
    assert len(chain_stats(chain, deeper)) == len(s) and chain_stats(chain, deeper)[17] == 0
    enc = Encoder(chain, ("onehot", "chainstats"))
    assert enc([a, deeper]).shape == (2, len(chain.encode(a)) + len(s))
    with pytest.raises(ArchscoutError, match="unknown encoding"):
        Encoder(SPACE, "chainstats")
