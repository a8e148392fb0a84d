"""The ``provenance`` command line: thin click commands over the library and reports."""
