"""Handlers of the ``presets`` function (routes without a handler answer 501 until built)."""
