"""Threshold-neuron networks driven by MD-derived synaptic kinetics."""
