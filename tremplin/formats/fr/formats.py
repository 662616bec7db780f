# French typography groups thousands with a narrow no-break space (U+202F, as the Imprimerie
# nationale's rules and CLDR do); Django's own French format uses a full no-break space.
THOUSAND_SEPARATOR = "\u202f"
# French: "7 mai 2019", "7 mai 2019 14:30" (any format name used by templates gives these).
DATE_FORMAT = SHORT_DATE_FORMAT = "j F Y"
DATETIME_FORMAT = SHORT_DATETIME_FORMAT = "j F Y H:i"
MONTH_DAY_FORMAT = "j F"
