"""Outputs of a territory: frozen report snapshots (RSO, closing review), their PDF, map layers and data
exports (GeoJSON, XLSX, CSV)."""
