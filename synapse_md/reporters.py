"""Writers of the production outputs: one small reporter per file kind.

The habit is OpenMM's (``openmm/app/dcdreporter.py``): a reporter is a small object
that is handed every frame and owns one output format. These reporters are driven by
the resume loop of :mod:`synapse_md.production` instead of ``openmm.app.Simulation``
(whose loop steps in blocks of 10 and asks every reporter before each block), and they
write a **chunk** at a time, atomically, so that a chunk on disk is either complete or
absent:

- :class:`XTCReporter`: trajectory frames (float32 nm, ps, MD step, box) ->
  ``chunk_NNNNN.xtc``; :func:`read_xtc_chunks` and :func:`write_xtc` join the
  chunks into ``trajectory.xtc``;
- :class:`StateCSVReporter`: one row of :data:`STATE_COLUMNS` per frame ->
  ``chunk_NNNNN.csv``; :func:`join_state_csv` concatenates them into ``state.csv``;
- :class:`CheckpointReporter`: the binary OpenMM checkpoint after each chunk (same
  platform only) and, at the end, the portable ``final_state.xml``.

A frame's state is read from OpenMM once, converted to nm, ps and kJ/mol at that
boundary and checked for finiteness (:meth:`Frame.from_state`); the reporters only
copy numbers, so the per-frame Python work is a few appends.
"""

from __future__ import annotations

import io
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

import mdtraj
import numpy as np
import openmm
import openmm.app as app
import openmm.unit as unit

from synapse_md.simulation import check_finite, temperature_K
from synsoc.io import atomic_path, write_text

__all__ = [
    "STATE_COLUMNS",
    "Frame",
    "XTCReporter",
    "StateCSVReporter",
    "CheckpointReporter",
    "chunk_path",
    "write_xtc",
    "read_xtc_chunks",
    "join_state_csv",
    "write_topology_pdb",
]

logger = logging.getLogger(__name__)

STATE_COLUMNS = (
    "time_ps",
    "step",
    "potential_energy_kj_per_mol",
    "kinetic_energy_kj_per_mol",
    "temperature_K",
    "speed_ns_per_day",
)
"""Columns of ``state.csv`` (one row per trajectory frame)."""


def chunk_path(work: Path, index: int, suffix: str) -> Path:
    """``work/chunk_<index:05d><suffix>``: chunk ``index`` of one output kind."""
    return work / f"chunk_{index:05d}{suffix}"


@dataclass(frozen=True)
class Frame:
    """One trajectory frame, in nm, ps and kJ/mol.

    Attributes
    ----------
    time_ps : float
        Time since release.
    step : int
        MD step since release.
    positions_nm : np.ndarray, shape=(n_atoms, 3)
    box_nm : np.ndarray, shape=(3, 3)
        Periodic box vectors (OpenMM reports a default box also for a non-periodic system).
    potential_kj_per_mol, kinetic_kj_per_mol : float
    speed_ns_per_day : float
        Simulation speed of the current chunk so far (0 for the t = 0 frame).
    """

    time_ps: float
    step: int
    positions_nm: np.ndarray
    box_nm: np.ndarray
    potential_kj_per_mol: float
    kinetic_kj_per_mol: float
    speed_ns_per_day: float

    @classmethod
    def from_state(
        cls, state: openmm.State, *, time_ps: float, step: int, speed_ns_per_day: float, where: str
    ) -> Frame:
        """Read a frame from ``state`` (positions and energies) and check it is finite.

        Raises
        ------
        SimulationBlowUp
            Non-finite positions or energies; the message names ``where`` and ``step``.
        """
        positions = state.getPositions(asNumpy=True).value_in_unit(unit.nanometer)
        potential = state.getPotentialEnergy().value_in_unit(unit.kilojoule_per_mole)
        kinetic = state.getKineticEnergy().value_in_unit(unit.kilojoule_per_mole)
        # The sum is finite only if both are: NaN velocities show up in the kinetic energy.
        check_finite(positions, potential + kinetic, where, step)
        box = state.getPeriodicBoxVectors(asNumpy=True).value_in_unit(unit.nanometer)
        return cls(time_ps, step, positions, box, potential, kinetic, speed_ns_per_day)


def write_xtc(
    path: Path, xyz: np.ndarray, time: np.ndarray, step: np.ndarray, box: np.ndarray | None
) -> None:
    """Write an XTC file atomically.

    Parameters
    ----------
    path : Path
    xyz : np.ndarray, shape=(n_frames, n_atoms, 3), dtype=float32
        Positions in nm.
    time : np.ndarray, shape=(n_frames,), dtype=float32
        Times in ps.
    step : np.ndarray, shape=(n_frames,), dtype=int32
        MD steps.
    box : np.ndarray, shape=(n_frames, 3, 3), dtype=float32, or None
        Box vectors in nm (periodic systems) or ``None``.
    """
    with atomic_path(path) as tmp:
        with mdtraj.formats.XTCTrajectoryFile(str(tmp), "w") as handle:
            handle.write(xyz, time=time, step=step, box=box)


