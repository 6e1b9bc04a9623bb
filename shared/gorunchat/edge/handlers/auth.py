"""Handlers of the ``auth`` function (routes without a handler answer 501 until built)."""
