"""What the build makes from the site besides its pages: the search index (search.py)."""
