"""Handlers of the ``memories`` function (routes without a handler answer 501 until built)."""
