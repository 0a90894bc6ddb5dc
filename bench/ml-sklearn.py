#!/usr/bin/python3
"""
The scikit-learn peer of `npm run bench:ml`: on each split bench/ml.ts hands over, GridSearchCV over
KNN, decision tree, logistic regression and RBF SVC (5-fold, ROC-AUC) trains on the training part and
scores the test part. The TypeScript side computes every metric, so both sides are measured the same way.

    /usr/bin/python3 bench/ml-sklearn.py IN.json OUT.json

IN:  {"columns": [{"name", "kind"}], "values": {name: [...]}, "y": [...], "splits": [{"train": [...], "test": [...]}]}
OUT: {"sklearn": version, "splits": [{"families": {name: {"cvAuc", "params", "proba", "cpuMs", "wallMs"}}, "choice", "cpuMs", "wallMs"}]}

Single-threaded (n_jobs=1), like the TypeScript search. The SVC grid is searched on decision values
(ROC-AUC needs only a ranking); the winning configuration is then refitted with probability=True,
and that refit is timed with the rest.
"""
import json
import sys
import time

import numpy as np
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

GRIDS = {
    "knn": (lambda: KNeighborsClassifier(), {"n_neighbors": list(range(5, 61, 5)), "weights": ["uniform", "distance"]}),
    "tree": (lambda: DecisionTreeClassifier(random_state=0), {"max_depth": list(range(2, 11)), "min_samples_leaf": [1, 5, 10, 25]}),
    "logistic": (lambda: LogisticRegression(solver="liblinear"), {"C": [0.01, 0.03, 0.1, 0.3, 1, 3, 10], "penalty": ["l1", "l2"]}),
    "svc": (lambda: SVC(), {"C": [0.1, 0.3, 1, 3, 10], "gamma": ["scale", 0.01, 0.03, 0.1]}),
}


def main(src: str, dst: str) -> None:
    spec = json.load(open(src, encoding="utf-8"))
    names = [c["name"] for c in spec["columns"]]
    cat = [j for j, c in enumerate(spec["columns"]) if c["kind"] == "categorical"]
    num = [j for j, c in enumerate(spec["columns"]) if c["kind"] == "numeric"]
    # Categorical levels as integer codes, so one float matrix carries every column.
    cols = []
    for j, name in enumerate(names):
        v = spec["values"][name]
        if j in cat:
            levels = {lv: k for k, lv in enumerate(sorted(set(v)))}
            cols.append([levels[x] for x in v])
        else:
            cols.append(v)
    X = np.array(cols, dtype=float).T
    y = np.array(spec["y"], dtype=int)

    def prep():
        return ColumnTransformer([("cat", OneHotEncoder(handle_unknown="ignore"), cat), ("num", StandardScaler(), num)])

    out = []
    for split in spec["splits"]:
        tr = np.array(split["train"])
        te = np.array(split["test"])
        families = {}
        c0, w0 = time.process_time(), time.perf_counter()
        for name, (make, grid) in GRIDS.items():
            c1, w1 = time.process_time(), time.perf_counter()
            search = GridSearchCV(
                Pipeline([("prep", prep()), ("model", make())]),
                {f"model__{k}": v for k, v in grid.items()},
                cv=StratifiedKFold(5),
                scoring="roc_auc",
                n_jobs=1,
                refit=False,
            ).fit(X[tr], y[tr])
            params = {k.removeprefix("model__"): v for k, v in search.best_params_.items()}
            final = make().set_params(**params)
            if name == "svc":
                final.set_params(probability=True, random_state=0)
            fitted = Pipeline([("prep", prep()), ("model", final)]).fit(X[tr], y[tr])
            cpu, wall = time.process_time() - c1, time.perf_counter() - w1
            families[name] = {
                "cvAuc": float(search.best_score_),
                "params": params,
                "proba": fitted.predict_proba(X[te])[:, 1].tolist(),
                "cpuMs": cpu * 1000,
                "wallMs": wall * 1000,
                "candidates": len(search.cv_results_["params"]),
            }
        choice = max(families, key=lambda k: families[k]["cvAuc"])
        out.append({
            "families": families,
            "choice": choice,
            "cpuMs": (time.process_time() - c0) * 1000,
            "wallMs": (time.perf_counter() - w0) * 1000,
        })
    json.dump({"sklearn": sklearn.__version__, "numpy": np.__version__, "splits": out}, open(dst, "w", encoding="utf-8"))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
