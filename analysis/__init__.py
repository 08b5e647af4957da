"""Analysis stages of synsoc, one subpackage each, independent of one another.

- :mod:`analysis.kinetics`: trajectories -> binding events -> censored survival fits,
  time calibration, binding rates -> ``kinetics.json``;
- :mod:`analysis.criticality`: avalanches -> power laws, scaling, shape collapse,
  branching ratio, dynamic range, alignment with reference models;
- :mod:`analysis.report`: the run summary and the activation figures.
"""
