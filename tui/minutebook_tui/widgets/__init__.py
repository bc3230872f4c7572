"""The areas of the main screen."""
