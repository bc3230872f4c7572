"""Text as minutebook matches and shows it: words folded and stemmed, terminal-safe output."""
