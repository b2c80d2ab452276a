"""Sections of the annual monitoring report (DESIGN.md section 4): a department, or one clinical site of it, over
the report's academic year and up to four years before it, year over year.

Each year-over-year table has one row per academic year (the codebook's variables are the indicators) and its
line chart runs across the years; the last section puts the department's clinical sites side by side in the
report's year. What can be reconstructed for a past year is: assignments (start and end dates), observations,
exam results, granted EPA levels (the decisions' audit history, by decision date), trainings (completion dates)
and campaigns (closing dates). What cannot is counted as it is now, and each section says so: a resident's or a
mentor's clinical site, a mentor's qualification category and certificate, the department's policy and the EPA
catalogue. A year's figures are taken on its last day, or on the report's day for the year in progress.

With a clinical site, only the site's residents (residents' figures) and the site's mentors (mentors' figures)
count; questionnaires belong to the whole department (answers carry no resident), so their figures do too.

Every section runs a fixed number of queries: conditional aggregates over at most five years (or the sites).
"""

from .annual_mentors import compliance, load
from .annual_residents import exams, progress
from .annual_sites import sites
from .annual_surveys import response_rates, satisfaction

SECTIONS = [compliance, load, progress, exams, satisfaction, response_rates, sites]
