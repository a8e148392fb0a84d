"""Packaging: one top-level import package, ``provenancekit``, whose sub-packages stay in the
repository's top-level folders (the design card's layout). Everything else is in pyproject.toml;
this file only computes the package list so that no list is kept in sync by hand."""

from setuptools import find_packages, setup

TOP = "provenancekit"
FOLDERS = ("forensics", "cli", "reports", "samples")

packages = [TOP]
package_dir = {TOP: TOP}
for folder in FOLDERS:
    package_dir[f"{TOP}.{folder}"] = folder
    packages += [f"{TOP}.{name}" for name in find_packages(include=[folder, f"{folder}.*"])]

setup(packages=packages, package_dir=package_dir)
