"""Coding as a team: agreement statistics (percent agreement, kappas, alpha, AC1, Brennan-Prediger) with their
known answers, agreement between coders in a project and in a table made elsewhere, settling disagreements
into the consensus coder, and merging coders' project files.

May import: project, codebook, reports.
"""
