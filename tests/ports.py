"""A free TCP port on the loopback interface, for the tests that start servers of their own
or need an address where nothing listens."""

import socket


def free_port() -> int:
    """A port that nothing listened on a moment ago (the kernel's choice)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
