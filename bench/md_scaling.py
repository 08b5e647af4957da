"""MD cost per step against atom count: replica runner, bare loop, OpenMM's own systems.

Three measurements on one platform, in one process, alternated round by round:

- **synsoc's cleft systems** at about 375, 5,000 and 25,000 atoms (implicit and explicit
  solvent; the larger ones are the default cleft with a wider slab and proportionally
  more transmitters and receptors, built by ``synapse_md.build_cleft`` from config
  overrides, see ``CLEFTS``), each run two ways from the same start state:

  - ``bare``: a bare ``integrator.step`` loop (context made, ``setState``, the released
    restraint parameters set to 0 as the runner does, the steps);
  - ``runner``: ``synapse_md.run_replica`` end to end (its context, a frame every
    ``frame_ps`` with positions and energies, state rows, chunked XTC, checkpoints,
    final assembly), the same number of steps;

  and, inside each runner run, the time in ``integrator.step``, in OpenMM's force
  evaluations outside the step loop (``getState`` of positions + energies, one per frame
  and one at t = 0, each energy one more force evaluation; ``setVelocitiesToTemperature``
  of the release, one force evaluation for LangevinMiddle's half-step velocity offset),
  and the rest, synsoc's own work (context creation, start-state hash, reporters, chunk
  files, checkpoints, assembly, final state);
- **OpenMM's benchmark systems** (``examples/benchmarks/benchmark.py`` of OpenMM: its
  ``gbsa`` and ``pme`` tests, bare loop, 5 warm-up steps untimed, as OpenMM times them):
  villin headpiece (``openmm/app/data/test.pdb``, shipped with the wheel) with the
  ``gbsa`` settings without its water and ions (582 atoms) and with the ``pme``
  settings in its water box (8,867 atoms); DHFR (``5dfr_minimized.pdb``, 2,489 atoms,
  ``gbsa``; ``5dfr_solv-cube_equil.pdb``, 23,558 atoms, ``pme``) when ``--dhfr-dir``
  holds those two files from OpenMM's repository (the wheel does not ship them);
  TIP3P water boxes of ``--water-nm`` edges with the ``pme`` settings; and ``floor``, one
  rigid TIP3P water in vacuum (no cutoff), OpenMM's fixed cost of a step.
  ``gbsa``: amber99sb + amber99_obc, CutoffNonPeriodic 2 nm, HBonds, H 1.5 amu,
  LangevinMiddle 4 fs, 91/ps, 300 K; ``pme``: amber99sb + tip3p, PME 0.9 nm, HBonds,
  H 1.5 amu, LangevinMiddle 4 fs, 1/ps, 300 K; constraint tolerance 1e-5.

The primary clock is process CPU time on CPU platforms (insensitive to other jobs on
shared cores) and wall time on GPUs; both are reported. Each cell is the median and
min-max over ``--rounds``. Prints a table of us/step, ns/day, the runner/bare ratio and
the runner's share in ``integrator.step`` (goal >= 0.95), also projected to a production
run; the last stdout line is one JSON object.

    python bench/md_scaling.py [--sizes implicit-375,...] [--rounds 3] [--dhfr-dir DIR]
"""

from __future__ import annotations

import argparse
import copy
import json
import logging
import os
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

import numpy as np
import openmm
import openmm.app as app
import openmm.unit as unit

from synapse_md import (
    MDConfig,
    build_cleft,
    make_context,
    make_integrator,
    run_replica,
    select_platform,
)
from synapse_md.forces import RELEASED_PARAMETERS
from synapse_md.simulation import check_finite
from synsoc.config import load_config


@dataclass(frozen=True)
class CleftSpec:
    """A cleft system of the scaling series: md overrides and the run measured on it."""

    overrides: dict
    ps: float  # simulated ps per measurement (runner and bare alike)
    frame_ps: float  # runner frame interval
    minimize_iterations: int = 200
    equilibration_steps: int = 25
    runner: bool = True  # False: bare loop only (a runner run would take too long)


