"""MCP client connections on the official ``mcp`` SDK (stdio, SSE, streamable HTTP).

Connections are a cache: any instance can rebuild one from configuration, so losing them on a
restart loses nothing.
"""
