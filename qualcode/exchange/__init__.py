"""Exchange with other tools: REFI-QDA codebooks (.qdc) and projects (.qdpx), read safely from someone else's
file and written valid against the official schemas.

May import: project, ingest, codebook.
"""
