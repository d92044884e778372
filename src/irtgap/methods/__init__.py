"""The five ways of measuring the gap, each returning a :class:`~irtgap.results.GapResult`.

The threshold method (:mod:`~irtgap.methods.threshold`), the ECI-style fit
(:mod:`~irtgap.methods.eci`) and Epoch's rule read from it (:mod:`~irtgap.methods.epoch_rule`),
the CAISI-style Elo fit (:mod:`~irtgap.methods.elo`) and the composite index
(:mod:`~irtgap.methods.composite`), the capability methods sharing
:mod:`~irtgap.methods.capability`, and the Bayesian gap model (:mod:`irtgap.methods.bayes`). The
registry (:mod:`~irtgap.methods.registry`) runs any of them by name, with its budget tiers.
"""
