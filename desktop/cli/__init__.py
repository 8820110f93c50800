"""`branch-desk` sub-commands: the same services as the GUI, without a window (CLI.md)."""
