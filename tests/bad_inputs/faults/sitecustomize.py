"""Operating-system faults for the bad-input tests, injected into the installed command.

The tests put this folder on ``PYTHONPATH`` of the subprocess, so Python imports this
module at start-up; it reads ``CXSURVEY_TEST_FAULTS`` (JSON: a list of ``{"path": ...,
"errno": ..., "on": ...}``) and makes the file functions the command uses fail as the
system would:

- ``"read"``: opening the file ``path`` for reading;
- ``"create"``: creating a file in the folder ``path`` (a read-only or locked folder);
- ``"write"``: writing to a file in the folder ``path`` (a full disk).

Without the variable nothing is changed. It serves where the system cannot produce the
fault itself (root reads every file, a container may not mount a tmpfs).
"""

from __future__ import annotations

import builtins
import io
import json
import os
from pathlib import Path
from typing import Any

_FAULTS = json.loads(os.environ.get("CXSURVEY_TEST_FAULTS", "[]"))


def _error(fault: dict[str, Any], name: object) -> OSError:
    code = int(fault["errno"])
    return OSError(code, os.strerror(code), str(name))


def _match(kind: str, name: object) -> dict[str, Any] | None:
    try:
        path = Path(os.fsdecode(name)).absolute()  # type: ignore[arg-type]
    except TypeError:  # a file descriptor
        return None
    for fault in _FAULTS:
        target = Path(fault["path"])
        if fault["on"] == kind and (path == target if kind == "read"
                                    else path.parent == target):
            return fault
    return None


class _FullDisk:
    """A file opened for writing whose writes fail (the disk is full)."""

    def __init__(self, handle: Any, fault: dict[str, Any]) -> None:
        self._handle, self._fault = handle, fault

    def write(self, data: object) -> int:
        raise _error(self._fault, self._handle.name)

    def __enter__(self) -> _FullDisk:
        return self

    def __exit__(self, *exc: object) -> None:
        self._handle.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._handle, name)


if _FAULTS:
    _open, _os_open = io.open, os.open

    def _faulty_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        writing = any(c in mode for c in "wax+")
        fault = _match("create" if writing else "read", file)
        if fault is not None:
            raise _error(fault, file)
        handle = _open(file, mode, *args, **kwargs)
        fault = _match("write", file) if writing else None
        return handle if fault is None else _FullDisk(handle, fault)

    def _faulty_os_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        creating = bool(flags & (os.O_CREAT | os.O_WRONLY | os.O_RDWR))
        fault = _match("create" if creating else "read", path)
        if fault is not None:
            raise _error(fault, path)
        return _os_open(path, flags, *args, **kwargs)

    builtins.open = io.open = _faulty_open  # type: ignore[assignment]
    os.open = _faulty_os_open  # type: ignore[assignment]
