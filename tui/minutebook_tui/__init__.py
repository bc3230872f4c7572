"""The minutebook terminal app: search, read, ask and brief from one keyboard-driven screen.

Start it with ``minutebook tui``; build it in code with ``minutebook_tui.app.make_app``.
"""
