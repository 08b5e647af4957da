"""Temporary review check (deleted after use): CUDA choice, resume on CUDA, blow-up on CUDA."""

import logging
import pathlib
import tempfile

import mdtraj
import numpy as np
import openmm
import openmm.unit as u

from synapse_md import production
from synapse_md.builder import build_cleft
from synapse_md.config import MDConfig
from synapse_md.platforms import select_platform
from synapse_md.simulation import SimulationBlowUp, make_context, make_integrator

logging.basicConfig(level=logging.INFO)
p = select_platform()
print("CHOICE", p, flush=True)
md = MDConfig(production_ps=8.0, frame_interval_ps=0.4, checkpoint_frames=5)
c = build_cleft(md)
i = make_integrator(md, 1)
ctx = make_context(c.system, i, p)
ctx.setPositions(c.positions_nm * u.nanometer)
openmm.LocalEnergyMinimizer.minimize(ctx, 10.0, 500)
ctx.setVelocitiesToTemperature(300 * u.kelvin, 2)
i.step(100)
st = ctx.getState(getPositions=True, getVelocities=True, getParameters=True)
d = pathlib.Path(tempfile.mkdtemp())
real = production._save_checkpoint
n = {"n": 0}


def crash(cx, path):
    n["n"] += 1
    if n["n"] == 3:
        raise KeyboardInterrupt
    real(cx, path)


production._save_checkpoint = crash
try:
    production.run_replica(c.system, c.topology, st, md, 0, d / "a", p)
except KeyboardInterrupt:
    print("killed", flush=True)
production._save_checkpoint = real
ra = production.run_replica(c.system, c.topology, st, md, 0, d / "a", p)
rb = production.run_replica(c.system, c.topology, st, md, 0, d / "b", p)
ta = mdtraj.load(str(d / "a/trajectory.xtc"), top=str(d / "a/topology.pdb"))
tb = mdtraj.load(str(d / "b/trajectory.xtc"), top=str(d / "b/topology.pdb"))
print(
    "RESUME",
    ra.resumed_from_step,
    ta.n_frames,
    tb.n_frames,
    float(np.abs(ta.xyz - tb.xyz).max()),
    bool(np.allclose(ta.time, np.arange(21) * 0.4, atol=1e-3)),
    ra.ns_per_day,
    rb.ns_per_day,
)
col = np.random.default_rng(0).normal(0, 0.01, (c.system.getNumParticles(), 3))
cx2 = make_context(c.system, openmm.VerletIntegrator(0.001), p)
cx2.setPositions(col * u.nanometer)
bad = cx2.getState(getPositions=True, getVelocities=True, getParameters=True)
try:
    production.run_replica(c.system, c.topology, bad, md, 1, d / "c", p)
    print("NO BLOWUP")
except SimulationBlowUp as e:
    print("BLOWUP", str(e)[:160], sorted(x.name for x in (d / "c").iterdir()))
