# French typography groups thousands with a narrow no-break space (U+202F, as the Imprimerie
# nationale's rules and CLDR do); Django's own French format uses a full no-break space.
THOUSAND_SEPARATOR = "\u202f"
