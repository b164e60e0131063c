"""Read a file to lint without trusting what the path points at.

A linted folder can hold anything a name can: a FIFO called ``main.tf`` (``open`` waits
for a writer forever), a symlink to ``/dev/zero`` or ``/dev/urandom`` (``read`` never
ends, until MemoryError takes the whole run down), a symlink loop. Every file esmlint
reads for linting goes through :func:`read_bytes`: it opens without blocking, reads only
regular files, and never more than the size limit plus one byte, so one such path is
skipped with a reason and the other files are still linted.
"""

from __future__ import annotations

import errno
import os
import stat

#: Files larger than this are not read: no real template comes near it (CloudFormation
#: accepts 1 MB), and reading one would only cost memory and time.
MAX_FILE_BYTES = 50 * 1024 * 1024

_KINDS = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISDIR, "a directory"))


class NotReadable(OSError):
    """The path is not a regular file, or is larger than the limit: skipped, with why."""

    def __init__(self, reason: str, too_large: bool = False) -> None:
        super().__init__(reason)
        self.strerror = reason
        self.too_large = too_large


def kind_of(mode: int) -> str:
    """What a non-regular file is, for messages ("a FIFO (named pipe)")."""
    for test, name in _KINDS:
        if test(mode):
            return name
    return "something else"


def not_regular(path: str) -> str:
    """Why ``path`` cannot be linted as a file ("" when it is a regular file or does not
    exist): a FIFO, a device, a socket, a symlink loop. Never blocks, never reads."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "a symbolic link loop"
        if exc.errno == errno.ENOENT and os.path.islink(path):
            return "a broken symbolic link"
        return ""
    return "" if stat.S_ISREG(mode) else f"not a regular file but {kind_of(mode)}"


def read_bytes(path: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The content of regular file ``path``, at most ``limit`` bytes.

    Raises :class:`NotReadable` for anything else (a FIFO, a device, a file over the
    limit) and ``OSError`` when the file cannot be opened or read.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
                     | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise NotReadable("a symbolic link loop") from None
        raise
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):  # checked on what was opened: no race with a rename
            raise NotReadable(f"not a regular file but {kind_of(mode)}")
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
    if size > limit:
        raise NotReadable(f"larger than {limit // (1024 * 1024)} MiB", too_large=True)
    return b"".join(chunks)


def read_text(path: str, limit: int = MAX_FILE_BYTES) -> str:
    """:func:`read_bytes` decoded as UTF-8 (undecodable bytes replaced)."""
    return read_bytes(path, limit).decode("utf-8", errors="replace")