def _scaled(lateral_nm: float, transmitters: int, receptors: int, **extra) -> dict:
    return {
        "geometry": {"lateral_nm": lateral_nm},
        "transmitter": {"count": transmitters},
        "receptor": {"count": receptors},
        **extra,
    }


_EXPLICIT = {"solvent": "explicit", "salt_molar": 0.15}
# The schema-default cleft (5 transmitters, 4 receptors on a 3 nm square: 375 atoms) grown
# laterally: receptors on a square grid of 1.6-1.7 nm spacing (closer grids do not place),
# about 1.25 transmitters per receptor as in the default; explicit boxes keep the default
# height and padding and add 0.15 M NaCl (config/large.yaml's explicit solvent).
# Runs are whole frames; the large systems use shorter frame intervals so a
# measurement stays a few seconds on one CPU thread (the per-frame read is one force
# evaluation, so its share is 1 / steps per frame; see the table's last columns).
CLEFTS = {
    "implicit-375": CleftSpec({}, ps=4.0, frame_ps=0.4),
    "implicit-5k": CleftSpec(
        _scaled(11.9, 76, 49),
        ps=0.08,
        frame_ps=0.04,
        minimize_iterations=10,
        equilibration_steps=5,
    ),
    "implicit-25k": CleftSpec(
        _scaled(27.2, 358, 256),
        ps=0.012,
        frame_ps=0.012,
        minimize_iterations=0,
        equilibration_steps=0,
        runner=False,
    ),
    "explicit-5k": CleftSpec(dict(_EXPLICIT), ps=0.8, frame_ps=0.4, minimize_iterations=100),
    "explicit-25k": CleftSpec(
        _scaled(8.1, 31, 25, **_EXPLICIT), ps=0.4, frame_ps=0.2, minimize_iterations=50
    ),
}
DEFAULT_SIZES = ("implicit-375", "implicit-5k", "explicit-5k", "explicit-25k")
REFERENCES = ("floor", "villin-gbsa", "villin-pme", "dhfr-gbsa", "dhfr-pme", "water")
DHFR_FILES = {"dhfr-gbsa": "5dfr_minimized.pdb", "dhfr-pme": "5dfr_solv-cube_equil.pdb"}
WARM_STEPS = 5


def _clocks() -> np.ndarray:
    return np.array([time.perf_counter(), time.process_time()])


