"""What coding is for: the read model every report counts from (one read transaction, one rule for a passage),
quote banks, theme frequencies per stakeholder group, the evidence map, co-occurrence and presence matrices,
redaction, and the files they are written to (CSV, XLSX, DOCX, Markdown, HTML, JSON).

May import: project, ingest, codebook.
"""
