"""Offline builder of capped peptides (ACE-sequence-NME) with Amber ff14SB hydrogens.

PeptideBuilder lays out the ideal-geometry backbone of ``G + sequence + G``; the end
glycines are trimmed and renamed to the ACE and NME caps, and ``Modeller.addHydrogens``
adds hydrogens at pH 7 from the amber14 templates (this works even for a single
residue, where PDBFixer's missing-residue route fails). No file is downloaded.
"""

from __future__ import annotations

import contextlib
import io
import logging
import random
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import openmm
import openmm.app as app
import openmm.unit as unit
import PeptideBuilder
from Bio.PDB import PDBIO

__all__ = ["CappedPeptide", "capped_peptide", "amber_forcefield", "seeded_python_random"]

logger = logging.getLogger(__name__)


def amber_forcefield(*extra: str) -> app.ForceField:
    """Amber ff14SB (``amber14-all.xml``) plus optional extra XML files."""
    return app.ForceField("amber14-all.xml", *extra)


@contextlib.contextmanager
def seeded_python_random(seed: int) -> Iterator[None]:
    """Seed Python's global ``random`` inside the block and restore it afterwards.

    ``openmm.app.Modeller`` draws hydrogen start positions and ion sites from the
    global ``random`` module; seeding it makes builds reproducible.
    """
    saved = random.getstate()
    random.seed(seed)
    try:
        yield
    finally:
        random.setstate(saved)


@dataclass(frozen=True)
class CappedPeptide:
    """One molecule: topology and coordinates centred on the origin.

    Attributes
    ----------
    sequence : str
        One-letter sequence between the caps.
    topology : openmm.app.Topology
        One chain ACE-...-NME with hydrogens.
    positions_nm : np.ndarray, shape=(n_atoms, 3), dtype=float
        Coordinates in nm, centroid at the origin.
    """

    sequence: str
    topology: app.Topology
    positions_nm: np.ndarray


def _rename(residue, old: str, new: str) -> None:
    atom = residue[old]
    residue.detach_child(old)
    atom.id = new
    atom.name = new
    atom.fullname = f" {new:<3s}"
    residue.add(atom)


def capped_peptide(
    sequence: str, *, forcefield: app.ForceField | None = None, seed: int = 0
) -> CappedPeptide:
    """Build ACE-``sequence``-NME with hydrogens (pH 7) from ideal geometry.

    Parameters
    ----------
    sequence : str
        One-letter amino-acid codes, e.g. ``"E"`` (capped glutamate) or ``"RR"``.
    forcefield : openmm.app.ForceField, optional
        Supplies the hydrogen templates; defaults to :func:`amber_forcefield`.
    seed : int
        Seed of the hydrogen placement (Modeller draws random start positions).

    Returns
    -------
    CappedPeptide
    """
    if not isinstance(sequence, str) or not sequence.isalpha() or not sequence.isupper():
        raise ValueError(f"sequence must be upper-case one-letter codes, got {sequence!r}")
    forcefield = forcefield or amber_forcefield()
    structure = PeptideBuilder.make_extended_structure("G" + sequence + "G")
    residues = list(structure.get_residues())
    first, last = residues[0], residues[-1]
    for atom in list(first):
        if atom.get_id() not in ("CA", "C", "O"):
            first.detach_child(atom.get_id())
    for atom in list(last):
        if atom.get_id() not in ("N", "CA"):
            last.detach_child(atom.get_id())
    first.resname, last.resname = "ACE", "NME"
    _rename(first, "CA", "CH3")
    _rename(last, "CA", "C")
    buffer = io.StringIO()
    writer = PDBIO()
    writer.set_structure(structure)
    writer.save(buffer)
    pdb = app.PDBFile(io.StringIO(buffer.getvalue()))
    modeller = app.Modeller(pdb.topology, pdb.positions)
    with seeded_python_random(seed):
        # Reference platform: the hydrogen relaxation is then bitwise reproducible.
        modeller.addHydrogens(
            forcefield, pH=7.0, platform=openmm.Platform.getPlatformByName("Reference")
        )
    positions = np.asarray(modeller.positions.value_in_unit(unit.nanometer), dtype=float)
    positions -= positions.mean(axis=0)
    logger.debug("built ACE-%s-NME: %d atoms", sequence, len(positions))
    return CappedPeptide(sequence, modeller.topology, positions)
