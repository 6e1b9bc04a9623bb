"""Handlers of the ``prompts`` function (routes without a handler answer 501 until built)."""
