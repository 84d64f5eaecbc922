"""Shared by crash_test.py and fault_test.py: running pith-merge and reading its state output."""
import json
import subprocess


def run(cmd, timeout=300, **kw):
    """(exit code, stdout, stderr) of cmd, decoded as UTF-8."""
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout, **kw)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def states_by_subject(text):
    """{pith_number: canonical line} from one-state-per-line output."""
    out = {}
    for line in text.splitlines():
        if line.strip():
            out[json.loads(line)["pith_number"]] = line
    return out
