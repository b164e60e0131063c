"""``python -m esmlint``: the same as the ``esmlint`` command."""

from .cli import main

if __name__ == "__main__":
    main()
