# Tries to reach the outside world, the Docker host and the Docker socket.
import os
import socket

TARGETS = [("8.8.8.8", 53), ("1.1.1.1", 443), ("172.17.0.1", 2375), ("172.17.0.1", 22), ("host.docker.internal", 80)]


def fizzbuzz(n):
    reached = []
    for host, port in TARGETS:
        try:
            socket.create_connection((host, port), timeout=0.5).close()
            reached.append("%s:%d" % (host, port))
        except OSError as e:
            print("%s:%d unreachable: %s" % (host, port, e))
    if os.path.exists("/var/run/docker.sock"):
        reached.append("docker.sock")
    if reached:
        raise RuntimeError("NETWORK REACHED: %s" % reached)
    return []
