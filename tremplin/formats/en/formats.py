# English: "7 May 2019", "7 May 2019 14:30" (day first, as the programme is French; no ambiguous 05/07).
DATE_FORMAT = SHORT_DATE_FORMAT = "j F Y"
DATETIME_FORMAT = SHORT_DATETIME_FORMAT = "j F Y H:i"
MONTH_DAY_FORMAT = "j F"
TIME_FORMAT = "H:i"
