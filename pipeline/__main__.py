"""`python -m pipeline` is `readcast`."""

from .cli import main

if __name__ == "__main__":  # worker processes started by a fork server import this module too
    main(prog_name="readcast")
