"""Modal screens: help and briefing export."""
