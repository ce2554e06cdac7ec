import numpy as np
import pytest

from archscout.benchmarks import Table, get_benchmark, nb201
from archscout.benchmarks.tabular import TabularBenchmark
from archscout.errors import ArchscoutError
from archscout.spaces import NB201Space

BEST_C10 = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"
FIRST = "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|"


def test_bundled_table_matches_published_values(nb201_bench):
    b = nb201_bench
    s = b.space
    assert b.lookup(s.from_string(FIRST), "cifar10") == pytest.approx(85.8633)
    assert b.lookup(s.from_string(FIRST), "cifar100") == pytest.approx(52.9133)
    assert b.values("cifar10").max() == pytest.approx(94.3733)
    assert b.values("cifar100").max() == pytest.approx(73.5133)
    assert len(b.values("cifar10")) == 15625
    # the low fidelity
    assert b.lookup(s.from_string(FIRST), "cifar10_valid", epochs=12) == pytest.approx(63.364)
    assert b.columns(12) == ["cifar10_valid", "cifar10_test", "cifar100_valid", "cifar100_test"]


def test_query_counts_cost_lookup_does_not():
    b = nb201()
    a = b.space.from_string(BEST_C10)
    b.lookup(a, "cifar10")
    assert b.cost.queries == 0
    b.query(a, "cifar10")
    b.query(a, "cifar10_valid", epochs=12)
    assert b.cost.queries == 2 and b.cost.epochs == 212 and b.cost.seconds is None


def test_user_table_with_seconds_and_canonical_lookup(tmp_path):
    space = NB201Space()
    canon = space.to_string(space.canonical(space.from_string(FIRST)))
    p = tmp_path / "mine.csv"
    p.write_text(f"arch,acc,acc_seconds\n{canon},77.5,3600\n")
    b = TabularBenchmark(space, [Table.from_csv(p, space, epochs=50)])
    # a cell equal to the canonical one up to dead edges is found by its class
    assert b.query(space.from_string(FIRST), "acc") == 77.5
    assert b.cost.epochs == 50 and b.cost.seconds == 3600
    assert b.columns() == ["acc"]


@pytest.mark.parametrize(
    "content, words",
    [
        ("name,acc\nx,1\n", "no 'arch' column"),
        (f"arch,acc\n{FIRST},high\n", "column 'acc' holds 'high', not a number"),
        (f"arch,acc\n{FIRST},1,2\n", "3 fields"),
        ("arch,acc\n|bad~0|+|none~0|none~1|+|none~0|none~1|none~2|,1\n", "unknown op 'bad'"),
        ("", "is empty"),
        ("arch,acc\n", "no rows"),
        ("arch\n" + FIRST + "\n", "no value columns"),
        (f"arch,acc\n{FIRST},1\n{FIRST},2\n", "more than once"),
        (f"arch,acc\n{FIRST},inf\n", "infinite"),
    ],
)
def test_bad_tables_fail_with_one_clear_error(tmp_path, content, words):
    p = tmp_path / "t.csv"
    p.write_text(content)
    with pytest.raises(ArchscoutError, match=words):
        nb201(table=p)


def test_unknown_column_and_missing_values(tmp_path):
    b = nb201()
    with pytest.raises(ArchscoutError, match="unknown dataset column 'imagenet'.*cifar10, cifar100"):
        b.check_column("imagenet")
    with pytest.raises(ArchscoutError, match="no table at 50 epochs"):
        b.lookup(b.space.from_string(FIRST), "cifar10", epochs=50)
    p = tmp_path / "t.csv"
    p.write_text(f"arch,acc\n{FIRST},\n")
    with pytest.raises(ArchscoutError, match="no 'acc' value"):
        nb201(table=p).lookup(NB201Space().from_string(FIRST), "acc")
    with pytest.raises(ArchscoutError, match="does not exist"):
        nb201(table=p.with_name("missing.csv"))
    with pytest.raises(ArchscoutError, match="unknown benchmark"):
        get_benchmark("nb101")


def test_shared_table_reads_like_bundled(shared_data):
    b = nb201(table=shared_data / "nb201" / "test_accuracy.csv")
    bundled = nb201()
    rng = np.random.default_rng(1)
    for _ in range(20):
        a = b.space.sample(rng)
        assert b.lookup(a, "cifar100") == bundled.lookup(a, "cifar100")


def _lofi_csv(path, rows):
    """A table in `bench build-table`'s format: arch, test/valid accuracy, seconds, 3 epochs of valid curves."""
    lines = ["arch,cifar10,cifar10_valid,cifar10_seconds,params,valid_epoch_1,valid_epoch_2,valid_epoch_3"]
    lines += [f"{a},{t},{v},{sec},1000,{c[0]},{c[1]},{c[2]}" for a, t, v, sec, c in rows]
    path.write_text("\n".join(lines) + "\n")


def test_lofi_benchmark_reads_curves_and_searches_only_its_cells(tmp_path):
    from archscout.benchmarks.tabular import nb201_lofi

    space = NB201Space()
    a, b = FIRST, BEST_C10
    p = tmp_path / "table.csv"
    _lofi_csv(p, [(a, 40.0, 41.0, 30.0, (20.0, 35.0, 41.0)), (b, 50.0, 52.0, 60.0, (30.0, 45.0, 52.0))])
    bench = get_benchmark("nb201_lofi", p)
    assert bench.name == "nb201_lofi" and bench.max_epochs == 3
    assert set(bench.curves) == {a, b}
    np.testing.assert_allclose(bench.curves[b], [30.0, 45.0, 52.0])
    sp = bench.search_space("cifar10")
    assert sp.size() == 2  # a partial table: the search never proposes an untrained cell
    assert bench.query(space.from_string(b), "cifar10") == 50.0
    assert bench.cost.epochs == 3 and bench.cost.seconds == 60.0
    assert nb201_lofi(p, epochs=12).max_epochs == 12


def test_bundled_lofi_table_when_installed():
    from archscout.benchmarks.tabular import LOFI_FILE, _bundled

    if not _bundled(LOFI_FILE).exists():
        pytest.skip("low-fidelity table not bundled")
    bench = get_benchmark("nb201_lofi")
    vals = bench.values("cifar10")
    assert len(vals) >= 300 and 10 <= vals.min() < vals.max() < 100  # 10%: a cell with no path to its output
    assert len(bench.curves) == len(vals)
    assert all(len(c) == bench.max_epochs for c in bench.curves.values())
    # every trained cell is a valid NB201 cell and its FLOPs/params columns are positive
    assert (bench.values("params") > 0).all() and (bench.values("flops") > 0).all()
    # the plan: 300 random cells + NB201's 10 best, a second seed for 50 of them
    assert len(vals) == 310 and len(bench.values("cifar10_seed1")) == 50
    # the low-fidelity accuracy is a (weak) proxy of the 200-epoch one: measured Spearman ~0.47, well above 0
    from scipy.stats import spearmanr

    full = get_benchmark("nb201")
    lo = [bench.lookup(a, "cifar10") for a in bench.archs()]
    hi = [full.lookup(a, "cifar10") for a in bench.archs()]
    assert spearmanr(lo, hi)[0] > 0.3
