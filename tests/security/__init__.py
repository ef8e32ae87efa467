"""Red-team suite: hostile users against real servers (issue: read-only promise)."""
