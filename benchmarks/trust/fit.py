"""Fit the answer models on the TUNING part of the trust set and write bot/answer/trust_model.json.

1. Sentence ranker: for every answerable tuning question and conversation turn, each retrieved
   sentence is a positive when it contains one of the fact strings and comes from the expected
   document.
2. Answerability: one row per tuning question or turn (answerable = 1; unknown, declined turns and
   off-topic = 0) with the question-level features of bot.answer.decision, scored with the ranker.
   The threshold is the one with the lowest sum of false-refusal and false-answer rates on the
   out-of-fold probabilities (each row scored by a model fitted without it).
3. Scope: off-topic (1) against everything else (0), for the wording of declines.

The L2 strength of each model is chosen by 5-fold cross-validation inside the tuning part. The
held-out part is never read. Run: ``python -m benchmarks.trust.fit [--data-dir DIR]`` on an index
of the current knowledge base (``digitalteam ingest`` first).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import numpy as np

from benchmarks.trust.data import EvalSet, load
from benchmarks.trust.evaluate import _norm
from bot.answer.decision import DECISION_FEATURES
from bot.answer.evidence import SENTENCE_FEATURES
from bot.answer.logistic import DEFAULT_MODEL, LogisticModel, TrustModel, zero_model
from bot.context import AppContext, build_context
from bot.settings import Settings
from bot.understand.followup import PreviousTurn

SCOPE_FEATURES = (
    "domain",
    "offtopic_words",
    "top_dense",
    "coverage",
    "unknown_share",
    "best_sim",
    "offtopic_sim",
)
LAMBDAS = (0.03, 0.1, 0.3, 1.0, 3.0, 10.0)


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression by Newton's method on standardised features."""
    n, d = x.shape
    w = np.zeros(d)
    b = 0.0
    for _ in range(50):
        z = np.clip(x @ w + b, -30, 30)
        p = 1.0 / (1.0 + np.exp(-z))
        g_w = x.T @ (p - y) / n + l2 * w / n
        g_b = float(np.mean(p - y))
        s = p * (1 - p)
        h_ww = (x.T * s) @ x / n + l2 * np.eye(d) / n
        h_wb = x.T @ s / n
        h_bb = float(np.mean(s)) + 1e-9
        hessian = np.block([[h_ww, h_wb[:, None]], [h_wb[None, :], np.array([[h_bb]])]])
        step = np.linalg.solve(hessian + 1e-9 * np.eye(d + 1), np.concatenate([g_w, [g_b]]))
        w -= step[:d]
        b -= float(step[d])
        if np.max(np.abs(step)) < 1e-7:
            break
    return w, b


def fit_listwise(
    x: np.ndarray, y: np.ndarray, groups: np.ndarray, l2: float, steps: int = 400
) -> np.ndarray:
    """Softmax ranking per question: maximise the probability mass of the positive sentences.

    For each question the sentences compete in one softmax; the loss is minus the log of the
    share that falls on sentences containing a fact. Adam on standardised features, L2 penalty.
    """
    w = np.zeros(x.shape[1])
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    ids = np.unique(groups)
    members = [np.flatnonzero(groups == g) for g in ids]
    members = [idx for idx in members if y[idx].any()]
    for t in range(1, steps + 1):
        grad = l2 * w
        for idx in members:
            s = x[idx] @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            pos = y[idx] > 0
            r = np.zeros_like(p)
            r[pos] = p[pos] / p[pos].sum()
            grad += (p - r) @ x[idx]
        grad /= max(len(members), 1)
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad**2
        w -= 0.05 * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    return w


def _top1(x: np.ndarray, y: np.ndarray, groups: np.ndarray, w: np.ndarray) -> float:
    hits = []
    for g in np.unique(groups):
        idx = np.flatnonzero(groups == g)
        if y[idx].any():
            hits.append(y[idx][int(np.argmax(x[idx] @ w))] > 0)
    return float(np.mean(hits)) if hits else 0.0


