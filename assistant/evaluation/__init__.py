"""Evaluation: load a question set, run Byline over it, score it, write results, metrics, report and plots."""
