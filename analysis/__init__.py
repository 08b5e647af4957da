"""Analysis of synsoc outputs: first-passage kinetics and criticality.

Also home of the small shared utilities every stage uses: configuration
validation (:mod:`analysis.configuration`), provenance records
(:mod:`analysis.provenance`) and atomic output writers (:mod:`analysis.atomic_io`).
"""
