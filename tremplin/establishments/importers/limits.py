"""How much one import may cost: rows read, errors kept, what an XLSX workbook may expand to.

A file is small on disk and large in memory when it is compressed (an XLSX is a zip of XML) or when every
one of its rows is an error. These limits bound both before the work starts or as it goes: the file is
refused with one message instead of being read to the end. The defaults come from the settings
(``IMPORT_*``, see the README); the command line may raise the number of rows for national files.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

MB = 1024 * 1024


@dataclass(frozen=True)
class ImportLimits:
    #: Data lines a file may have (the header excluded, empty lines included: they are lines of the file).
    max_rows: int = 250_000
    #: Errors kept and shown; the others are counted.
    max_errors_listed: int = 100
    #: Sum of the declared (uncompressed) sizes of the members of an XLSX workbook.
    xlsx_max_uncompressed_bytes: int = 200 * MB
    #: Largest ratio uncompressed / compressed of one member (spreadsheets rarely pass 20).
    xlsx_max_ratio: int = 100
    #: Members of the zip (an XLSX workbook has about ten).
    xlsx_max_members: int = 1_000
    #: Any member but a worksheet (shared strings, styles…), which openpyxl loads whole, not streamed.
    #: The shared strings of 250,000 rows of distinct names and addresses take about 40 MB.
    xlsx_max_part_bytes: int = 64 * MB

    @classmethod
    def from_settings(cls, **overrides) -> ImportLimits:
        from django.conf import settings

        limits = cls(
            max_rows=int(getattr(settings, "IMPORT_MAX_ROWS", cls.max_rows)),
            max_errors_listed=int(getattr(settings, "IMPORT_MAX_ERRORS_LISTED", cls.max_errors_listed)),
            xlsx_max_uncompressed_bytes=int(
                getattr(settings, "IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES", cls.xlsx_max_uncompressed_bytes)
            ),
            xlsx_max_ratio=int(getattr(settings, "IMPORT_XLSX_MAX_RATIO", cls.xlsx_max_ratio)),
        )
        return replace(limits, **{name: value for name, value in overrides.items() if value is not None})
