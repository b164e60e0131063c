"""The version of esmlint: the one place it is written.

``pyproject.toml`` reads it (``[tool.setuptools.dynamic]``), so the wheel's metadata, the
sdist's name, ``esmlint --version``, SARIF's ``tool.driver.version`` and the language
server's version all come from here. ``CHANGELOG.md`` has a section for it
(tests/test_release.py checks), and the release tag is ``v`` followed by it.
"""

__version__ = "0.1.0"
