"""Provenance records: configuration hash and package versions.

Every JSON artifact synsoc writes carries ``provenance(config)`` so a result can be
traced to the exact configuration and software that produced it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import platform
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = ["config_hash", "package_versions", "provenance", "source_hash", "TRACKED_PACKAGES"]

TRACKED_PACKAGES = (
    "synsoc",
    "openmm",
    "mdtraj",
    "numpy",
    "scipy",
    "networkx",
    "pandas",
    "pyarrow",
    "matplotlib",
    "snakemake",
    "numba",
)


def config_hash(config: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON form of a configuration.

    Parameters
    ----------
    config : Mapping
        Validated configuration (defaults filled in), JSON-serialisable.

    Returns
    -------
    str
        64 hexadecimal characters; key order does not change the hash.
    """
    canonical = json.dumps(config, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def package_versions() -> dict[str, str]:
    """Versions of Python and the packages synsoc's results depend on.

    Returns
    -------
    dict of str to str
        ``"not installed"`` for a tracked package that is absent.
    """
    versions = {"python": platform.python_version()}
    for name in TRACKED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def provenance(config: Mapping[str, Any]) -> dict[str, Any]:
    """The block every synsoc JSON output embeds under ``"provenance"``.

    Parameters
    ----------
    config : Mapping
        The configuration (or the section of it) that produced the result.

    Returns
    -------
    dict
        ``{"config_hash": str, "package_versions": dict}``.
    """
    return {"config_hash": config_hash(config), "package_versions": package_versions()}


def source_hash(*packages: str) -> str:
    """SHA-256 over the source files (``*.py``, ``*.yaml``) of installed packages.

    The Snakemake rules pass ``source_hash(<stage package>, "synsoc")`` as a parameter,
    so that changed package code (an upgrade, a local edit) reruns exactly the stages
    it belongs to; Snakemake alone only notices changed scripts, parameters and inputs.

    Parameters
    ----------
    *packages : str
        Importable package names, e.g. ``"network"``, ``"analysis.kinetics"``.

    Returns
    -------
    str
        16 hexadecimal characters; independent of the install location.

    Raises
    ------
    ModuleNotFoundError
        If a package cannot be found.
    """
    digest = hashlib.sha256()
    for name in packages:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            raise ModuleNotFoundError(f"no package named {name!r}")
        for folder in spec.submodule_search_locations:
            root = Path(folder)
            files = sorted(
                path
                for pattern in ("*.py", "*.yaml")
                for path in root.rglob(pattern)
                if "__pycache__" not in path.parts
            )
            for path in files:
                digest.update(f"{name}/{path.relative_to(root).as_posix()}\0".encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
