"""What the front ends call: one open index, its JSON results and its reader."""
