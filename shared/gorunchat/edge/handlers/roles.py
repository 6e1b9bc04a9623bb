"""Handlers of the ``roles`` function (routes without a handler answer 501 until built)."""
