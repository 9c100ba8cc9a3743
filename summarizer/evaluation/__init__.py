"""Evaluation: datasets x models -> scores (scoring, normalisation, eval and compare)."""
