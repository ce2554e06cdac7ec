"""The 11 parametric learning-curve families of Domhan, Springenberg & Hutter (IJCAI 2015, Table 1).

Every family is a numpy function ``f(x, *params)`` that broadcasts: ``x`` of shape ``(n,)`` and each
parameter of shape ``(s, 1)`` give ``(s, n)``, so thousands of posterior samples are evaluated in
one call (that is what makes the fast mode and the vectorised emcee sampler cheap).

Curves are fitted in a normalised space ``z`` in which "better" is larger and the metric's plausible
range is about [0, 1] (see :mod:`archscout.estimation.curves.lce`), so the parameter boxes below are
fixed. ``x`` is the epoch, >= 1.

Maximum-likelihood initialisation uses *variable projection*: most families are linear in some of
their parameters once the others are fixed (e.g. ``pow3 = c - a * x**-alpha`` is linear in ``c, a``
for fixed ``alpha``). A grid over the nonlinear parameters, with the linear ones solved in closed
form for every grid point at once, finds the global least-squares optimum to grid precision in a
single vectorised step; a short local refinement (scipy ``least_squares``) polishes it.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

Array = np.ndarray
MAX_INIT_POINTS = 30

# --- formulas ---------------------------------------------------------------------------------------


def _pos(v: Array) -> Array:
    return np.maximum(v, 1e-12)


def vap(x: Array, a: Array, b: Array, c: Array) -> Array:
    """Vapour pressure: exp(a + b/x + c log x)."""
    return np.exp(np.clip(a + b / x + c * np.log(x), -50.0, 50.0))


def pow3(x: Array, c: Array, a: Array, alpha: Array) -> Array:
    """c - a x^(-alpha)."""
    return c - a * x ** (-alpha)


def loglog_linear(x: Array, a: Array, b: Array) -> Array:
    """log(a log x + b)."""
    return np.log(_pos(a * np.log(x) + b))


def hill3(x: Array, ymax: Array, eta: Array, kappa: Array) -> Array:
    """Hill equation: ymax x^eta / (kappa^eta + x^eta)."""
    return ymax / (1.0 + (_pos(kappa) / x) ** eta)


def log_power(x: Array, a: Array, b: Array, c: Array) -> Array:
    """a / (1 + (x / e^b)^c)."""
    return a / (1.0 + np.exp(np.clip(c * (np.log(x) - b), -50.0, 50.0)))


def pow4(x: Array, c: Array, a: Array, b: Array, alpha: Array) -> Array:
    """c - (a x + b)^(-alpha)."""
    return c - _pos(a * x + b) ** (-alpha)


def mmf(x: Array, alpha: Array, beta: Array, kappa: Array, delta: Array) -> Array:
    """Morgan-Mercer-Flodin: alpha - (alpha - beta) / (1 + (kappa x)^delta)."""
    return alpha - (alpha - beta) / (1.0 + (_pos(kappa) * x) ** delta)


def exp4(x: Array, c: Array, a: Array, b: Array, alpha: Array) -> Array:
    """c - exp(-a x^alpha + b)."""
    return c - np.exp(np.clip(-a * x**alpha + b, -50.0, 50.0))


def janoschek(x: Array, alpha: Array, beta: Array, kappa: Array, delta: Array) -> Array:
    """alpha - (alpha - beta) exp(-kappa x^delta)."""
    return alpha - (alpha - beta) * np.exp(-kappa * x**delta)


def weibull(x: Array, alpha: Array, beta: Array, kappa: Array, delta: Array) -> Array:
    """alpha - (alpha - beta) exp(-(kappa x)^delta)."""
    return alpha - (alpha - beta) * np.exp(-((_pos(kappa) * x) ** delta))


def ilog2(x: Array, c: Array, a: Array) -> Array:
    """c - a / log(x + 1). The paper writes log x; the +1 keeps epoch 1 finite (as Domhan's code does)."""
    return c - a / np.log(x + 1.0)


# --- families with boxes and ML initialisation ------------------------------------------------------


@dataclass(frozen=True)
class Family:
    """A curve family: formula, parameter names, box prior (in normalised units) and an init grid.

    ``linear`` names the parameters the formula is linear in (given the others): the initialiser
    solves them in closed form via ``basis``, which returns, for the nonlinear parameters on a grid,
    the columns ``B`` (shape (g, n, k)) and offset ``o`` such that f = o + B @ linear_params.
    """

    name: str
    func: Callable[..., Array]
    params: tuple[str, ...]
    lower: tuple[float, ...]
    upper: tuple[float, ...]
    grid: dict[str, Array]
    basis: Callable[[Array, dict[str, Array]], tuple[Array, Array]]
    linear: tuple[str, ...]

    @property
    def n_params(self) -> int:
        return len(self.params)

    def __call__(self, x: Array, theta: Array) -> Array:
        """Values at ``x`` for a batch of parameter vectors ``theta`` (shape (s, p)) -> (s, n)."""
        theta = np.atleast_2d(theta)
        with np.errstate(all="ignore"):
            return self.func(np.asarray(x, float)[None, :], *(theta[:, j : j + 1] for j in range(self.n_params)))


def _g(lo: float, hi: float, n: int, log: bool = False) -> Array:
    return np.geomspace(lo, hi, n) if log else np.linspace(lo, hi, n)


_MESH_CACHE: dict[int, dict[str, Array]] = {}


def _mesh(grid: dict[str, Array]) -> dict[str, Array]:
    """All grid combinations (cached per grid: the init runs once per curve, the grid never changes)."""
    cached = _MESH_CACHE.get(id(grid))
    if cached is not None:
        return cached
    names = list(grid)
    combos = np.array(list(itertools.product(*(grid[k] for k in names))), dtype=float).reshape(-1, len(names))
    out = {k: combos[:, i] for i, k in enumerate(names)}
    _MESH_CACHE[id(grid)] = out
    return out


def _b_pow3(x, g):
    # c - a x^-alpha = c * 1 + a * (-x^-alpha)
    xa = x[None, :] ** (-g["alpha"][:, None])
    return np.zeros_like(xa), np.stack([np.ones_like(xa), -xa], axis=-1)


def _b_hill3(x, g):
    col = 1.0 / (1.0 + (g["kappa"][:, None] / x[None, :]) ** g["eta"][:, None])
    return np.zeros_like(col), col[..., None]


def _b_log_power(x, g):
    col = 1.0 / (1.0 + np.exp(np.clip(g["c"][:, None] * (np.log(x)[None, :] - g["b"][:, None]), -50, 50)))
    return np.zeros_like(col), col[..., None]


def _b_pow4(x, g):
    col = np.maximum(g["a"][:, None] * x[None, :] + g["b"][:, None], 1e-12) ** (-g["alpha"][:, None])
    return -col, np.ones_like(col)[..., None]


def _b_mmf(x, g):
    gg = 1.0 / (1.0 + (g["kappa"][:, None] * x[None, :]) ** g["delta"][:, None])
    return np.zeros_like(gg), np.stack([1.0 - gg, gg], axis=-1)


def _b_exp4(x, g):
    e = np.exp(np.clip(-g["a"][:, None] * x[None, :] ** g["alpha"][:, None], -50, 50))
    # c - e^b * e  -> linear in c and (e^b); b recovered as log
    return np.zeros_like(e), np.stack([np.ones_like(e), -e], axis=-1)


def _b_janoschek(x, g):
    e = np.exp(-g["kappa"][:, None] * x[None, :] ** g["delta"][:, None])
    return np.zeros_like(e), np.stack([1.0 - e, e], axis=-1)


def _b_weibull(x, g):
    e = np.exp(-((g["kappa"][:, None] * x[None, :]) ** g["delta"][:, None]))
    return np.zeros_like(e), np.stack([1.0 - e, e], axis=-1)


def _b_linear(cols: Callable[[Array], list[Array]]) -> Callable[[Array, dict[str, Array]], tuple[Array, Array]]:
    def basis(x, g):
        c = np.stack(cols(x), axis=-1)[None]
        return np.zeros((1, len(x))), c

    return basis


FAMILIES: dict[str, Family] = {
    f.name: f
    for f in [
        Family("vap", vap, ("a", "b", "c"), (-10, -20, -3), (5, 20, 3), {},
               # linear in (a, b, c) on log z: ml_init fits it there
               _b_linear(lambda x: [np.ones_like(x), 1.0 / x, np.log(x)]), ("a", "b", "c")),
        Family("pow3", pow3, ("c", "a", "alpha"), (-1, -5, 0.01), (3, 5, 5),
               {"alpha": _g(0.02, 4, 40, log=True)}, _b_pow3, ("c", "a")),
        Family("loglog_linear", loglog_linear, ("a", "b"), (-5, 0), (5, 10), {},  # linear on exp z
               _b_linear(lambda x: [np.log(x), np.ones_like(x)]), ("a", "b")),
        Family("hill3", hill3, ("ymax", "eta", "kappa"), (-1, 0.01, 0.01), (3, 10, 500),
               {"eta": _g(0.05, 8, 16, log=True), "kappa": _g(0.05, 300, 20, log=True)}, _b_hill3, ("ymax",)),
        Family("log_power", log_power, ("a", "b", "c"), (-1, -5, -10), (3, 10, 0),
               {"b": _g(-3, 7, 20), "c": -_g(0.05, 8, 16, log=True)}, _b_log_power, ("a",)),
        Family("pow4", pow4, ("c", "a", "b", "alpha"), (-1, 1e-4, -5, 0.01), (3, 50, 50, 5),
               {"a": _g(0.01, 30, 10, log=True), "b": np.array([-0.5, 0.0, 1.0, 3.0, 10.0]),
                "alpha": _g(0.05, 4, 10, log=True)}, _b_pow4, ("c",)),
        Family("mmf", mmf, ("alpha", "beta", "kappa", "delta"), (-1, -3, 1e-3, 0.01), (3, 3, 10, 10),
               {"kappa": _g(0.005, 5, 20, log=True), "delta": _g(0.1, 8, 15, log=True)}, _b_mmf, ("alpha", "beta")),
        Family("exp4", exp4, ("c", "a", "b", "alpha"), (-1, 1e-4, -10, 0.01), (3, 10, 5, 3),
               {"a": _g(0.002, 5, 20, log=True), "alpha": _g(0.1, 2.5, 15, log=True)}, _b_exp4, ("c", "b")),
        Family("janoschek", janoschek, ("alpha", "beta", "kappa", "delta"), (-1, -3, 1e-4, 0.01), (3, 3, 10, 5),
               {"kappa": _g(0.002, 5, 20, log=True), "delta": _g(0.1, 3, 15, log=True)}, _b_janoschek,
               ("alpha", "beta")),
        Family("weibull", weibull, ("alpha", "beta", "kappa", "delta"), (-1, -3, 1e-4, 0.01), (3, 3, 10, 5),
               {"kappa": _g(0.002, 5, 20, log=True), "delta": _g(0.1, 3, 15, log=True)}, _b_weibull,
               ("alpha", "beta")),
        Family("ilog2", ilog2, ("c", "a"), (-1, -5), (3, 5), {},
               _b_linear(lambda x: [np.ones_like(x), -1.0 / np.log(x + 1.0)]), ("c", "a")),
    ]
}

FAMILY_NAMES: tuple[str, ...] = tuple(FAMILIES)


def _lstsq_batch(B: Array, r: Array, ridge: float = 1e-9) -> Array:
    """Solve min ||B_g w - r||^2 for every grid point g at once. B: (g, n, k), r: (g, n) -> (g, k)."""
    BtB = np.einsum("gnk,gnl->gkl", B, B) + ridge * np.eye(B.shape[-1])[None]
    Btr = np.einsum("gnk,gn->gk", B, r)
    return np.linalg.solve(BtB, Btr[..., None])[..., 0]


def ml_init(fam: Family, x: Array, z: Array) -> tuple[Array, float]:
    """Grid + closed-form linear parameters: least-squares parameters of one family and their SSE."""
    x = np.asarray(x, float)
    z = np.asarray(z, float)
    x_all, z_all = x, z
    if x.size > MAX_INIT_POINTS:  # the grid search sees an evenly spread subset; the SSE uses all points
        keep = np.unique(np.round(np.linspace(0, x.size - 1, MAX_INIT_POINTS)).astype(int))
        x, z = x[keep], z[keep]
    lo, hi = np.array(fam.lower), np.array(fam.upper)
    if fam.name in ("vap", "loglog_linear"):
        # linear after a transform of z: log z = a + b/x + c log x; exp z = a log x + b
        zz = np.log(np.maximum(z, 1e-3)) if fam.name == "vap" else np.exp(np.minimum(z, 30.0))
        B = fam.basis(x, {})[1][0]
        w = np.linalg.lstsq(B, zz, rcond=None)[0]
        theta = np.clip(w, lo, hi)[None]
    else:
        grid = _mesh(fam.grid) if fam.grid else {}
        offset, B = fam.basis(x, grid)
        wlin = _lstsq_batch(np.broadcast_to(B, (max(offset.shape[0], B.shape[0]),) + B.shape[1:]),
                            np.broadcast_to(z[None, :] - offset, (max(offset.shape[0], B.shape[0]), len(x))))
        G = wlin.shape[0]
        theta = np.zeros((G, fam.n_params))
        lin = list(fam.linear)
        for j, p in enumerate(fam.params):
            if p in lin:
                v = wlin[:, lin.index(p)]
                if fam.name == "exp4" and p == "b":
                    v = np.log(np.maximum(v, 1e-12))
                theta[:, j] = v
            else:
                theta[:, j] = grid[p]
        theta = np.clip(theta, lo, hi)
    pred = fam(x, theta)
    d2 = (pred - z[None, :]) ** 2
    sse = np.sum(d2, axis=1)
    nan = np.isnan(sse)
    if nan.any():  # same as nansum over all rows, without copying the rows that have no NaN
        sse[nan] = np.nansum(d2[nan], axis=1)
    sse[~np.isfinite(sse)] = np.inf
    best = int(np.argmin(sse))
    r = fam(x_all, theta[best])[0] - z_all
    return theta[best], float(r @ r) if np.all(np.isfinite(r)) else math.inf


def refine(fam: Family, x: Array, z: Array, theta0: Array, max_nfev: int = 60) -> tuple[Array, float]:
    """Polish an initial fit with bounded least squares; keeps the start if refinement fails."""
    from scipy.optimize import least_squares

    lo, hi = np.array(fam.lower, float), np.array(fam.upper, float)
    start = np.clip(theta0, lo + 1e-9 * (hi - lo), hi - 1e-9 * (hi - lo))

    def resid(t: Array) -> Array:
        r = fam(x, t)[0] - z
        return np.where(np.isfinite(r), r, 1e3)

    r0 = resid(start)
    try:
        res = least_squares(resid, start, bounds=(lo, hi), max_nfev=max_nfev, method="trf")
    except (ValueError, np.linalg.LinAlgError):
        return start, float(r0 @ r0)
    sse = float(res.fun @ res.fun)
    if not np.isfinite(sse) or sse > float(r0 @ r0):
        return start, float(r0 @ r0)
    return res.x, sse
