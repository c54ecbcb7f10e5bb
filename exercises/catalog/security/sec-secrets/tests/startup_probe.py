"""Starts the learner's app.py without one of its secrets and reports what happened.

No expected values here: the host compares. The other secret is set to a value
of the probe's own, so a message that prints the environment shows up.
"""
import os
import signal
import subprocess
import sys

VALUES = {"PAYMENT_API_KEY": "pk_probe_5e0c2b7d9a41", "APP_SECRET_KEY": "whsec_probe_c83f61a2d0e9"}
WAIT = 6  # seconds a server that does not stop is given before it counts as running


def start_without(name):
    env = {k: v for k, v in os.environ.items() if k not in VALUES}
    env.update({k: v for k, v in VALUES.items() if k != name})
    env["PORT"] = "18080"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    p = subprocess.Popen([sys.executable, "app.py"], cwd=os.getcwd(), env=env, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        out, _ = p.communicate(timeout=WAIT)
        stopped = p.returncode != 0
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)  # the server and any child it started (a reloader)
        out, _ = p.communicate()
        stopped = False
    text = out.decode("utf-8", "replace")
    return {
        "stopped": stopped,
        "names_the_variable": name in text,
        "prints_a_secret": any(v in text for v in VALUES.values()),
    }
