"""Outputs made from the resolved site besides its pages: open data exports and the network.

Each module yields page-plan entries (render.py): a template or a Python function
that makes the file's text, its URL, its variables and the dependency keys of what
the variables hold, so warm builds and the preview redo an output only when what it
reads changed.
"""