def fit_ranker(
    names: tuple[str, ...], rows: list[dict[str, float]], labels: list[int], groups: list[int]
) -> tuple[LogisticModel, float]:
    """Listwise sentence ranker; the L2 strength is chosen by 5-fold CV of top-1 accuracy."""
    x_raw = np.array([[r[f] for f in names] for r in rows], dtype=float)
    y = np.array(labels, dtype=float)
    g = np.array(groups)
    mean = x_raw.mean(axis=0)
    scale = x_raw.std(axis=0)
    scale[scale < 1e-9] = 1.0
    x = (x_raw - mean) / scale
    folds = g % 5
    best_l2, best_acc = LAMBDAS[0], -1.0
    for l2 in LAMBDAS:
        accs = [
            _top1(
                x[folds == k],
                y[folds == k],
                g[folds == k],
                fit_listwise(x[folds != k], y[folds != k], g[folds != k], l2),
            )
            for k in range(5)
        ]
        if float(np.mean(accs)) > best_acc:
            best_l2, best_acc = l2, float(np.mean(accs))
    w = fit_listwise(x, y, g, best_l2)
    model = LogisticModel(
        names,
        tuple(round(float(v), 6) for v in mean),
        tuple(round(float(v), 6) for v in scale),
        tuple(round(float(v), 6) for v in w),
        0.0,
    )
    print(f"  ranker CV top-1 {best_acc:.3f}, all-data top-1 {_top1(x, y, g, w):.3f}")
    return model, best_l2


def _log_loss(x: np.ndarray, y: np.ndarray, w: np.ndarray, b: float) -> float:
    p = np.clip(1.0 / (1.0 + np.exp(-np.clip(x @ w + b, -30, 30))), 1e-9, 1 - 1e-9)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def fit_model(
    names: tuple[str, ...], rows: list[dict[str, float]], labels: list[int], groups: list[int]
) -> tuple[LogisticModel, float, list[float]]:
    """Standardise, choose the L2 strength by grouped 5-fold CV, fit on all rows.

    Also returns the out-of-fold probabilities of the chosen L2 strength: a threshold chosen on
    them is not fooled by the model's confidence on rows it was fitted on.
    """
    x_raw = np.array([[r[f] for f in names] for r in rows], dtype=float)
    y = np.array(labels, dtype=float)
    mean = x_raw.mean(axis=0)
    scale = x_raw.std(axis=0)
    scale[scale < 1e-9] = 1.0
    x = (x_raw - mean) / scale
    folds = np.array(groups) % 5
    best_l2, best_loss = LAMBDAS[0], float("inf")
    for l2 in LAMBDAS:
        losses = []
        for k in range(5):
            train, test = folds != k, folds == k
            if y[train].min() == y[train].max() or not test.any():
                continue
            w, b = fit_logistic(x[train], y[train], l2)
            losses.append(_log_loss(x[test], y[test], w, b))
        loss = float(np.mean(losses)) if losses else float("inf")
        if loss < best_loss:
            best_l2, best_loss = l2, loss
    out_of_fold = np.zeros(len(y))
    for k in range(5):
        train, test = folds != k, folds == k
        w, b = fit_logistic(x[train], y[train], best_l2)
        out_of_fold[test] = 1.0 / (1.0 + np.exp(-np.clip(x[test] @ w + b, -30, 30)))
    w, b = fit_logistic(x, y, best_l2)
    model = LogisticModel(
        names,
        tuple(round(float(v), 6) for v in mean),
        tuple(round(float(v), 6) for v in scale),
        tuple(round(float(v), 6) for v in w),
        round(float(b), 6),
    )
    return model, best_l2, [float(p) for p in out_of_fold]


@dataclass(frozen=True)
class Case:
    """One question to learn from: a single question, or a conversation turn with its previous turn."""

    question: str
    previous: PreviousTurn | None
    answerable: bool
    offtopic: bool = False
    doc: str | None = None
    facts: tuple[str, ...] = ()


def cases(part: EvalSet) -> list[Case]:
    """Single questions (answerable, unknown, off-topic) and every conversation turn.

    A turn's previous turn is what the evaluation set expects it to be about (its document), so
    that a fit does not depend on how well an earlier model answered.
    """
    out = [
        Case(i.question, None, i.kind == "answerable", i.kind == "offtopic", i.doc, i.facts)
        for i in part.items
        if i.kind in ("answerable", "unknown", "offtopic")
    ]
    for conv in part.conversations:
        previous: PreviousTurn | None = None
        for turn in conv.turns:
            answerable = turn.expect == "answer"
            out.append(Case(turn.question, previous, answerable, False, turn.doc, turn.facts))
            previous = PreviousTurn(
                turn.question, turn.doc or (previous.subject if previous else None)
            )
    return out


