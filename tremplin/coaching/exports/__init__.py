"""One module per external format: iCalendar (ical.py) and PDF (pdf.py)."""
