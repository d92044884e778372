"""The Bayesian gap model: settings, design arrays, the PyMC model and its posterior.

:class:`~irtgap.methods.bayes.model.GapModel` holds the settings
(:mod:`~irtgap.methods.bayes.settings`); its ``fit`` lays out the data
(:mod:`~irtgap.methods.bayes.design`), builds and samples the model
(:mod:`~irtgap.methods.bayes.model`, whose docstring states it as maths) and returns a
:class:`~irtgap.methods.bayes.fit.GapFit`.
"""
