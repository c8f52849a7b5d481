"""One case's state: its names, the objects its calls created, its background actions.

    case = Case("inet.aton.two_part_shorthand", Namespace(socket))
    case.track(value)      # every call's result: what has a close() is closed at `end`
"""

import sys
import weakref

from .descriptors import open_fds

# How deep into nested tuples and lists a call's result is searched for closeable objects
# (socketpair() returns a tuple, recvmsg() a tuple holding a list).
TRACK_DEPTH = 3


class Case:
    """Case is one case's state, from `begin` to `end`. REQUIRES: `names` is a fresh Namespace."""

    def __init__(self, case_id, names):
        self.case_id = case_id
        self.names = names
        self.created = []      # weak (or, when impossible, strong) references to closeable objects
        self.background = []   # (step, handle, result dict) in the order they were started
        self.fds_before = open_fds()

    def track(self, value, depth=0):
        """track remembers the objects in a call's result that own resources (anything with a
        close() method but a class or a module), so `end` can close them."""
        if depth > TRACK_DEPTH:
            return
        if isinstance(value, (tuple, list)):
            for v in value:
                self.track(v, depth + 1)
            return
        if isinstance(value, (type, type(sys))) or not callable(getattr(value, "close", None)):
            return
        try:
            self.created.append(weakref.ref(value))
        except TypeError:
            self.created.append(lambda v=value: v)

    def live_objects(self, newest_first=False):
        """live_objects returns the tracked objects not yet garbage collected."""
        refs = reversed(self.created) if newest_first else self.created
        return [obj for obj in (ref() for ref in refs) if obj is not None]
