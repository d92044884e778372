"""The data layer: the one input type, the benchmark registry, the loaders and the simulator.

:class:`~irtgap.data.scoredata.ScoreData` is what every method takes. The bundled datasets
(:mod:`~irtgap.data.datasets`) and an Epoch AI Hub export (:mod:`~irtgap.data.hub`) load into it
offline, with the benchmark metadata of the shipped registry (:mod:`~irtgap.data.registry`);
:func:`~irtgap.data.simulate.simulate` draws worlds with a known gap. The bundled data are Epoch
AI's, licensed CC-BY 4.0: cite Epoch AI, 'AI Benchmarking Hub', https://epoch.ai/benchmarks.
"""
