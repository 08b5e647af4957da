"""Tests of the MD stage (synapse_md)."""
