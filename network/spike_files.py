"""Spike records streamed to disk: one ``.npy`` file per array, appended chunk by chunk.

:func:`network.engine.simulate` with ``spike_dir`` hands every kernel call's spikes to a
:class:`SpikeFiles` writer instead of keeping them, so a run's memory does not grow with
its length. The writer appends raw chunks to ``<array>.npy`` files inside a hidden
``.<name>.part-<pid>`` directory beside the destination; :meth:`SpikeFiles.finish` writes
each file's final ``.npy`` header in place (numpy pads a header so that its shape can
grow to 21 digits without changing its length), closes the files and renames the
directory to its destination. A writer killed midway leaves only the ``.part``
directory, never a destination holding partial arrays (as with
:func:`synsoc.io.atomic_path`, nothing is fsync'ed: the guarantee covers a killed
process, not a power cut). :func:`load_spike_files` opens a finished directory as
read-only memory maps; ``np.load`` reads each file like any ``.npy``.

Memory: the page cache holds written pages, but they are not the process's resident
set; reading a memory-mapped array does add the pages it touches to the resident set
(clean, reclaimable file pages), so code that must stay small reads in slices.
"""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import numpy as np

__all__ = ["SPIKE_ARRAYS", "SpikeArrays", "SpikeFiles", "load_spike_files"]

SPIKE_ARRAYS = {
    "step": np.dtype(np.int64),
    "neuron": np.dtype(np.int32),
    "parent": np.dtype(np.int64),
    "kick_step": np.dtype(np.int64),
}
"""Arrays of a streamed record and their dtypes (as in :class:`network.engine.SpikeRecord`)."""

_BLOCK = 1 << 24  # elements per block of SpikeArrays: 64 MB (int32) or 128 MB (int64)


def _header(dtype: np.dtype, length: int) -> bytes:
    """``.npy`` (version 1.0) header of a 1-D array; its length does not depend on ``length``."""
    out = io.BytesIO()
    header = {"descr": np.lib.format.dtype_to_descr(dtype), "fortran_order": False}
    np.lib.format.write_array_header_1_0(out, {**header, "shape": (length,)})
    return out.getvalue()


class SpikeArrays:
    """In-memory counterpart of :class:`SpikeFiles` (same methods).

    Chunks are copied into blocks of ``_BLOCK`` elements per array, allocated empty: a
    block is above glibc's largest mmap threshold (32 MB), so it is its own mapping whose
    untouched pages cost nothing and which returns to the system when freed. Small chunk
    copies would sit in the heap, which a later free does not shrink, and concatenating
    them held every spike twice. :meth:`finish` copies block by block into one array per
    name, freeing each block once copied: the peak is the record plus one block.
    """

    def __init__(self):
        self.restart()

    def __enter__(self) -> SpikeArrays:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        self.abort()

    def append(self, **chunks: np.ndarray) -> None:
        """Copy one chunk of some of the arrays (keyword: array name, value: 1-D array)."""
        for name, chunk in chunks.items():
            blocks, n = self._blocks[name], self.lengths[name]
            done = 0
            while done < chunk.size:
                at = n % _BLOCK
                if at == 0:
                    blocks.append(np.empty(_BLOCK, SPIKE_ARRAYS[name]))
                take = min(chunk.size - done, _BLOCK - at)
                blocks[-1][at : at + take] = chunk[done : done + take]
                done += take
                n += take
            self.lengths[name] = n

    def restart(self) -> None:
        """Drop everything kept so far."""
        self._blocks = {name: [] for name in SPIKE_ARRAYS}
        self.lengths = dict.fromkeys(SPIKE_ARRAYS, 0)

    def finish(self) -> dict[str, np.ndarray]:
        """The arrays (dtypes of :data:`SPIKE_ARRAYS`), each block freed once copied."""
        arrays = {}
        for name, dtype in SPIKE_ARRAYS.items():
            out = np.empty(self.lengths[name], dtype)
            blocks = self._blocks[name]
            for start in range(0, out.size, _BLOCK):
                block = blocks.pop(0)
                out[start : start + _BLOCK] = block[: out.size - start]
                del block  # the last reference: the mapping is released
            arrays[name] = out
        self.restart()
        return arrays

    def abort(self) -> None:
        """Drop the blocks (the arrays returned by :meth:`finish` are not affected)."""
        self.restart()