def _merge(base: dict, override: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


@dataclass
class Case:
    """One system of the table and its timings (seconds, [wall, cpu] per round)."""

    name: str
    kind: str  # "cleft" or "reference"
    atoms: int
    steps: int
    steps_per_frame: int | None
    timestep_fs: float
    note: str
    production_ps: float = 40.0  # the base config's production run, for the projection
    production_frame_ps: float = 0.4
    bare_steady: list = field(default_factory=list)  # the steps after the warm-up
    bare_total: list = field(default_factory=list)  # context + all steps
    bare_setup: list = field(default_factory=list)  # context + setState, seconds per run
    runner: list = field(default_factory=list)  # run_replica end to end
    runner_step: list = field(default_factory=list)  # of which in integrator.step
    runner_reads: list = field(default_factory=list)  # in getState + velocity draw
    run_bare: object = None
    run_runner: object = None


# --- synsoc's cleft systems ------------------------------------------------------------


def _prepare_cleft(md: MDConfig, spec: CleftSpec, platform):
    """Built cleft, minimized and briefly equilibrated (restrained): system, topology, state."""
    cleft = build_cleft(md)
    integrator = make_integrator(md, seed=1)
    context = make_context(cleft.system, integrator, platform)
    if cleft.box_nm is not None:
        context.setPeriodicBoxVectors(*np.diag(cleft.box_nm) * unit.nanometer)
    context.setPositions(cleft.positions_nm * unit.nanometer)
    if spec.minimize_iterations:
        openmm.LocalEnergyMinimizer.minimize(context, 10.0, spec.minimize_iterations)
    context.setVelocitiesToTemperature(md.temperature_K * unit.kelvin, 1)
    integrator.step(spec.equilibration_steps)
    state = context.getState(
        getPositions=True, getVelocities=True, getEnergy=True, getParameters=True
    )
    if spec.runner:
        check_finite(
            state.getPositions(asNumpy=True).value_in_unit(unit.nanometer),
            state.getPotentialEnergy().value_in_unit(unit.kilojoule_per_mole),
            md.solvent,
            spec.equilibration_steps,
        )
    return cleft.system, cleft.topology, state


def _bare_cleft(system, state, md, platform, steps: int, case: Case) -> None:
    start = _clocks()
    integrator = make_integrator(md, seed=1)
    context = make_context(system, integrator, platform)
    context.setState(state)
    for parameter in RELEASED_PARAMETERS:  # as run_replica does at release
        context.setParameter(parameter, 0.0)
    case.bare_setup.append(_clocks() - start)
    warm = min(WARM_STEPS, steps - 1)
    integrator.step(warm)
    context.getState(getEnergy=True)
    steady = _clocks()
    integrator.step(steps - warm)
    context.getState(getEnergy=True)  # waits for asynchronous platforms
    end = _clocks()
    case.bare_steady.append((end - steady) / (steps - warm))
    case.bare_total.append((end - start) / steps)


def _timed_method(cls, name: str, spent: list):
    """Patch ``cls.name`` to add its wall and CPU seconds to ``spent[0]``."""
    original = getattr(cls, name)

    def timed(*args, **kwargs):
        start = _clocks()
        try:
            return original(*args, **kwargs)
        finally:
            spent[0] = spent[0] + _clocks() - start

    return mock.patch.object(cls, name, timed)


def _runner_cleft(system, topology, state, md, platform, workdir: Path, case: Case) -> None:
    # The runner as it is, with the time inside integrator.step tallied, and apart from it
    # OpenMM's force evaluations outside the step loop: Context.getState (the frame reads:
    # positions + energies, each energy one more force evaluation) and
    # Context.setVelocitiesToTemperature (the release velocities: for LangevinMiddle's
    # half-step velocity offset OpenMM evaluates the forces once). What is left is
    # synsoc's own work, measured inside the same run.
    in_step, in_reads = [np.zeros(2)], [np.zeros(2)]
    with (
        _timed_method(openmm.LangevinMiddleIntegrator, "step", in_step),
        _timed_method(openmm.Context, "getState", in_reads),
        _timed_method(openmm.Context, "setVelocitiesToTemperature", in_reads),
    ):
        start = _clocks()
        run_replica(system, topology, state, md, 0, workdir, platform=platform)
        total = _clocks() - start
    case.runner.append(total / case.steps)
    case.runner_step.append(in_step[0] / case.steps)
    case.runner_reads.append(in_reads[0] / case.steps)


def _cleft_case(name, base_md, platform, tmp: Path) -> Case:
    spec = CLEFTS[name]
    section = _merge(
        base_md,
        {
            **spec.overrides,
            "production_ps": spec.ps,
            "frame_interval_ps": spec.frame_ps,
            "checkpoint_frames": 25,
        },
    )
    md = MDConfig.from_section(section)
    system, topology, state = _prepare_cleft(md, spec, platform)
    steps = md.production_frames * md.steps_per_frame
    case = Case(
        name=name,
        kind="cleft",
        atoms=system.getNumParticles(),
        steps=steps,
        steps_per_frame=md.steps_per_frame if spec.runner else None,
        timestep_fs=md.timestep_fs,
        note=(
            f"{md.solvent}, {md.transmitter.count} T / {md.receptor.count} R, "
            f"lateral {md.geometry.lateral_nm:g} nm"
            + (
                ""
                if spec.runner
                else "; bare loop only, unminimized build (a runner run of whole 0.4 ps "
                "frames would take about an hour on one thread)"
            )
        ),
    )
    base = MDConfig.from_section(base_md)
    case.production_ps, case.production_frame_ps = base.production_ps, base.frame_interval_ps
    counter = iter(range(10**6))
    case.run_bare = lambda: _bare_cleft(system, state, md, platform, steps, case)
    if spec.runner:
        case.run_runner = lambda: _runner_cleft(
            system, topology, state, md, platform, tmp / f"{name}_{next(counter)}", case
        )
    return case


# --- OpenMM's benchmark systems ----------------------------------------------------------


def _openmm_benchmark_system(topology, test: str) -> openmm.System:
    """The System of OpenMM's benchmark.py test ``gbsa`` or ``pme`` (hbonds) for ``topology``."""
    if test == "gbsa":
        forcefield = app.ForceField("amber99sb.xml", "amber99_obc.xml")
        method, cutoff = app.CutoffNonPeriodic, 2.0
    elif test == "vacuum":
        return app.ForceField("amber99sb.xml", "tip3p.xml").createSystem(
            topology, nonbondedMethod=app.NoCutoff, constraints=app.HBonds, rigidWater=True
        )
    else:
        forcefield = app.ForceField("amber99sb.xml", "tip3p.xml")
        method, cutoff = app.PME, 0.9
    return forcefield.createSystem(
        topology,
        nonbondedMethod=method,
        nonbondedCutoff=cutoff * unit.nanometer,
        constraints=app.HBonds,
        hydrogenMass=1.5 * unit.amu,
    )


def _openmm_benchmark_integrator(test: str) -> openmm.LangevinMiddleIntegrator:
    friction = 91.0 if test == "gbsa" else 1.0
    integrator = openmm.LangevinMiddleIntegrator(
        300 * unit.kelvin, friction / unit.picosecond, 0.004 * unit.picosecond
    )
    integrator.setConstraintTolerance(1e-5)
    return integrator


def _reference_inputs(name: str, dhfr_dir: Path | None, water_nm: float | None):
    """(topology, positions, test, note) of a reference system, or None if unavailable."""
    if name.startswith("villin"):
        pdb = app.PDBFile(os.path.join(os.path.dirname(app.__file__), "data", "test.pdb"))
        modeller = app.Modeller(pdb.topology, pdb.positions)
        if name == "villin-gbsa":
            modeller.delete([r for r in modeller.topology.residues() if r.name in ("HOH", "Cl")])
            return modeller.topology, modeller.positions, "gbsa", "openmm/app/data/test.pdb"
        return modeller.topology, modeller.positions, "pme", "openmm/app/data/test.pdb"
    if name == "floor":
        # One rigid TIP3P water, no cutoff: OpenMM's fixed cost of a step on this platform.
        modeller = app.Modeller(app.Topology(), [])
        water = app.PDBFile(os.path.join(os.path.dirname(app.__file__), "data", "tip3p.pdb"))
        residue = next(water.topology.residues())
        keep = [a.index for a in residue.atoms()]
        modeller.add(water.topology, water.positions)
        modeller.delete([a for a in modeller.topology.atoms() if a.index not in keep])
        return modeller.topology, modeller.positions, "vacuum", "1 TIP3P water, no cutoff"
    if name.startswith("dhfr"):
        path = None if dhfr_dir is None else dhfr_dir / DHFR_FILES[name]
        if path is None or not path.exists():
            return None
        pdb = app.PDBFile(str(path))
        test = name.split("-")[1]
        return pdb.topology, pdb.positions, test, f"OpenMM benchmark '{test}', {path.name}"
    modeller = app.Modeller(app.Topology(), [])
    modeller.addSolvent(
        app.ForceField("amber99sb.xml", "tip3p.xml"),
        model="tip3p",
        boxSize=openmm.Vec3(water_nm, water_nm, water_nm) * unit.nanometer,
    )
    return modeller.topology, modeller.positions, "pme", f"TIP3P cube {water_nm:g} nm"


def _bare_reference(system, positions, box, test, platform, steps: int, case: Case) -> None:
    # OpenMM's timeIntegration: initial steps + getState, then the timed steps + getState.
    start = _clocks()
    integrator = _openmm_benchmark_integrator(test)
    context = make_context(system, integrator, platform)
    if box is not None:
        context.setPeriodicBoxVectors(*box)
    context.setPositions(positions)
    context.setVelocitiesToTemperature(300 * unit.kelvin, 1)
    integrator.step(WARM_STEPS)
    context.getState(getEnergy=True)
    steady = _clocks()
    integrator.step(steps)
    context.getState(getEnergy=True)
    end = _clocks()
    case.bare_steady.append((end - steady) / steps)
    case.bare_total.append((end - start) / (steps + WARM_STEPS))


def _reference_case(name, dhfr_dir, water_nm, platform, target_s: float) -> Case | None:
    inputs = _reference_inputs(name, dhfr_dir, water_nm)
    if inputs is None:
        return None
    topology, positions, test, note = inputs
    system = _openmm_benchmark_system(topology, test)
    box = topology.getPeriodicBoxVectors() if test == "pme" else None
    if name == "water":
        # Modeller's tiled water box has contacts across the tile faces: relax them once.
        integrator = _openmm_benchmark_integrator(test)
        context = make_context(system, integrator, platform)
        context.setPeriodicBoxVectors(*box)
        context.setPositions(positions)
        openmm.LocalEnergyMinimizer.minimize(context, 10.0, 100)
        positions = context.getState(getPositions=True).getPositions()
        name = f"water-{water_nm:g}nm"
    # Steps for about target_s per measurement, from a short calibration run.
    calibration = Case(name, "reference", 0, 0, None, 4.0, "")
    _bare_reference(system, positions, box, test, platform, 3, calibration)
    per_step = (
        calibration.bare_steady[0][1] if platform.name == "CPU" else calibration.bare_steady[0][0]
    )
    steps = int(np.clip(target_s / max(per_step, 1e-7), 10, 10**6))
    case = Case(
        name=name,
        kind="reference",
        atoms=system.getNumParticles(),
        steps=steps,
        steps_per_frame=None,
        timestep_fs=4.0,
        note=f"OpenMM '{test}' settings; {note}",
    )
    case.run_bare = lambda: _bare_reference(system, positions, box, test, platform, steps, case)
    return case


# --- report -----------------------------------------------------------------------------


def _stats(values: list, column: int, scale: float = 1e6) -> dict | None:
    if not values:
        return None
    data = [v[column] * scale for v in values]
    return {"median": statistics.median(data), "min": min(data), "max": max(data)}


def _cell(stats: dict | None, digits: int = 0) -> str:
    if stats is None:
        return "—"
    return f"{stats['median']:.{digits}f} [{stats['min']:.{digits}f}–{stats['max']:.{digits}f}]"


def _summary(case: Case, column: int) -> dict:
    steady = _stats(case.bare_steady, column)
    total = _stats(case.bare_total, column)
    runner = _stats(case.runner, column)
    out = {
        "system": case.name,
        "kind": case.kind,
        "atoms": case.atoms,
        "steps": case.steps,
        "steps_per_frame": case.steps_per_frame,
        "note": case.note,
        "bare_us_per_step": steady,
        "bare_end_to_end_us_per_step": total,
        "runner_us_per_step": runner,
        "bare_ns_per_day": None,
        "runner_ns_per_day": None,
        "us_per_atom_step": None,
        "ratio": None,
    }
    ns = case.timestep_fs * 1e-6  # ns per step
    if steady:
        out["bare_ns_per_day"] = ns * 86400 / (steady["median"] * 1e-6)
        out["us_per_atom_step"] = steady["median"] / case.atoms
    if runner:
        out["runner_ns_per_day"] = ns * 86400 / (runner["median"] * 1e-6)
        ratios = [b[column] / r[column] for b, r in zip(case.bare_total, case.runner, strict=True)]
        out["ratio"] = {"median": statistics.median(ratios), "min": min(ratios), "max": max(ratios)}
        # Inside each runner run: the share in integrator.step (the runner's own
        # efficiency, free of the round-to-round scatter of the step speed), in the frame
        # reads and the velocity draw (OpenMM force evaluations), and the rest, synsoc's
        # own work, also in seconds per run (mostly fixed per run: context, start-state
        # hash, t = 0 chunk, assembly, final state; it shrinks per step as runs grow).
        parts = zip(case.runner, case.runner_step, case.runner_reads, strict=True)
        shares = [(s[column] / t[column], r[column] / t[column]) for t, s, r in parts]
        in_step = [a for a, _ in shares]
        out["runner_in_step"] = {
            "median": statistics.median(in_step),
            "min": min(in_step),
            "max": max(in_step),
        }
        out["openmm_evals_percent"] = 100 * statistics.median(b for _, b in shares)
        own = [1 - a - b for a, b in shares]
        out["synsoc_own_percent"] = 100 * statistics.median(own)
        out["synsoc_own_s_per_run"] = statistics.median(
            (t[column] - s[column] - r[column]) * case.steps
            for t, s, r in zip(case.runner, case.runner_step, case.runner_reads, strict=True)
        )
        # The same run at the production length of the base config (md.production_ps at
        # md.frame_interval_ps; 40 ps at 0.4 ps by default), from the bare step cost, one
        # force evaluation per frame, one for t = 0 and one for the velocities, and the
        # measured own seconds per run.
        steps = round(case.production_ps / (case.timestep_fs * 1e-3))
        frames = round(case.production_ps / case.production_frame_ps)
        step_s = steady["median"] * 1e-6
        run_s = steps * step_s + (frames + 2) * step_s + out["synsoc_own_s_per_run"]
        out["bare_context_s_per_run"] = statistics.median(x[column] for x in case.bare_setup)
        out["production_ps"] = case.production_ps
        out["projected_in_step_at_production"] = steps * step_s / run_s
    return out


def _range(stats: dict | None, digits: int) -> str:
    if stats is None:
        return "—"
    return f"{stats['median']:.{digits}f} [{stats['min']:.{digits}f}–{stats['max']:.{digits}f}]"


def _print_table(rows: list[dict], clock: str) -> None:
    print(
        f"\nus per step ({clock} clock): median [min–max] over rounds; ns/day from the "
        "median. ratio = bare end-to-end / runner, paired by round (goal >= 0.95); in-step "
        "= share of the runner's time inside integrator.step, evals% = inside getState and "
        "setVelocitiesToTemperature (OpenMM force evaluations: frame energies, release "
        "velocities), own% / own s = the rest (synsoc's own work, its context creation "
        "included), per run; ctx s = the bare loop's context creation + setState; @prod = "
        "in-step projected to the base config's production run (40 ps at 0.4 ps frames by default)"
    )
    print(
        f"{'system':<14}{'atoms':>6} {'steps':>6} {'/frame':>6}  {'bare us/step':<24}"
        f"{'runner us/step':<24}{'bare ns/d':>9}{'run ns/d':>9}{'us/atom':>8}"
        f"  {'ratio':<20}{'in-step':<20}{'evals%':>7}{'own%':>6}{'own s':>6}{'ctx s':>6}"
        f"{'@prod':>7}"
    )
    nan = float("nan")
    for row in rows:
        print(
            f"{row['system']:<14}{row['atoms']:>6} {row['steps']:>6} "
            f"{row['steps_per_frame'] or '—':>6}  {_cell(row['bare_us_per_step']):<24}"
            f"{_cell(row['runner_us_per_step']):<24}"
            f"{row['bare_ns_per_day'] or nan:>9.2f}{row['runner_ns_per_day'] or nan:>9.2f}"
            f"{row['us_per_atom_step'] or nan:>8.3f}  {_range(row['ratio'], 3):<20}"
            f"{_range(row.get('runner_in_step'), 3):<20}"
            f"{row.get('openmm_evals_percent', nan):>7.2f}"
            f"{row.get('synsoc_own_percent', nan):>6.2f}"
            f"{row.get('synsoc_own_s_per_run', nan):>6.2f}"
            f"{row.get('bare_context_s_per_run', nan):>6.2f}"
            f"{row.get('projected_in_step_at_production', nan):>7.3f}"
        )
    for row in rows:
        print(f"  {row['system']}: {row['note']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--config",
        default=None,
        help="config whose md section the cleft systems start from (default: the schema "
        "defaults, the 375-atom cleft; config/config.yaml's demo has 8 transmitters, 456)",
    )
    parser.add_argument(
        "--sizes",
        default=",".join(DEFAULT_SIZES),
        help=f"cleft systems, comma-separated, of {','.join(CLEFTS)} (implicit-25k: bare "
        "loop only, about 30 s a step on one thread, 10 min in all)",
    )
    parser.add_argument(
        "--references",
        default=",".join(REFERENCES),
        help=f"OpenMM systems, comma-separated, of {','.join(REFERENCES)} ('' for none)",
    )
    parser.add_argument(
        "--dhfr-dir",
        type=Path,
        default=None,
        help="folder with 5dfr_minimized.pdb and 5dfr_solv-cube_equil.pdb of OpenMM's "
        "examples/benchmarks (not in the wheel); without it the DHFR rows are skipped",
    )
    parser.add_argument(
        "--water-nm",
        default="2.2,3.7",
        help="edges of the TIP3P reference cubes, nm, comma-separated (>= 1.8: PME cutoff)",
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--platform", default="CPU", help="OpenMM platform (default CPU)")
    parser.add_argument("--threads", type=int, default=1, help="CPU threads (default 1)")
    parser.add_argument(
        "--reference-seconds",
        type=float,
        default=1.5,
        help="target length of one reference measurement (steps calibrated to it)",
    )
    parser.add_argument(
        "--clock", choices=("cpu", "wall"), default=None, help="default: cpu on CPU, wall on GPU"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    sizes = [s for s in args.sizes.split(",") if s]
    unknown = set(sizes) - set(CLEFTS)
    references = [r for r in args.references.split(",") if r]
    unknown |= set(references) - set(REFERENCES)
    if unknown:
        parser.error(f"unknown systems {sorted(unknown)}")

    platform = select_platform(args.platform, threads=args.threads)
    clock = args.clock or ("cpu" if platform.name in ("CPU", "Reference") else "wall")
    column = 1 if clock == "cpu" else 0
    base_md = {} if args.config is None else load_config(args.config)["md"]
    base_md.pop("variants", None)
    base_md["platform"] = platform.name
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    with tempfile.TemporaryDirectory() as tmp:
        cases: list[Case] = []
        for name in sizes:
            t0 = time.perf_counter()
            cases.append(_cleft_case(name, base_md, platform, Path(tmp)))
            print(f"prepared {name}: {cases[-1].atoms} atoms ({time.perf_counter() - t0:.0f} s)")
        for name in references:
            for water in args.water_nm.split(",") if name == "water" else [None]:
                t0 = time.perf_counter()
                case = _reference_case(
                    name,
                    args.dhfr_dir,
                    None if water is None else float(water),
                    platform,
                    args.reference_seconds,
                )
                if case is None:
                    print(f"skipped {name}: no --dhfr-dir with {DHFR_FILES[name]}")
                    continue
                cases.append(case)
                print(
                    f"prepared {case.name}: {case.atoms} atoms ({time.perf_counter() - t0:.0f} s)"
                )
        for index in range(args.rounds):
            for case in cases:
                # Alternate which of the pair goes first, so a drift in load hits both.
                pair = [case.run_bare, case.run_runner]
                for run in pair if index % 2 == 0 else pair[::-1]:
                    if run is not None:
                        run()
                last = case.bare_steady[-1][column] * 1e6
                runner = f", runner {case.runner[-1][column] * 1e6:.0f}" if case.runner else ""
                print(f"round {index} {case.name}: bare {last:.0f}{runner} us/step", flush=True)
    rows = [_summary(case, column) for case in cases]
    _print_table(rows, clock)
    print(
        json.dumps(
            {
                "bench": "md_scaling",
                "date": started,
                "platform": platform.name,
                "device": platform.device,
                "openmm": openmm.version.version,
                "clock": clock,
                "rounds": args.rounds,
                "threads": args.threads,
                "systems": rows,
            }
        )
    )


if __name__ == "__main__":
    main()
