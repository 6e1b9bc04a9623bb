"""Handlers of the ``tags`` function (routes without a handler answer 501 until built)."""
