"""Getting transcripts in: reading every supported format, finding speaker turns, deciding who spoke, cutting
sentence segments, and putting an import right afterwards.

``readers`` and ``formats`` turn a file into normalised text; ``turns`` and ``speakers`` find and judge the
speaker labels; ``participants`` reads a participants sheet; ``groups`` and ``labels`` keep one spelling and
one display name per stakeholder group; ``segment`` cuts sentences with spaCy; ``importer`` does all of it
in one transaction; ``fixes`` corrects who said what afterwards, codings kept.

May import: project.
"""