class SpikeFiles:
    """Append-only writer of a spike record's arrays (:data:`SPIKE_ARRAYS`).

    Use as a context manager: leaving the block by an exception removes the partial
    files; :meth:`finish` publishes them.

    Parameters
    ----------
    directory : path-like
        Destination directory, holding ``step.npy``, ``neuron.npy``, ``parent.npy`` and
        ``kick_step.npy`` once finished. An existing one is replaced at :meth:`finish`.
    """

    def __init__(self, directory: str | os.PathLike):
        self.directory = Path(directory)
        self.directory.parent.mkdir(parents=True, exist_ok=True)
        self._part = self.directory.with_name(f".{self.directory.name}.part-{os.getpid()}")
        shutil.rmtree(self._part, ignore_errors=True)
        self._part.mkdir()
        self._handles = {}
        for name, dtype in SPIKE_ARRAYS.items():
            handle = open(self._part / f"{name}.npy", "wb")  # noqa: SIM115 (closed in finish/abort)
            handle.write(_header(dtype, 0))
            self._handles[name] = handle
        self.lengths = dict.fromkeys(SPIKE_ARRAYS, 0)

    def __enter__(self) -> SpikeFiles:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is not None or self._handles:  # an exception, or never finished
            self.abort()

    def append(self, **chunks: np.ndarray) -> None:
        """Append one chunk to some of the arrays (keyword: array name, value: 1-D array)."""
        for name, chunk in chunks.items():
            chunk = np.ascontiguousarray(chunk, SPIKE_ARRAYS[name])
            self._handles[name].write(memoryview(chunk).cast("B"))
            self.lengths[name] += chunk.size

    def restart(self) -> None:
        """Drop everything appended so far (the record restarts after a warm-up)."""
        for name, handle in self._handles.items():
            handle.seek(len(_header(SPIKE_ARRAYS[name], 0)))
            handle.truncate()
            self.lengths[name] = 0

    def finish(self) -> dict[str, np.ndarray]:
        """Write the final headers, close the files, publish the directory, map its arrays.

        Returns
        -------
        dict of str to np.memmap
            :func:`load_spike_files` of the published directory.
        """
        for name, handle in self._handles.items():
            header = _header(SPIKE_ARRAYS[name], self.lengths[name])
            if len(header) != len(_header(SPIKE_ARRAYS[name], 0)):  # > 21 digits
                raise ValueError(f"{name}: {self.lengths[name]} elements overflow the header")
            handle.seek(0)
            handle.write(header)
            handle.close()
        self._handles = {}
        if self.directory.exists():
            shutil.rmtree(self.directory)
        os.replace(self._part, self.directory)
        return load_spike_files(self.directory)

    def abort(self) -> None:
        """Close and remove the partial files (the destination is left as it was)."""
        for handle in self._handles.values():
            handle.close()
        self._handles = {}
        shutil.rmtree(self._part, ignore_errors=True)


def load_spike_files(directory: str | os.PathLike) -> dict[str, np.ndarray]:
    """Read-only memory maps of a finished :class:`SpikeFiles` directory.

    Parameters
    ----------
    directory : path-like

    Returns
    -------
    dict of str to np.memmap
        ``step``, ``neuron``, ``parent``, ``kick_step`` (dtypes of :data:`SPIKE_ARRAYS`).

    Raises
    ------
    FileNotFoundError
        If an array file is missing (e.g. the writer never finished).
    """
    directory = Path(directory)
    arrays = {}
    for name, dtype in SPIKE_ARRAYS.items():
        path = directory / f"{name}.npy"
        if not path.is_file():
            raise FileNotFoundError(f"spike array file not found: {path}")
        array = np.load(path, mmap_mode="r")
        if array.dtype != dtype or array.ndim != 1:
            raise ValueError(
                f"{path}: expected a 1-D {dtype} array, got {array.dtype} {array.shape}"
            )
        arrays[name] = array
    return arrays
