"""Analyses across methods.

Every method's gap side by side (:mod:`~irtgap.analyses.compare`), the threshold method's
winner's-curse bias measured on a Bayesian fit (:mod:`~irtgap.analyses.winners_curse`) and the
validation study on simulated worlds with a known gap (:mod:`~irtgap.analyses.validation`), and
sensitivity of every method to the benchmark set
(:mod:`~irtgap.analyses.sensitivity`).
"""
