"""Navigation data: one track model for every format, great-circle geometry, times.

- :mod:`.parse` reads navigation files (:data:`.parse.FORMATS`: one row per format) into a
  :class:`~.parse.Track` of :class:`~.parse.TrackPoint`;
- :mod:`.geo` the one place distances and bearings are computed;
- :mod:`.times` times from files and case files, and the event window;
- :mod:`.consistency` a log's own times, speeds and order (the track check's measurements);
- :mod:`.analyse` a track measured against a claim (target, sites, window).

Both :mod:`forensics.checks` and :mod:`forensics.case` import this package; it imports
neither.
"""

from .analyse import TrackParams, analyse_track, track_length_km
from .model import MissionItem, Track, TrackError, TrackPoint
from .parse import FORMATS, TRACK_MEDIA_TYPES, parse_track

__all__ = [
    "FORMATS",
    "MissionItem",
    "TRACK_MEDIA_TYPES",
    "Track",
    "TrackError",
    "TrackParams",
    "TrackPoint",
    "analyse_track",
    "parse_track",
    "track_length_km",
]
