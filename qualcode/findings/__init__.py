"""The findings pack: an evaluation framework's questions (``framework``) answered from the coded study
(``build``) and written as Markdown and HTML (``write``) and Word (``word``).

May import: project, ingest, codebook, reports, team.
"""
