"""Permission-matrix entries for the orglife app's URLs (merged into tests.matrix.REGISTRY)."""

from tests.matrix import Entry

ENTRIES: dict[str, Entry] = {}

# Models whose rows a refused request must not change (added to the matrix's state check).
STATE_MODELS: tuple = ()
