"""The answer-trust evaluation: data set, metrics, and fitting of the answerability model."""
