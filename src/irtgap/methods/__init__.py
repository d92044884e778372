"""The five ways of measuring the gap, each returning a :class:`~irtgap.results.GapResult`.

The threshold method (:mod:`~irtgap.methods.threshold`), the ECI-style fit
(:mod:`~irtgap.methods.eci`), the CAISI-style Elo fit (:mod:`~irtgap.methods.elo`) and the
composite index (:mod:`~irtgap.methods.composite`), the last three sharing
:mod:`~irtgap.methods.capability`, and the Bayesian gap model (:mod:`irtgap.methods.bayes`).
"""
