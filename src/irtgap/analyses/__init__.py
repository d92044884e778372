"""Analyses across methods.

Every method's gap side by side (:mod:`~irtgap.analyses.compare`); the threshold method's
winner's-curse bias measured on a Bayesian fit (:mod:`~irtgap.analyses.winners_curse`); the
validation study on simulated worlds with a known gap (:mod:`~irtgap.analyses.validation`) and
the floor of any method's error on those worlds, read by an oracle that knows every capability
(:mod:`~irtgap.analyses.oracle`); sensitivity of every method to the benchmark set
(:mod:`~irtgap.analyses.sensitivity`); each method's gap under the best and a reference
harness (:mod:`~irtgap.analyses.elicitation`).
"""
