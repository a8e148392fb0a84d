"""Render ``provenance.scan/1`` results (plain dicts) for people and machines.

This package only reads the JSON contract; it never calls the analysis library.
"""
