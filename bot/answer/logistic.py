"""Small logistic models fitted offline (benchmarks/trust/fit.py) and stored as JSON in the repo.

A model is a list of named features, their standardisation (mean, scale), weights and a bias;
nothing else is learned, so a reviewer can read what the decision rests on.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.errors import ConfigurationError


@dataclass(frozen=True)
class LogisticModel:
    """p = sigmoid(bias + sum(weight * (x - mean) / scale))."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float

    def logit(self, values: Mapping[str, float]) -> float:
        """The linear score before the sigmoid."""
        total = self.bias
        for name, mean, scale, weight in zip(
            self.features, self.mean, self.scale, self.weights, strict=True
        ):
            total += weight * (float(values.get(name, 0.0)) - mean) / scale
        return total

    def probability(self, values: Mapping[str, float]) -> float:
        """The fitted probability of the positive class."""
        z = max(-50.0, min(50.0, self.logit(values)))
        return 1.0 / (1.0 + math.exp(-z))

    def to_json(self) -> dict[str, Any]:
        return {
            "features": list(self.features),
            "mean": list(self.mean),
            "scale": list(self.scale),
            "weights": list(self.weights),
            "bias": self.bias,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LogisticModel:
        features = tuple(str(f) for f in data["features"])
        columns = [tuple(float(v) for v in data[key]) for key in ("mean", "scale", "weights")]
        if any(len(c) != len(features) for c in columns):
            raise ValueError("feature, mean, scale and weight lists differ in length")
        return cls(features, columns[0], columns[1], columns[2], float(data["bias"]))


@dataclass(frozen=True)
class TrustModel:
    """The fitted models of answer trust: sentence ranker, answerability and scope."""

    sentence: LogisticModel
    answerable: LogisticModel
    threshold: float
    scope: LogisticModel
    fitted_on: str
    embedding_model: str
    consultation_threshold: float = 1.0

    def to_json(self) -> dict[str, Any]:
        return {
            "fitted_on": self.fitted_on,
            "embedding_model": self.embedding_model,
            "threshold": self.threshold,
            "consultation_threshold": self.consultation_threshold,
            "sentence": self.sentence.to_json(),
            "answerable": self.answerable.to_json(),
            "scope": self.scope.to_json(),
        }


DEFAULT_MODEL = Path(__file__).with_name("trust_model.json")


def load_trust_model(path: Path = DEFAULT_MODEL) -> TrustModel:
    """Read the fitted models; a missing or malformed file is a configuration error."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return TrustModel(
            sentence=LogisticModel.from_json(data["sentence"]),
            answerable=LogisticModel.from_json(data["answerable"]),
            threshold=float(data["threshold"]),
            scope=LogisticModel.from_json(data["scope"]),
            fitted_on=str(data.get("fitted_on", "")),
            embedding_model=str(data.get("embedding_model", "")),
            consultation_threshold=float(data.get("consultation_threshold", 1.0)),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigurationError(f"answer model {path} cannot be read: {exc}") from exc


def zero_model(features: Sequence[str]) -> LogisticModel:
    """A model that scores everything 0.5 (used only while fitting the first model)."""
    n = len(features)
    return LogisticModel(tuple(features), (0.0,) * n, (1.0,) * n, (0.0,) * n, 0.0)
