"""Handlers of the ``mcp`` function (routes without a handler answer 501 until built)."""
