"""Is MNIST-1D's test split drawn like its training split? (issue 3: validation and test disagree.)

A domain classifier (random forest, 5-fold cross-validated ROC AUC) tries to tell the generator's 4,000
training signals from its 1,000 test signals; AUC ~0.5 means it cannot, i.e. the splits are exchangeable
and a validation split carved from the training signals measures what the test split measures.

    python benchmarks/mnist1d_split_check.py        # ~2 minutes on one core
"""

from __future__ import annotations

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import cross_val_score

from archscout.data import mnist1d_arrays


def main() -> None:
    a = mnist1d_arrays()
    xtr, xte = a["x_train"].reshape(len(a["x_train"]), -1), a["x_test"].reshape(len(a["x_test"]), -1)
    x = np.vstack([xtr, xte])
    y = np.r_[np.zeros(len(xtr)), np.ones(len(xte))]
    auc = cross_val_score(RandomForestClassifier(200, n_jobs=1, random_state=0), x, y, cv=5, scoring="roc_auc")
    print(f"train {xtr.shape}, test {xte.shape}; class counts train {np.bincount(a['y_train']).tolist()}, "
          f"test {np.bincount(a['y_test']).tolist()}")
    print(f"mean/std: train {xtr.mean():.3f}/{xtr.std():.3f}, test {xte.mean():.3f}/{xte.std():.3f}")
    print(f"domain classifier ROC AUC (5-fold): {auc.mean():.3f} (folds {', '.join(f'{v:.3f}' for v in auc)})")


if __name__ == "__main__":
    main()
