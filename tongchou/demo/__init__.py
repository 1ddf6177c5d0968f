"""Generated data for the demo (``load_demo``) and the benchmark (``bench``).

Plain functions that build realistic, deterministic records from the real administrative
divisions, written through the project's services and import path. An app (no models) only to
carry the ``load_demo`` command, which sits above every app it fills: core imports none of them.
"""
