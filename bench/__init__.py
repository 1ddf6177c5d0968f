"""``make bench``: Tongchou on a generated province-scale deployment of real divisions.

``python -m bench`` builds Shandong (code 37: ~62,000 communities and villages) into ≥100,000
organizations and imports 1,000,000 generated members through the real import path, on SQLite
and on PostgreSQL, then times the reads the pages depend on. ``--quick`` does one city and
20,000 members. See ``bench/__main__.py`` for the options and ``bench/out/report.json`` for the
last figures.
"""
