"""The life of a C handle in Python: close(), `with`, and a finalizer as a safety net."""

import weakref

from .errors import ClosedError


def _release(free, pointer, dependents, keep_alive):
    """Frees the handles made over this one first (a cipher before its store), then this one."""
    for finalizer in list(dependents):
        finalizer()
    dependents.clear()
    free(pointer)
    del keep_alive


class Handle:
    """A C handle owned by Python. Released by close(), the end of a `with` block, or,
    failing both, when the object is collected. Handles made over this one (ciphers and
    pre-key managers over a store) are released with it, before it; using any of them
    afterwards raises ClosedError. Closing twice does nothing."""

    _kind = "handle"

    def __init__(self, pointer, free, owner=None, keep_alive=()):
        self._owner = owner  # keeps the owner alive as long as this handle
        self._dependents = set()
        self._finalizer = weakref.finalize(self, _release, free, pointer, self._dependents, tuple(keep_alive))
        self._pointer = pointer
        if owner is not None:
            owner._adopt(self._finalizer)

    def _adopt(self, finalizer):
        if len(self._dependents) > 32:  # forget the ones already closed
            self._dependents.difference_update([f for f in list(self._dependents) if not f.alive])
        self._dependents.add(finalizer)

    @property
    def _handle(self):
        """The C pointer, for a call; ClosedError once released."""
        if not self._finalizer.alive:
            raise ClosedError(f"this {self._kind} is closed")
        return self._pointer

    @property
    def closed(self):
        """Whether the handle was released."""
        return not self._finalizer.alive

    def close(self):
        """Releases the C handle (and those made over it) now. Safe to call again."""
        self._finalizer()

    def __enter__(self):
        self._handle  # refuses a closed handle
        return self

    def __exit__(self, *exc_info):
        self.close()

    def __repr__(self):
        state = "closed" if self.closed else "open"
        return f"<cliquet.{type(self).__name__} ({state})>"
