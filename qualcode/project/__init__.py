"""The project file and the one way study content is written to it.

One SQLite file per study: opening it safely (``connection``, ``location``), its schema and migrations
(``schema``), the ``Project`` handle with its transactions (``store``), consistent backups (``backup``),
integrity checks (``check``), the study at a glance (``overview``), the input budget every reader of
someone else's file obeys (``limits``), private scratch space and atomic output files (``scratch``,
``output``).

May import: nothing else in qualcode but the foundations (errors, text).
"""
