"""Descriptor counting, for `end`'s leaked_fds (PROTOCOL.md, "end").

    before = open_fds(); ...; leaked = len(open_fds() - before)
"""

import os


def open_fds():
    """open_fds returns the set of this process's open descriptors, or None where /proc cannot
    tell (then the driver reports leaked_fds null)."""
    try:
        names = os.listdir("/proc/self/fd")
    except OSError:
        return None
    fds = set()
    for n in names:
        try:
            fd = int(n)
            os.fstat(fd)  # the descriptor listdir itself used is closed by now
        except (ValueError, OSError):
            continue
        fds.add(fd)
    return fds


def count_new(before):
    """count_new returns how many descriptors are open now that were not in `before`, or None
    when either reading is unavailable."""
    if before is None:
        return None
    after = open_fds()
    return len(after - before) if after is not None else None
