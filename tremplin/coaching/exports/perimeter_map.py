"""The perimeter of the démarche as a vector drawing for the PDF, drawn from the stored geometries with
reportlab's own primitives: no tile, no network.

The EPCI's communes are drawn in grey; the perimeter (the whole EPCI, the chosen communes or the
activity zones) on top in green. Longitudes and latitudes are projected with an equirectangular
projection centred on the territory, accurate enough at the scale of an EPCI.
"""

import json
import math

from reportlab.graphics.shapes import Drawing, Polygon, String
from reportlab.lib import colors
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from tremplin.coaching.models import PerimeterMode

BACKGROUND = colors.HexColor("#eef1ef")
BACKGROUND_EDGE = colors.HexColor("#9aa7a1")
PERIMETER = colors.HexColor("#0b5d4b")
PERIMETER_FILL = colors.Color(0.04, 0.36, 0.29, alpha=0.45)
#: Simplification tolerance, in degrees (about 50 m): commune outlines stay recognisable, the PDF small.
TOLERANCE = 0.0005


def _geometry(text: str) -> BaseGeometry | None:
    if not text:
        return None
    try:
        geometry = shape(json.loads(text))
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    return None if geometry.is_empty else geometry.simplify(TOLERANCE, preserve_topology=True)


def _rings(geometry: BaseGeometry):
    polygons = getattr(geometry, "geoms", [geometry])
    for polygon in polygons:
        if polygon.geom_type == "Polygon":
            yield list(polygon.exterior.coords)


def perimeter_layers(perimeter, territory) -> tuple[list[BaseGeometry], list[BaseGeometry]]:
    """(background geometries: the EPCI's communes, perimeter geometries)."""
    communes = {
        code: geometry
        for code, text in territory.epci.communes.values_list("insee_code", "geometry_geojson")
        if (geometry := _geometry(text)) is not None
    }
    background = list(communes.values())
    mode = perimeter.mode if perimeter is not None else PerimeterMode.WHOLE_EPCI
    if mode == PerimeterMode.COMMUNES:
        chosen = {c.insee_code for c in perimeter.chosen_communes()}
        highlighted = [g for code, g in communes.items() if code in chosen]
    elif mode == PerimeterMode.ZONES:
        highlighted = [g for z in perimeter.zones if (g := _geometry(json.dumps(z["geometry"]))) is not None]
    else:
        boundary = _geometry(territory.epci.boundary_geojson)
        highlighted = [boundary] if boundary is not None else background
    return background, highlighted


def perimeter_drawing(
    perimeter, territory, *, width: float, height: float, caption: str = ""
) -> Drawing | None:
    """The map as a reportlab Drawing of ``width`` × ``height`` points; ``None`` when no geometry is
    known (a territory loaded without its boundaries)."""
    background, highlighted = perimeter_layers(perimeter, territory)
    everything = background + highlighted
    if not everything:
        return None
    bounds = [g.bounds for g in everything]
    west, south = min(b[0] for b in bounds), min(b[1] for b in bounds)
    east, north = max(b[2] for b in bounds), max(b[3] for b in bounds)
    x_scale = math.cos(math.radians((south + north) / 2))
    span_x, span_y = max((east - west) * x_scale, 1e-9), max(north - south, 1e-9)
    margin = 6
    caption_height = 14 if caption else 0
    scale = min((width - 2 * margin) / span_x, (height - 2 * margin - caption_height) / span_y)
    offset_x = (width - span_x * scale) / 2
    offset_y = caption_height + (height - caption_height - span_y * scale) / 2

    def points(ring):
        flat = []
        for lon, lat, *_z in ring:
            flat += [offset_x + (lon - west) * x_scale * scale, offset_y + (lat - south) * scale]
        return flat

    drawing = Drawing(width, height)
    for geometry in background:
        for ring in _rings(geometry):
            drawing.add(
                Polygon(points(ring), fillColor=BACKGROUND, strokeColor=BACKGROUND_EDGE, strokeWidth=0.3)
            )
    for geometry in highlighted:
        for ring in _rings(geometry):
            drawing.add(
                Polygon(points(ring), fillColor=PERIMETER_FILL, strokeColor=PERIMETER, strokeWidth=0.9)
            )
    if caption:
        drawing.add(String(margin, 2, caption, fontName="Helvetica", fontSize=8, fillColor=colors.black))
    return drawing