def read_xtc_chunks(
    paths: list[Path], *, periodic: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """Frames of several XTC files, concatenated in the given order.

    Parameters
    ----------
    paths : list of Path
        XTC files in frame order.
    periodic : bool
        Return the box vectors (files of a non-periodic system store none).

    Returns
    -------
    xyz : np.ndarray, shape=(n_frames, n_atoms, 3), dtype=float32
        Positions in nm.
    times : np.ndarray, shape=(n_frames,), dtype=float32
        Times in ps.
    steps : np.ndarray, shape=(n_frames,), dtype=int64
        MD steps.
    boxes : np.ndarray, shape=(n_frames, 3, 3), dtype=float32, or None
        Box vectors in nm (``None`` unless ``periodic``).
    """
    xyz, times, steps, boxes = [], [], [], []
    for path in paths:
        with mdtraj.formats.XTCTrajectoryFile(str(path)) as handle:
            chunk_xyz, chunk_time, chunk_step, chunk_box = handle.read()
        xyz.append(chunk_xyz)
        times.append(chunk_time)
        steps.append(chunk_step)
        boxes.append(chunk_box)
    return (
        np.concatenate(xyz),
        np.concatenate(times),
        np.concatenate(steps).astype(np.int64),
        np.concatenate(boxes) if periodic else None,
    )


class XTCReporter:
    """Trajectory frames of one chunk, written as one XTC file.

    Parameters
    ----------
    periodic : bool
        Store the box vectors (periodic systems only).
    """

    def __init__(self, periodic: bool) -> None:
        self.periodic = periodic
        self._clear()

    def _clear(self) -> None:
        self._xyz: list[np.ndarray] = []
        self._box: list[np.ndarray] = []
        self._time: list[float] = []
        self._step: list[int] = []

    def report(self, frame: Frame) -> None:
        """Add ``frame`` to the current chunk."""
        self._xyz.append(np.asarray(frame.positions_nm, dtype=np.float32))
        self._box.append(np.asarray(frame.box_nm, dtype=np.float32))
        self._time.append(frame.time_ps)
        self._step.append(frame.step)

    def write(self, path: Path) -> None:
        """Write the chunk's frames to ``path`` atomically and start a new chunk."""
        write_xtc(
            path,
            np.stack(self._xyz),
            np.array(self._time, dtype=np.float32),
            np.array(self._step, dtype=np.int32),
            np.stack(self._box) if self.periodic else None,
        )
        self._clear()


def _csv_row(row: tuple) -> str:
    time_ps, step, *energies = row
    return ",".join([repr(float(time_ps)), str(int(step)), *(repr(float(v)) for v in energies)])


class StateCSVReporter:
    """State-data rows (:data:`STATE_COLUMNS`) of one chunk, written as one CSV file.

    Parameters
    ----------
    dof : int
        Degrees of freedom of the system (for the instantaneous temperature).
    """

    def __init__(self, dof: int) -> None:
        self.dof = dof
        self._rows: list[tuple] = []

    def report(self, frame: Frame) -> None:
        """Add the row of ``frame`` to the current chunk."""
        self._rows.append(
            (
                frame.time_ps,
                frame.step,
                frame.potential_kj_per_mol,
                frame.kinetic_kj_per_mol,
                temperature_K(frame.kinetic_kj_per_mol, self.dof),
                frame.speed_ns_per_day,
            )
        )

    def write(self, path: Path) -> None:
        """Write the chunk's rows (with a header line) atomically and start a new chunk."""
        lines = [",".join(STATE_COLUMNS), *(_csv_row(row) for row in self._rows)]
        write_text(path, "\n".join(lines) + "\n")
        self._rows = []


def join_state_csv(paths: list[Path], out: Path) -> None:
    """Concatenate state CSV chunks into ``out`` (one header line), atomically."""
    rows = [row for path in paths for row in path.read_text().splitlines()[1:]]
    write_text(out, "\n".join([",".join(STATE_COLUMNS), *rows]) + "\n")


class CheckpointReporter:
    """Binary checkpoint after each chunk; portable final state at the end.

    OpenMM checkpoints (positions, velocities, parameters, step count and the
    integrator's random state) reload only on the same platform and OpenMM version;
    ``final_state.xml`` (``XmlSerializer``) is portable.

    Parameters
    ----------
    path : Path
        The checkpoint file, rewritten atomically by :meth:`report`.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def report(self, context: openmm.Context) -> None:
        """Save the checkpoint of ``context`` atomically."""
        with atomic_path(self.path) as tmp:
            tmp.write_bytes(context.createCheckpoint())

    def restore(self, context: openmm.Context, where: str) -> int | None:
        """Load the checkpoint into ``context``; its step, or ``None`` if absent or unreadable."""
        if not self.path.exists():
            return None
        try:
            context.loadCheckpoint(self.path.read_bytes())
        except openmm.OpenMMException as err:
            logger.warning("%s: checkpoint unreadable here (%s); starting over", where, err)
            return None
        return int(context.getStepCount())

    def finish(self, context: openmm.Context, state_xml: Path, checkpoint: Path) -> None:
        """Write the portable state of ``context`` to ``state_xml`` and copy the checkpoint."""
        final = context.getState(
            getPositions=True, getVelocities=True, getParameters=True, enforcePeriodicBox=False
        )
        write_text(state_xml, openmm.XmlSerializer.serialize(final))
        with atomic_path(checkpoint) as tmp:
            shutil.copyfile(self.path, tmp)


def write_topology_pdb(path: Path, topology: app.Topology, positions_nm: np.ndarray) -> None:
    """Write ``topology`` with ``positions_nm`` (shape=(n_atoms, 3), nm) as PDB, atomically."""
    buffer = io.StringIO()
    app.PDBFile.writeFile(topology, positions_nm.astype(float) * unit.nanometer, buffer)
    write_text(path, buffer.getvalue())
