"""Command line of the engine: ``detect``, ``why-not`` and ``catalogue`` (dispatched by ``tremplin``, or
run as ``python -m tremplin.engine``).

``tremplin detect --companies COMPANIES.csv [--flows FLOWS.csv] [--plan] --out SYNERGIES.csv
[--json OUT.json]`` writes nothing unless everything succeeded; bad input exits with status 2 and a
message naming the file, the line and the field.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import time
import unicodedata
from dataclasses import fields

import yaml

from . import naf as naf_module
from .detect import OBJECTIVES, detect
from .exceptions import EngineError, InputError
from .io import read_companies, read_flows, result_json_text, synergies_csv_text, write_atomically
from .knowledge import REGULATORY_FLAGS, default_knowledge_base
from .model import Parameters

__all__ = ["main"]

EXIT_OK, EXIT_INPUT = 0, 2


def _detect_parser(sub) -> None:
    p = sub.add_parser(
        "detect",
        help="détecter les synergies d'un territoire",
        description="Détecte, chiffre et explique les synergies entre établissements.",
    )
    _input_arguments(p)
    p.add_argument(
        "--plan", action="store_true", help="calculer le plan d'allocation optimal (colonne in_plan)"
    )
    p.add_argument("--out", required=True, help="fichier SYNERGIES.csv à écrire")
    p.add_argument("--json", help="fichier JSON détaillé à écrire")
    p.add_argument("--quiet", action="store_true", help="pas de résumé sur la sortie d'erreur")


def _input_arguments(p) -> None:
    """The files and parameters that ``detect`` and ``why-not`` read alike."""
    p.add_argument("--companies", required=True, help="COMPANIES.csv : id,name,naf,lat,lon,headcount")
    p.add_argument(
        "--naf-nomenclature",
        choices=("auto", "rev2", "2025"),
        default="auto",
        help="nomenclature de la colonne naf : NAF rév. 2, NAF 2025, ou reconnue code par code (défaut)",
    )
    p.add_argument("--flows", help="FLOWS.csv : company_id,direction,resource,quantity,unit")
    p.add_argument("--objective", choices=OBJECTIVES, default="gain", help="gain net (défaut) ou CO2 évité")
    p.add_argument("--params", help="fichier YAML de paramètres (champs de Parameters)")
    p.add_argument("--detour-factor", type=float, help="facteur de détour routier (défaut 1,3)")
    p.add_argument("--min-gain", type=float, help="gain annuel minimal d'une piste de substitution (€)")
    p.add_argument("--max-results", type=int, help="nombre maximal d'opportunités")
    p.add_argument("--no-estimate", action="store_true", help="ne pas estimer les flux non déclarés")


def _why_not_parser(sub) -> None:
    p = sub.add_parser(
        "why-not",
        help="expliquer pourquoi deux établissements sont ou ne sont pas appariés",
        description="Pour deux établissements, chaque gisement de l'un face à chaque besoin de l'autre, dans "
        "les deux sens : la piste trouvée ou la première raison qui l'a écartée (aucune règle, secteur, "
        "distance et sa limite, gain sous le seuil, limites de la liste).",
    )
    p.add_argument("a", help="identifiant du premier établissement (colonne id de COMPANIES.csv)")
    p.add_argument("b", help="identifiant du second établissement")
    _input_arguments(p)
    p.add_argument("--json", action="store_true", help="sortie JSON au lieu du texte")


def _run_why_not(args) -> int:
    from .whynot import why_not

    kb = default_knowledge_base()
    params = _parameters(args)
    companies = read_companies(args.companies, args.naf_nomenclature)
    flows = read_flows(args.flows, companies, kb) if args.flows else None
    diagnosis = why_not(companies, flows, a=args.a, b=args.b, params=params, kb=kb, objective=args.objective)
    if args.json:
        sys.stdout.write(json.dumps(diagnosis.as_dict(), ensure_ascii=False, indent=1) + "\n")
    else:
        sys.stdout.write(diagnosis.text() + "\n")
    return EXIT_OK


def _catalogue_parser(sub) -> None:
    p = sub.add_parser(
        "catalogue",
        help="lister ressources, règles, profils et mutualisations",
        description="Liste le référentiel (recherche plein texte, insensible à la casse).",
    )
    p.add_argument("search", nargs="?", default="", help="texte recherché (code, libellé, famille…)")
    p.add_argument(
        "--kind", choices=("resources", "rules", "profiles", "mutualisations", "flags", "all"), default="all"
    )
    p.add_argument("--naf", help="afficher le profil sectoriel résolu d'un code NAF")
    p.add_argument("--format", choices=("text", "csv"), default="text")


def _parameters(args) -> Parameters:
    params = Parameters()
    if args.params:
        try:
            with open(args.params, encoding="utf-8") as handle:
                data = yaml.safe_load(handle) or {}
        except FileNotFoundError:
            raise InputError("fichier introuvable", file=args.params) from None
        except yaml.YAMLError as error:
            raise InputError(f"YAML invalide : {error}", file=args.params) from None
        known = {f.name for f in fields(Parameters)} - {"router"}
        if not isinstance(data, dict):
            raise InputError("table de paramètres attendue", file=args.params)
        for key, value in data.items():
            if key not in known:
                raise InputError(
                    f"paramètre inconnu (connus : {', '.join(sorted(known))})",
                    file=args.params,
                    field=str(key),
                )
            setattr(params, key, value)
    if args.detour_factor is not None:
        params.detour_factor = args.detour_factor
    if args.min_gain is not None:
        params.min_gain_eur = args.min_gain
    if args.max_results is not None:
        params.max_results = args.max_results
    if args.no_estimate:
        params.estimate_missing_flows = False
    if params.detour_factor < 1:
        raise InputError("le facteur de détour doit être ≥ 1", field="detour_factor")
    return params


def _run_detect(args) -> int:
    started = time.perf_counter()
    kb = default_knowledge_base()
    params = _parameters(args)
    companies = read_companies(args.companies, args.naf_nomenclature)
    flows = read_flows(args.flows, companies, kb) if args.flows else None
    result = detect(companies, flows, params=params, kb=kb, plan=args.plan, objective=args.objective)
    outputs = {args.out: synergies_csv_text(result, plan=args.plan)}
    if args.json:
        outputs[args.json] = result_json_text(result)
    try:
        write_atomically(outputs)
    except OSError as error:
        raise InputError(
            f"écriture impossible : {error.strerror or error}", file=str(error.filename or args.out)
        ) from None
    if not args.quiet:
        stats = result.stats
        print(
            f"{stats['establishments']} établissements, {stats['flows']} flux, {stats['substitutions']} "
            f"substitutions et {stats['mutualisations']} mutualisations écrites dans {args.out} "
            f"({time.perf_counter() - started:.1f} s).",
            file=sys.stderr,
        )
    return EXIT_OK


def _folded(value) -> str:
    """Lower case without accents, so that « dreche » finds « Drêches »."""
    decomposed = unicodedata.normalize("NFKD", str(value).lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _matches(text: str, *values) -> bool:
    return not text or any(text in _folded(v) for v in values)


def _run_catalogue(args) -> int:
    kb = default_knowledge_base()
    text = _folded(args.search)
    tables: dict[str, tuple[list[str], list[list]]] = {}
    if args.kind in ("resources", "all"):
        rows = []
        for r in kb.resources.values():
            family = kb.families[r.family]
            if _matches(text, r.code, r.label, r.family, family.label, *map(str, r.waste_codes)):
                rows.append(
                    [
                        r.code,
                        family.label,
                        r.label,
                        r.unit,
                        " ".join(map(str, r.waste_codes)),
                        kb.transport_classes[r.transport].label,
                        kb.transport_classes[r.transport].max_distance_km,
                        f"{r.price[0]:g}-{r.price[1]:g}",
                        f"{r.treatment_cost[0]:g}-{r.treatment_cost[1]:g}",
                        r.virgin_co2,
                        r.disposal_co2,
                    ]
                )
        tables["Ressources"] = (
            [
                "code",
                "famille",
                "libellé",
                "unité",
                "codes déchets",
                "transport",
                "distance max km",
                "prix €/u",
                "coût de traitement €/u",
                "kgCO2e/u production vierge",
                "kgCO2e/u élimination",
            ],
            rows,
        )
    if args.kind in ("rules", "all"):
        rows = [
            [r.id, r.output, r.input, " ".join(r.receivers), r.ratio, r.pretreatment, " ".join(r.flags)]
            for r in kb.rules
            if _matches(
                text,
                r.id,
                r.output,
                r.input,
                r.pretreatment,
                r.note,
                kb.resources[r.output].label,
                kb.resources[r.input].label,
            )
        ]
        tables["Règles de substitution"] = (
            [
                "règle",
                "gisement",
                "besoin",
                "secteurs receveurs",
                "ratio",
                "prétraitement",
                "points réglementaires",
            ],
            rows,
        )
    if args.kind in ("profiles", "all") or args.naf:
        if args.naf:
            try:
                code = naf_module.normalise_naf(args.naf)
            except naf_module.UnknownNafCode:
                raise InputError(f"code NAF inconnu {args.naf!r}", field="naf") from None
            profile = [(code, row) for row in kb.profile_for(code)]
        else:
            profile = [(row.naf, row) for rows_ in kb.profiles.values() for row in rows_]
        rows = [
            [
                naf,
                row.direction,
                row.resource,
                row.per_employee,
                row.per_establishment,
                row.min_headcount,
                kb.citation(row.source),
                row.note,
            ]
            for naf, row in profile
            if args.naf
            or _matches(text, naf, row.resource, row.note, kb.resources[row.resource].label, naf_label(naf))
        ]
        tables["Profils sectoriels"] = (
            [
                "naf",
                "sens",
                "ressource",
                "par salarié/an",
                "par établissement/an",
                "effectif minimal",
                "source",
                "note",
            ],
            rows,
        )
    if args.kind in ("mutualisations", "all"):
        rows = [
            [
                k.code,
                k.label,
                k.trigger,
                " ".join(k.resources),
                k.radius_km,
                f"{k.min_members}-{k.max_members}",
                k.scale_exponent,
            ]
            for k in kb.mutualisation_kinds
            if _matches(text, k.code, k.label, k.description, *k.resources)
        ]
        tables["Mutualisations"] = (
            ["code", "libellé", "déclencheur", "ressources", "rayon km", "membres", "exposant d'échelle"],
            rows,
        )
    if args.kind in ("flags", "all"):
        rows = [[code, label] for code, label in REGULATORY_FLAGS.items() if _matches(text, code, label)]
        tables["Points réglementaires"] = (["code", "texte"], rows)
    out = io.StringIO()
    if args.format == "csv":
        writer = csv.writer(out, lineterminator="\n")
        for title, (header, rows) in tables.items():
            writer.writerow([f"# {title}"])
            writer.writerow(header)
            writer.writerows(rows)
    else:
        for title, (header, rows) in tables.items():
            out.write(f"== {title} ({len(rows)}) ==\n")
            out.write("  " + " | ".join(header) + "\n")
            for row in rows:
                out.write("  " + " | ".join(str(v) for v in row) + "\n")
            out.write("\n")
    sys.stdout.write(out.getvalue())
    return EXIT_OK


def naf_label(code: str) -> str:
    if code == "*":
        return "tous secteurs"
    try:
        return naf_module.naf_label(code)
    except naf_module.UnknownNafCode:
        return ""


def main(argv: list[str] | None = None) -> int:
    """Run ``detect`` or ``catalogue`` (``argv[0]``); return the exit status."""
    parser = argparse.ArgumentParser(prog="tremplin", description="Moteur de détection de synergies Tremplin")
    sub = parser.add_subparsers(dest="command", required=True)
    _detect_parser(sub)
    _why_not_parser(sub)
    _catalogue_parser(sub)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    try:
        if args.command == "detect":
            return _run_detect(args)
        if args.command == "why-not":
            return _run_why_not(args)
        return _run_catalogue(args)
    except (EngineError, ValueError) as error:
        print(f"erreur : {error}", file=sys.stderr)
        return EXIT_INPUT
