"""``python -m briefgen``: the same as the ``briefgen`` command."""

from __future__ import annotations

from .cli import main

main()
