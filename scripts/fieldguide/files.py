"""Read untrusted files: regular files only, inside their folder, never more than a byte cap; and
write cache files whole or not at all.

A catalog is contributed input, and `--profile`/`--state` name any path. What is not a regular
file (a device such as /dev/zero, a FIFO, a folder named like a file) is refused before a single
byte is read, so nothing can hang or fill memory; a symbolic link is followed only when its
target stays inside the folder given as `inside` and is itself a regular file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path


class Unreadable(Exception):
    """The file cannot be read as a catalog file; the message says why, in one line."""


_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def kind(mode: int) -> str:
    """What a non-regular file is, in words."""
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def read_bytes(path: Path, cap: int, inside: Path | None = None) -> bytes:
    """The bytes of `path`, refusing anything but a regular file of at most `cap` bytes.

    `inside`: a folder the file (after following symbolic links) must stay in.
    """
    try:
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode) or inside is not None:
            # Resolved even when the file itself is no link: a linked folder may lead out as well.
            target = _resolve(path)
            if inside is not None and not _within(target, inside):
                raise Unreadable("symbolic link leads outside the catalog folder")
            if stat.S_ISLNK(info.st_mode):
                info = os.stat(target)
            path = target
        if not stat.S_ISREG(info.st_mode):
            raise Unreadable(f"not a regular file: it is {kind(info.st_mode)}")
        if info.st_size > cap:
            raise Unreadable(f"file is {info.st_size} bytes; the limit is {cap} bytes")
        # O_NONBLOCK: if the file was swapped for a FIFO since lstat, opening it must not wait.
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(path, flags)
    except Unreadable:
        raise
    except OSError as exc:
        raise Unreadable(_reason(exc)) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped between lstat and open
            raise Unreadable(f"not a regular file: it is {kind(os.fstat(fd).st_mode)}")
        chunks: list[bytes] = []
        left = cap + 1  # one byte more than allowed tells "too big" even if the file grew
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 16))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as exc:
        raise Unreadable(_reason(exc)) from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > cap:
        raise Unreadable(f"file is over {cap} bytes; the limit is {cap} bytes")
    return data


def _resolve(path: Path) -> Path:
    try:
        return Path(os.path.realpath(path, strict=True))
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise Unreadable("symbolic link loop") from None
        if exc.errno == errno.ENOENT:
            raise Unreadable("symbolic link to a file that does not exist") from None
        raise Unreadable(_reason(exc)) from None


def _within(target: Path, folder: Path) -> bool:
    try:
        root = Path(os.path.realpath(folder, strict=True))
    except OSError:
        return False
    return target == root or root in target.parents


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "symbolic link loop"
    return f"cannot read file: {exc.strerror or exc}"


def write_atomic(path: Path, text: str) -> bool:
    """Write `text` (UTF-8) to `path`, creating its folder: through a temporary file beside it and a
    rename, so a reader, or a build killed halfway, sees the old file or the new one, never a torn one.

    For caches, which are only a shortcut: False instead of an exception if it cannot be written (a
    read-only checkout still builds, only without the shortcut).
    """
    tmp = path.with_name(f"{path.name}.tmp{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        return False
    return True
