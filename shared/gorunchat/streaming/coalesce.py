"""Coalescing: provider deltas merged into at most one flush per window.

The first delta after a quiet window flushes at once (no added latency); deltas that arrive
sooner wait for the window to end and leave together, so the cost of a stream follows frames,
not tokens. Adjacent deltas of the same kind concatenate; a change of kind (reasoning → text)
starts a new run so that order is kept.
"""

from __future__ import annotations


class Coalescer:
    __slots__ = ("window", "_runs", "_last_flush")

    def __init__(self, window_s: float) -> None:
        self.window = window_s
        self._runs: list[tuple[str, list[str]]] = []
        self._last_flush = float("-inf")

    @property
    def pending(self) -> bool:
        return bool(self._runs)

    def add(self, kind: str, text: str) -> None:
        runs = self._runs
        if runs and runs[-1][0] == kind:
            runs[-1][1].append(text)
        else:
            runs.append((kind, [text]))

    def due_at(self) -> float:
        """When the pending deltas may leave (loop time)."""
        return self._last_flush + self.window

    def take(self, now: float) -> list[tuple[str, str]]:
        """The pending runs, merged; starts a new window at ``now``."""
        runs, self._runs = self._runs, []
        self._last_flush = now
        return [(kind, "".join(parts)) for kind, parts in runs]
