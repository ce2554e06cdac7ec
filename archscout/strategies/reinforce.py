"""REINFORCE over the architecture decisions (Williams 1992; the NAS-Bench-201 / MetaQNN-era baseline)."""

from __future__ import annotations

import numpy as np

from archscout.spaces.base import Arch, SearchSpace
from archscout.strategies.base import ArchSampler, History


class ReinforceSampler(ArchSampler):
    """An independent softmax per decision, trained by policy gradient with a moving-average baseline.

    After each finished trial: advantage = reward - baseline, logits += lr * advantage *
    (onehot(choice) - softmax(logits)) with Adam, then baseline <- momentum * baseline +
    (1 - momentum) * reward. The policy is rebuilt by replaying the study's history in order, so it
    needs no state of its own and resumes exactly.
    """

    def __init__(
        self,
        space: SearchSpace,
        learning_rate: float = 0.1,
        baseline_momentum: float = 0.9,
        seed: int | None = None,
    ) -> None:
        super().__init__(space, seed=seed, unique=False)
        self.learning_rate = learning_rate
        self.baseline_momentum = baseline_momentum
        self._choices = {name: list(c) for name, c in space.decisions().items()}
        self._state: dict | None = None

    def policy(self, history: History) -> dict[str, np.ndarray]:
        """Softmax probabilities per decision after replaying `history`.

        The replay state is kept for the longest prefix already replayed (history only grows), so a
        proposal costs one update, not a replay of the whole history; a resumed study replays once.
        """
        numbers = [t.number for t in history.trials] if history.trials else None
        st = self._state
        if st is None or numbers is None or st["numbers"] != numbers[: len(st["numbers"])]:
            st = {
                "numbers": [],
                "logits": {n: np.zeros(len(c)) for n, c in self._choices.items()},
                "m": {n: np.zeros(len(c)) for n, c in self._choices.items()},
                "v": {n: np.zeros(len(c)) for n, c in self._choices.items()},
                "baseline": None,
                "scale": None,
                "step": 0,
            }
        b1, b2, eps = 0.9, 0.999, 1e-8
        logits, m, v = st["logits"], st["m"], st["v"]
        start = len(st["numbers"]) if numbers is not None else 0
        for arch, reward in zip(history.archs[start:], history.values[start:]):
            st["step"] += 1
            step = st["step"]
            if st["baseline"] is None:
                st["baseline"] = reward
                continue
            adv = reward - st["baseline"]
            # scale-free: rewards in % or in [0, 1] behave the same
            st["scale"] = abs(adv) if st["scale"] is None else 0.9 * st["scale"] + 0.1 * abs(adv)
            adv = adv / (st["scale"] + 1e-12)
            params = self.space.to_params(arch)
            for n, choices in self._choices.items():
                p = _softmax(logits[n])
                onehot = np.zeros(len(choices))
                onehot[choices.index(params[n])] = 1.0
                g = -adv * (onehot - p)  # gradient of -log pi * adv
                m[n] = b1 * m[n] + (1 - b1) * g
                v[n] = b2 * v[n] + (1 - b2) * g * g
                mhat = m[n] / (1 - b1**step)
                vhat = v[n] / (1 - b2**step)
                logits[n] -= self.learning_rate * mhat / (np.sqrt(vhat) + eps)
            st["baseline"] = self.baseline_momentum * st["baseline"] + (1 - self.baseline_momentum) * reward
        if numbers is not None:
            st["numbers"] = numbers
            self._state = st
        return {n: _softmax(lg) for n, lg in logits.items()}

    def propose(self, history: History, rng: np.random.Generator, study, trial) -> Arch:
        probs = self.policy(history)
        params = {n: self._choices[n][int(rng.choice(len(p), p=p))] for n, p in probs.items()}
        return self.space.from_params(params)


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max())
    return e / e.sum()
