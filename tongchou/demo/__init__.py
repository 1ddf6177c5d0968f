"""Generated data for the demo (``load_demo``) and the benchmark (``bench``).

Not a Django app: plain functions that build realistic, deterministic records from the real
administrative divisions, written through the project's services and import path.
"""
