"""Géorisques API v1 responses in the documented layout, written by the tests."""

import json


def rubrique(number="2791", alinea="1", regime="Autorisation", **fields):
    return {
        "numeroRubrique": number,
        "nature": fields.pop("nature", "Installation de traitement de déchets non dangereux"),
        "alinea": alinea,
        "regimeAutoriseAlinea": regime,
        "quantiteTotale": fields.pop("quantite", "120.000"),
        "unite": fields.pop("unite", "t/j"),
        "dateMotif": "2019-04-12",
        **fields,
    }


def installation(aiot="0005801234", name="VALO CAUX", siret="", insee="76351", rubriques=None, **fields):
    return {
        "adresse1": "12 rue du Port",
        "adresse2": None,
        "adresse3": None,
        "codeAIOT": aiot,
        "codeInsee": insee,
        "codeNaf": "38.21Z",
        "codePostal": "76170",
        "commune": "Lillebonne",
        "coordonneeXAIOT": 508000.0,
        "coordonneeYAIOT": 6937000.0,
        "date_maj": "2025-11-03",
        "documentsHorsInspection": [],
        "eolienne": False,
        "etatActivite": "En fonctionnement",
        "ied": False,
        "industrie": True,
        "inspections": [],
        "latitude": 49.52,
        "longitude": 0.54,
        "raisonSociale": name,
        "regime": "Autorisation",
        "rubriques": [rubrique()] if rubriques is None else rubriques,
        "serviceAIOT": "DREAL",
        "siret": siret,
        "statutSeveso": "Non Seveso",
        "systemeCoordonneesAIOT": "Lambert 93",
        **fields,
    }


def response(*installations, page=1, total_pages=1):
    return {
        "results": len(installations),
        "page": page,
        "total_pages": total_pages,
        "data": list(installations),
        "response_code": 200,
        "message": None,
        "next": None,
        "previous": None,
    }


def dumps(document) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode("utf-8")
