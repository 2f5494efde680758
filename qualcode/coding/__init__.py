"""Coding: applying and removing codes on passages, memos and key-quote stars, undo and redo, where each coder
was, and moving round a study by what is coded and what is not. Every change is planned here as a value and
written by ``project.changes``.

May import: project, codebook.
"""
