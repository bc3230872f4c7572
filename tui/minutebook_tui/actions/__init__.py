"""The app's actions, by what the person is doing: reading, asking, keeping the index."""
