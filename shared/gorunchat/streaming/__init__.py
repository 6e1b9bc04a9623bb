"""The chat streaming service: generation jobs, frame coalescing, SSE encoding and replay.

``gorunchat.streaming.app.create_app`` is the Starlette factory that Cloud Run serves
(``uvicorn --factory``) and the local gateway mounts.
"""
