"""Distances on the Earth, one formula for every app: the haversine great-circle distance on
a sphere of radius 6371.0 km (what the matching and planning scenarios specify). Plain NumPy,
no Django, so the solvers that use it stay importable on their own."""

import numpy as np

EARTH_RADIUS_KM = 6371.0


def haversine_km_array(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance in km, element-wise (degrees in)."""
    p1 = np.radians(lat1)
    p2 = np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2, dtype=np.float64) - np.asarray(lon1, dtype=np.float64))
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The same formula on one pair (the same NumPy code, so both agree to the last bit)."""
    return float(
        haversine_km_array(
            np.array([lat1], dtype=np.float64),
            np.array([lon1], dtype=np.float64),
            np.array([lat2], dtype=np.float64),
            np.array([lon2], dtype=np.float64),
        )[0]
    )
