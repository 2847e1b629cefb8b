"""Standard output that many request threads share, written a whole line at a time.

print() writes its text and its newline as two writes, and Powertools' metrics print; a log line
of another request can land between them, so one line holds two JSON objects (a reader of the
runner's output, as the log-context test is, then fails to parse it). Each thread's text is held
until its newline and the whole line is written under one lock.
"""

from __future__ import annotations

import threading
from typing import TextIO


class WholeLines:
    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._lock = threading.Lock()
        self._pending = threading.local()

    def write(self, text: str) -> int:
        held = getattr(self._pending, "text", "") + text
        head, newline, rest = held.rpartition("\n")
        self._pending.text = rest
        if newline:
            with self._lock:
                self._stream.write(head + newline)
                self._stream.flush()
        return len(text)

    def flush(self) -> None:
        # What a thread holds without a newline stays held: flushing it would split its line.
        with self._lock:
            self._stream.flush()

    def __getattr__(self, name: str) -> object:
        # encoding, isatty, fileno...: as the wrapped stream has them.
        return getattr(self._stream, name)
