"""SIGTERM: drain the streaming runtime first, then let the server shut down as it would.

Cloud Run sends SIGTERM and allows a grace period (10 s) before SIGKILL. uvicorn reacts to
SIGTERM by closing its listeners and waiting for open responses, but an SSE response only
ends when its stream does. So the drain runs first: starts are refused (503), every local
job is checkpointed and ended with a terminal frame, streams owned elsewhere are closed so
their clients reconnect to another instance; then the previous handler (uvicorn's) runs.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections.abc import Callable
from typing import Any

from gorunchat.streaming.runtime import StreamingRuntime

log = logging.getLogger("gorunchat.streaming.shutdown")


def install_drain_on_sigterm(runtime: StreamingRuntime) -> Callable[[], None]:
    """Hook SIGTERM (main thread only); returns a function that restores the old handler."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    loop = asyncio.get_running_loop()
    previous: Any = signal.getsignal(signal.SIGTERM)
    restored = False

    def restore() -> None:
        nonlocal restored
        if not restored:
            restored = True
            loop.remove_signal_handler(signal.SIGTERM)
            signal.signal(signal.SIGTERM, previous)

    def hand_over(_: object) -> None:
        restore()
        if callable(previous):
            previous(signal.SIGTERM, None)
        else:
            signal.raise_signal(signal.SIGTERM)

    def on_sigterm() -> None:
        log.warning("SIGTERM: draining generations")
        task = loop.create_task(runtime.drain())
        task.add_done_callback(hand_over)

    loop.add_signal_handler(signal.SIGTERM, on_sigterm)
    return restore
