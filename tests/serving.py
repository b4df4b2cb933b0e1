"""Helpers to run `briefgen serve` as a real process on 127.0.0.1 in tests."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path


class ServeProcess:
    """`briefgen serve --port 0` for a project, with its output collected line by line."""

    def __init__(self, project: Path, tmpdir: Path, *extra: str) -> None:
        # PYTHONFAULTHANDLER: a server that does not stop shows where it hangs (see stop).
        env = {
            **os.environ,
            "TMPDIR": str(tmpdir),
            "PYTHONUNBUFFERED": "1",
            "PYTHONFAULTHANDLER": "1",
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "briefgen",
                "serve",
                "--project",
                str(project),
                "--port",
                "0",
                *extra,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        line = self.wait_for(r"serving (http://127\.0\.0\.1:\d+/\S*)")
        match = re.search(r"serving (http://\S+)", line)
        assert match
        self.url = match.group(1)

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, pattern: str, timeout: float = 15.0, after: int = 0) -> str:
        """The first output line (from index ``after``) matching ``pattern``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines[after:]:
                if re.search(pattern, line):
                    return line
            if self.process.poll() is not None and not self._reader.is_alive():
                break
            time.sleep(0.02)
        raise AssertionError(f"no line matching {pattern!r}; output was:\n" + "\n".join(self.lines))

    def stop(self) -> int:
        """Ctrl-C, as a writer would; the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.send_signal(signal.SIGABRT)  # the faulthandler prints every stack
                try:
                    self.process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(timeout=5)
                self._reader.join(timeout=5)
                print("the server did not stop on Ctrl-C; its output:", *self.lines, sep="\n")
        self._reader.join(timeout=5)
        return self.process.returncode
