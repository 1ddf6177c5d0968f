"""Urban/rural and kind of a division from its statistical code (NBS coding rules)."""

from tongchou.regions.models import RegionKind, UrbanRural

LEVEL_BY_LENGTH = {2: 1, 4: 2, 6: 3, 9: 4, 12: 5}


def classify(code: str) -> tuple[str, str]:
    """Return (kind, urban_rural) for a code; levels 1-3 have neither."""
    if len(code) == 9:
        n = int(code[6:9])
        if n < 100:
            return RegionKind.STREET, UrbanRural.URBAN
        if n < 200:
            return RegionKind.TOWN, UrbanRural.RURAL
        if n < 400:
            return RegionKind.TOWNSHIP, UrbanRural.RURAL
        return RegionKind.OTHER, ""  # 400+: development zones, farms: no statistical class
    if len(code) == 12:
        n = int(code[9:12])
        if n < 200:
            return RegionKind.RESIDENTS, UrbanRural.URBAN
        if n < 400:
            return RegionKind.VILLAGERS, UrbanRural.RURAL
        return RegionKind.OTHER, ""
    return RegionKind.OTHER, ""