def _sentence_rows(
    ctx: AppContext, items: list[Case]
) -> tuple[list[dict[str, float]], list[int], list[int]]:
    rows: list[dict[str, float]] = []
    labels: list[int] = []
    groups: list[int] = []
    for n, item in enumerate(items):
        a = ctx.engine.assess(item.question, item.previous)
        facts = [_norm(f) for f in item.facts]
        for cand in a.candidates:
            text = _norm(cand.full_text)
            right_doc = a.result.hits[cand.hit_rank].source == item.doc
            rows.append(cand.features)
            labels.append(int(right_doc and any(f in text for f in facts)))
            groups.append(n)
    return rows, labels, groups


def _question_rows(ctx: AppContext, items: list[Case]) -> list[dict[str, float]]:
    return [ctx.engine.assess(c.question, c.previous).decision.features for c in items]


def consultation_threshold(
    wishes: list[float], others: list[float], false_rate: float = 0.05
) -> float:
    """The lowest similarity threshold that flags at most ``false_rate`` of the other messages."""
    ordered = sorted(others, reverse=True)
    allowed = int(false_rate * len(ordered))
    threshold = ordered[allowed] + 1e-6 if ordered else 1.0
    caught = sum(w >= threshold for w in wishes)
    print(f"consultation: threshold {threshold:.4f} catches {caught} of {len(wishes)} wishes")
    return round(threshold, 6)


def choose_threshold(probabilities: list[float], labels: list[int]) -> float:
    """The threshold with the lowest false-refusal rate plus false-answer rate."""
    positives = sum(labels) or 1
    negatives = (len(labels) - sum(labels)) or 1
    best_t, best_cost = 0.5, float("inf")
    for t in sorted(set(probabilities)):
        refused = sum(p < t for p, y in zip(probabilities, labels, strict=True) if y)
        answered = sum(p >= t for p, y in zip(probabilities, labels, strict=True) if not y)
        cost = refused / positives + answered / negatives
        if cost < best_cost:
            best_t, best_cost = t, cost
    return round(best_t, 6)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path("data"))
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL)
    args = parser.parse_args(argv)
    settings = Settings(_env_file=None, data_dir=args.data_dir)  # type: ignore[call-arg]
    scored = cases(load().part("tuning"))
    answerable = [c for c in scored if c.answerable]

    bootstrap = TrustModel(
        sentence=zero_model(SENTENCE_FEATURES),
        answerable=zero_model(DECISION_FEATURES),
        threshold=0.0,
        scope=zero_model(SCOPE_FEATURES),
        fitted_on="bootstrap",
        embedding_model="",
    )
    ctx = build_context(settings, model=bootstrap)
    rows, labels, groups = _sentence_rows(ctx, answerable)
    sentence, l2_s = fit_ranker(SENTENCE_FEATURES, rows, labels, groups)
    print(f"sentence ranker: {len(rows)} sentences, {sum(labels)} positive, l2={l2_s}")

    ctx = build_context(settings, model=replace(bootstrap, sentence=sentence))
    q_rows = _question_rows(ctx, scored)
    q_labels = [int(c.answerable) for c in scored]
    answer_model, l2_a, out_of_fold = fit_model(
        DECISION_FEATURES, q_rows, q_labels, list(range(len(scored)))
    )
    threshold = choose_threshold(out_of_fold, q_labels)
    print(f"answerability: {len(q_rows)} questions, l2={l2_a}, threshold={threshold}")

    wishes = [
        ctx.engine.assess(i.question).signals.consult_sim
        for i in load().part("tuning").items
        if i.kind == "consultation"
    ]
    others = [r["consult_sim"] for r in q_rows]
    consult_threshold = consultation_threshold(wishes, others)

    s_labels = [int(c.offtopic) for c in scored]
    scope, l2_o, _ = fit_model(SCOPE_FEATURES, q_rows, s_labels, list(range(len(scored))))
    print(f"scope: {sum(s_labels)} off-topic of {len(s_labels)}, l2={l2_o}")

    model = TrustModel(
        sentence=sentence,
        answerable=answer_model,
        threshold=threshold,
        scope=scope,
        fitted_on=(
            f"tuning part of tests/data/trust ({len(answerable)} answerable questions and turns, "
            f"{len(scored) - len(answerable)} unknown/off-topic), {date.today().isoformat()}"
        ),
        embedding_model=ctx.index.embedder.name,
        consultation_threshold=consult_threshold,
    )
    args.out.write_text(
        json.dumps(model.to_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    for name, m in (("answerable", answer_model), ("sentence", sentence)):
        print(name, {f: w for f, w in zip(m.features, m.weights, strict=True)})
    print(f"written {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
