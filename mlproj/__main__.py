"""`python -m mlproj` runs the CLI."""

from mlproj.cli import main

main()
