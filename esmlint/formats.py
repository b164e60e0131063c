"""The input formats esmlint reads, named once for every text a user reads.

Help texts, notes on skipped files and the summary of an empty run all say what esmlint
reads; a new front end adds its name here, and every one of those texts follows.
"""

#: The formats, as a user names them ("not a ... template").
NAMES = "CloudFormation, SAM, Terraform or serverless.yml"

#: The note's tail for a named file that is not a template (``--skip-non-templates`` drops it).
NOT_A_TEMPLATE = f": not a {NAMES} template, skipped"

#: The summary of a run that found no template at all.
NONE_FOUND = f"No {NAMES} templates found."
