"""OpenMM platform selection: CUDA -> OpenCL -> CPU, Reference only on request."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import openmm

__all__ = ["PlatformChoice", "AUTO_ORDER", "select_platform", "platform_properties"]

logger = logging.getLogger(__name__)

AUTO_ORDER = ("CUDA", "OpenCL", "CPU")


@dataclass(frozen=True)
class PlatformChoice:
    """A platform that created a working context, with the properties to use."""

    name: str
    properties: dict[str, str]
    device: str


def platform_properties(name: str, precision: str, threads: int | None) -> dict[str, str]:
    """Context properties of platform ``name``.

    Parameters
    ----------
    name : str
        ``CUDA``, ``OpenCL``, ``CPU`` or ``Reference``.
    precision : str
        ``mixed``, ``single`` or ``double`` (GPU platforms only).
    threads : int or None
        CPU threads (CPU platform only); ``None`` leaves OpenMM's default.
    """
    if name in ("CUDA", "OpenCL"):
        return {"Precision": precision}
    if name == "CPU" and threads is not None:
        if threads < 1:
            raise ValueError(f"threads must be >= 1, got {threads}")
        return {"Threads": str(threads)}
    return {}


def _device_name(context: openmm.Context) -> str:
    platform = context.getPlatform()
    for key in ("DeviceName", "OpenCLDeviceName", "CUDADeviceName"):
        if key in platform.getPropertyNames():
            return platform.getPropertyValue(context, key)
    if platform.getName() == "CPU":
        return f"CPU ({platform.getPropertyValue(context, 'Threads')} threads)"
    return platform.getName()


def _try_platform(name: str, properties: dict[str, str]) -> PlatformChoice:
    platform = openmm.Platform.getPlatformByName(name)
    system = openmm.System()
    system.addParticle(1.0)
    integrator = openmm.VerletIntegrator(0.001)
    context = openmm.Context(system, integrator, platform, properties)
    try:
        return PlatformChoice(name, dict(properties), _device_name(context))
    finally:
        del context, integrator


def select_platform(
    requested: str = "auto", *, precision: str = "mixed", threads: int | None = None
) -> PlatformChoice:
    """Choose the fastest working platform, or the requested one.

    Parameters
    ----------
    requested : str
        ``auto`` (CUDA, OpenCL, CPU in turn; the first that creates a context wins)
        or a platform name, which must work.
    precision : str
        GPU precision mode.
    threads : int, optional
        CPU platform threads.

    Returns
    -------
    PlatformChoice

    Raises
    ------
    ValueError
        Unknown ``requested`` value.
    openmm.OpenMMException
        The requested platform (or, for ``auto``, every candidate) fails.
    """
    if requested not in ("auto", *AUTO_ORDER, "Reference"):
        raise ValueError(f"requested must be auto, CUDA, OpenCL, CPU or Reference: {requested!r}")
    if precision not in ("mixed", "single", "double"):
        raise ValueError(f"precision must be mixed, single or double, got {precision!r}")
    candidates = AUTO_ORDER if requested == "auto" else (requested,)
    last_error: openmm.OpenMMException | None = None
    for name in candidates:
        properties = platform_properties(name, precision, threads)
        try:
            choice = _try_platform(name, properties)
        except openmm.OpenMMException as err:
            logger.info("platform %s unavailable: %s", name, str(err).partition("\n")[0])
            last_error = err
            continue
        logger.info(
            "OpenMM platform %s, device %s, properties %s",
            choice.name,
            choice.device,
            choice.properties,
        )
        return choice
    raise openmm.OpenMMException(f"no usable OpenMM platform among {candidates}: {last_error}")
