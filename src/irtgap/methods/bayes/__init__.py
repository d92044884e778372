"""The Bayesian gap model: settings, design arrays, the PyMC model and its posterior.

:class:`~irtgap.methods.bayes.model.GapModel` holds the settings
(:mod:`~irtgap.methods.bayes.settings`); its ``fit`` lays out the data
(:mod:`~irtgap.methods.bayes.design`), builds and samples the model
(:mod:`~irtgap.methods.bayes.graph`; :mod:`~irtgap.methods.bayes.model` states it as maths) and
returns a :class:`~irtgap.methods.bayes.fit.GapFit`, which reads its posterior through one module
per topic: :mod:`~irtgap.methods.bayes.frontiers`, :mod:`~irtgap.methods.bayes.support`,
:mod:`~irtgap.methods.bayes.summaries`, :mod:`~irtgap.methods.bayes.domains`,
:mod:`~irtgap.methods.bayes.diagnostics` and :mod:`~irtgap.methods.bayes.persistence`.
"""
