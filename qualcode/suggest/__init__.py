"""Suggestions and coding by search: likely codes for each sentence with the reasons a coder can judge, and
every passage matching a search coded after a preview.

May import: project, ingest, codebook, coding.
"""
