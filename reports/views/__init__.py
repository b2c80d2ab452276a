"""The report pages (pages.py) and downloads (files.py); display.py turns a stored result into what they show."""
