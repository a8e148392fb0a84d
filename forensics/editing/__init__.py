"""Pure functions behind the editing checks (JPEG structure, double JPEG, ELA, noise).

Nothing here knows about files, the scan or the result contract: functions take arrays or
bytes and keyword-only parameters, and return arrays, numbers and plain dictionaries. The
thin check classes in :mod:`forensics.checks` turn them into findings.
"""
