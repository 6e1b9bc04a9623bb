"""Handlers of the ``share`` function (routes without a handler answer 501 until built)."""
