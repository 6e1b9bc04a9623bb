"""Cloud Run entry point of the streaming service: ``uvicorn --factory main:create_app``.

Importing this module does no I/O; the factory builds the app, whose lifespan connects to
Redis and the store. Settings come from the environment (``REDIS_URL``, ``JWT_SECRET``,
``MONGO_URI`` or ``GORUNCHAT_DATA_DIR``, ``GORUNCHAT_STREAM_*``).
"""

from __future__ import annotations

from gorunchat.streaming.app import create_app

__all__ = ["create_app"]
