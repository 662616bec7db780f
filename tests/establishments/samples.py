"""SIRENE samples written by hand: valid SIRETs (Luhn keys computed), communes of Caux Seine Agglo,
Lambert-93 coordinates inside them."""

SIRENE_HEADER = [
    "siren",
    "nic",
    "siret",
    "etatAdministratifEtablissement",
    "denominationUsuelleEtablissement",
    "enseigne1Etablissement",
    "activitePrincipaleEtablissement",
    "nomenclatureActivitePrincipaleEtablissement",
    "trancheEffectifsEtablissement",
    "codeCommuneEtablissement",
    "coordonneeLambertAbscisseEtablissement",
    "coordonneeLambertOrdonneeEtablissement",
]

# SIRETs: SIREN = 8 digits + Luhn key, NIC 0001, then the SIRET's Luhn key. E.g. 500123450 00016:
# digits from the right 6,1,0,0,0,0,5,4,3,2,1,0,0,5; doubling every second one gives
# 6+2+0+0+0+0+5+8+3+4+1+0+0+1 = 30, a multiple of 10.
PAPETERIE = "50012345000016"  # Port-Jérôme-sur-Seine (76476)
LAITERIE = "50023456200014"  # Lillebonne (76384)
SCIERIE = "50034567300015"  # Bolbec (76114), no coordinates
FERMEE = "50045678500012"  # closed
HAVRAISE = "50056789600013"  # Le Havre (76351), outside Caux Seine Agglo


def sirene_row(siret, *, state="A", name="", sign="", naf="10.71C", band="11", commune="76476", x="", y=""):
    return [siret[:9], siret[9:], siret, state, name, sign, naf, "NAFRev2", band, commune, x, y]


def sirene_csv(rows, *, delimiter=";", bom=True) -> bytes:
    lines = [delimiter.join(SIRENE_HEADER)] + [delimiter.join(row) for row in rows]
    text = "\n".join(lines) + "\n"
    return (("\ufeff" if bom else "") + text).encode("utf-8")


def good_sample() -> bytes:
    """Three establishments kept, one closed, one outside the territory."""
    return sirene_csv(
        [
            sirene_row(
                PAPETERIE, name="Papeterie de la Seine", naf="17.12Z", band="22", x="526145", y="6936618"
            ),
            sirene_row(
                LAITERIE,
                sign="Laiterie de Lillebonne",
                naf="10.51A",
                band="12",
                commune="76384",
                x="521194",
                y="6936738",
            ),
            sirene_row(SCIERIE, naf="16.10A", band="", commune="76114", x="[ND]", y="[ND]"),
            sirene_row(FERMEE, state="F", name="Ancienne fonderie", naf="24.51Z", commune="76476"),
            sirene_row(
                HAVRAISE, name="Docks havrais", naf="52.24A", commune="76351", x="490424", y="6936565"
            ),
        ]
    )
