"""Child processes that die with the harness, whatever way the harness ends."""

import ctypes
import signal
import subprocess

_PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True)


def _die_with_parent():
    # Linux prctl(2): deliver SIGKILL to the child when the thread that
    # forked it exits, so even a SIGKILLed harness leaves nothing behind.
    _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def popen(argv, **kwargs):
    """subprocess.Popen for a child that must not outlive the harness.

    Call from the main thread only (the death signal follows the forking thread).
    """
    return subprocess.Popen(argv, preexec_fn=_die_with_parent, **kwargs)


def stop(proc, grace=2.0):
    """Terminate proc (by its PID) and reap it; kill it if it ignores SIGTERM."""
    if proc is None:
        return None
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode
