"""`python -m pipeline` is `readcast`."""

from .cli import main

main(prog_name="readcast")
