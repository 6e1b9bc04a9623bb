"""Handlers of the ``admin`` function (routes without a handler answer 501 until built)."""
