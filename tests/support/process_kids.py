"""Real child processes for the process-group tests: each one renames itself
with prctl(PR_SET_NAME) (any bytes, as a real program can), starts a given
number of extra threads, keeps exactly 3 + `files` fds open, reports ready on
a pipe and waits for commands on stdin ("burn <seconds>", "spawn <name>",
"files <n>" to hold n files from now on, "exit"). Python stdlib only."""

import os
import subprocess
import sys
import time

_CHILD = r'''
import ctypes, os, sys, threading, time
name = bytes.fromhex(sys.argv[1])
threads, files = int(sys.argv[2]), int(sys.argv[3])
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(15, ctypes.c_char_p(name), 0, 0, 0) != 0:  # PR_SET_NAME
    sys.exit("prctl failed")
stop = threading.Event()
for _ in range(threads):
    threading.Thread(target=stop.wait, daemon=True).start()
report = os.fdopen(os.dup(1), "w")
null = os.open("/dev/null", os.O_RDWR)
os.dup2(null, 1)
os.dup2(null, 2)
os.close(null)
os.closerange(3, report.fileno())
os.closerange(report.fileno() + 1, 4096)
held = [os.open("/dev/null", os.O_RDONLY) for _ in range(files)]
# fd 0 (commands), 1 and 2 (/dev/null), the report pipe and `files` files:
# close the report pipe after "ready" so that exactly 3 + files stay open.
report.write("ready %d\n" % os.getpid())
report.flush()
report.close()
kids = []
for line in sys.stdin:
    cmd = line.split()
    if not cmd or cmd[0] == "exit":
        break
    if cmd[0] == "burn":
        end = time.process_time() + float(cmd[1])
        while time.process_time() < end:
            pass
    if cmd[0] == "files":
        want = int(cmd[1])
        while len(held) < want:
            held.append(os.open("/dev/null", os.O_RDONLY))
        while len(held) > want:
            os.close(held.pop())
    if cmd[0] == "spawn":
        # A grandchild that renames itself and waits on the same stdin pipe.
        pid = os.fork()
        if pid == 0:
            libc.prctl(15, ctypes.c_char_p(bytes.fromhex(cmd[1])), 0, 0, 0)
            time.sleep(3600)
            os._exit(0)
        kids.append(pid)
        time.sleep(0.05)
for pid in kids:
    os.kill(pid, 9)
    os.waitpid(pid, 0)
'''


class Kid:
    """One child process. `name` is bytes (at most 15, as the kernel keeps)."""

    def __init__(self, name, threads=0, files=0):
        self.name = name
        self.threads = threads
        self.files = files
        r, w = os.pipe()
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _CHILD, name.hex(), str(threads), str(files)],
            stdin=subprocess.PIPE, stdout=w, stderr=subprocess.DEVNULL, close_fds=True,
            pass_fds=(w,))
        os.close(w)
        self._ready = os.fdopen(r)

    def wait_ready(self, timeout=10.0):
        deadline = time.monotonic() + timeout
        line = self._ready.readline()  # blocks until the child writes or exits
        if not line.startswith("ready") or time.monotonic() > deadline:
            raise RuntimeError(f"child {self.name!r} did not start: {line!r}")
        self._ready.close()
        # The child closes its report fd right after writing; wait until the
        # fd table says so, to count fds exactly.
        want = 3 + self.files
        while time.monotonic() < deadline:
            try:
                if len(os.listdir(f"/proc/{self.proc.pid}/fd")) == want:
                    return self
            except FileNotFoundError:
                break
            time.sleep(0.01)
        raise RuntimeError(f"child {self.name!r} never settled at {want} fds")

    @property
    def expected_threads(self):
        return self.threads + 1

    @property
    def expected_fds(self):
        return 3 + self.files

    def set_files(self, files, timeout=10.0):
        """Makes the child hold `files` files (3 + files fds in all) and waits
        until its fd table says so."""
        self.files = files
        self.send(f"files {files}")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(os.listdir(f"/proc/{self.proc.pid}/fd")) == self.expected_fds:
                return self
            time.sleep(0.01)
        raise RuntimeError(f"child {self.name!r} never reached {self.expected_fds} fds")

    def send(self, line):
        self.proc.stdin.write((line + "\n").encode())
        self.proc.stdin.flush()

    def stop(self):
        if self.proc.poll() is None:
            try:
                self.send("exit")
                self.proc.stdin.close()
                self.proc.wait(5)
            except Exception:
                self.proc.kill()
                self.proc.wait()


def start_all(specs):
    """specs: [(name bytes, threads, files)]; returns started, ready Kids."""
    kids = [Kid(*spec) for spec in specs]
    try:
        for kid in kids:
            kid.wait_ready()
    except Exception:
        stop_all(kids)
        raise
    return kids


def stop_all(kids):
    for kid in kids:
        kid.stop()
