"""provenance: check released media before repeating a claim built on it.

The one installed import package. Its sub-packages live at the repository's top level, where
the design card puts them, and are mapped under this name by ``pyproject.toml``
(``[tool.setuptools.package-dir]``):

- :mod:`provenancekit.forensics` the analysis library (``forensics/``);
- :mod:`provenancekit.cli` the ``provenance`` command (``cli/``);
- :mod:`provenancekit.reports` renderers of the JSON contracts (``reports/``);
- :mod:`provenancekit.samples` the generator of the demo case (``samples/``).
"""

__version__ = "0.1.0"
