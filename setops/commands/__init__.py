"""One module per command: parse options, call the core, print, return an exit code."""
