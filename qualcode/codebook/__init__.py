"""The codebook: logic-model codes as YAML files (validated with FILE:LINE messages), the code tree as a project
holds it, ranking codes against what a coder types, and planning edits to the codebook as changes.

May import: project.
"""
