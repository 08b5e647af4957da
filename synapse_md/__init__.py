"""Synaptic-cleft molecular dynamics in OpenMM."""
