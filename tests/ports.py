"""Ports for the servers tests start themselves (Redis, Varnish)."""

import itertools
import os
import socket

# Below 32768, where the kernel does not pick ports for client sockets; spread
# by process so that two test runs on one machine do not reach for the same.
_candidates = itertools.count(21000 + (os.getpid() % 500) * 20)


def free_port() -> int:
    """A port nothing listens on (or can be bound to) on 127.0.0.1 right now."""
    for port in _candidates:
        if port >= 32000:
            break
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port below 32000")
