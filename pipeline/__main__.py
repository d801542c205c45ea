"""`python -m pipeline` is `readcast`."""

from .cli import entry

if __name__ == "__main__":  # worker processes started by a fork server import this module too
    entry()
