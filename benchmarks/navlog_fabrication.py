"""Signs of a fabricated or edited flight log: detection on logs fabricated from real ones,
false alarms on the real ones (issue 16).

    python -m benchmarks.navlog_fabrication [--seed 0] [--no-generated]

Real logs (false alarms): every flight log, NMEA log and DJI SRT of
``../shared/corpus/navlog`` (``vtol.tlog`` and ``sample_px4_events.ulg`` are simulator
logs, reported as such); beside them two generated bases whose flights are long enough for
every sign (:mod:`samples.navunit`: the demo unit's MAVLink 2 tlog, a 15-minute ArduPlane
DataFlash log), counted apart.

Fabricated variants, each written back in the log's own format (DataFlash fields packed in
place, tlog frames re-encoded with pymavlink so their CRCs are valid unless the variant is
about CRCs, ULog rewritten with pyulog's ``write_ulog``, NMEA sentences edited as text):

``straight_line``    the fixes' positions and altitudes replaced by a straight line in time
                     from the first fix to the last (satellites, HDOP, times kept).
``resampled``        every fix replaced by the straight line between every 10th real fix
                     (a track redrawn from a few points, without noise).
``segment_deleted``  30 s of the log cut out (a third of it when shorter), all streams.
``altitude_edited``  the GNSS altitude of the middle third raised by 120 m.
``quality_constant`` every fix's satellites set to 12 and HDOP to 0.9.
``clock_edited``     the GNSS time of the second half moved 5 s later (boot times kept).
``bad_crc``          a block of 10 position records moved ~1 km without recomputing their
                     CRC / checksum (MAVLink, NMEA: the formats that carry one).

A variant is *detected* when the check raises the sign meant for it (``straight_line``,
``resampled``: ``track.too_clean``; ``segment_deleted``: ``track.log_gap``;
``altitude_edited``: ``track.baro_mismatch``; ``quality_constant``:
``track.gnss_quality_constant``; ``clock_edited``: ``track.clock_inconsistent``;
``bad_crc``: ``track.damaged_records``); the table also says when any sign fired. Variants
a base cannot carry (no barometer, no GNSS time, a log of one second, no CRC) are listed as
not applicable, not as misses.
"""

from __future__ import annotations

import argparse
import io
import math
import re
import struct
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

NAVLOG = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "navlog"
REAL = ("pymavlink/test.BIN", "uavlogviewer/vtol.tlog", "pyulog/sample_log_small.ulg",
        "pyulog/sample_px4_events.ulg", "gpsd/haicom-305N.log", "gpsd/GPSmap-76S.log",
        "dji-srt-parser/mavic_pro.SRT", "dji-srt-parser/air2s.srt",
        "dji-srt-parser/matrice_300.srt", "dji-srt-parser/mavic_air2.srt",
        "gpxpy/cerknicko-jezero.gpx")
SIGNS = ("track.too_clean", "track.baro_mismatch", "track.gnss_quality_constant",
         "track.clock_inconsistent", "track.log_gap", "track.boot_time_reversed",
         "track.damaged_records", "track.time_reversed", "track.implausible_speed")
"""The findings that say a log was fabricated or edited (not the informational ones)."""
MEANT = {"straight_line": "track.too_clean", "resampled": "track.too_clean",
         "segment_deleted": "track.log_gap", "altitude_edited": "track.baro_mismatch",
         "quality_constant": "track.gnss_quality_constant",
         "clock_edited": "track.clock_inconsistent", "bad_crc": "track.damaged_records"}


class NotApplicable(Exception):
    """This base log cannot carry this variant."""


# --------------------------------------------------------------------------------------------
# Position editing shared by the formats
# --------------------------------------------------------------------------------------------


def _line(t: np.ndarray, v: np.ndarray, knots: np.ndarray) -> np.ndarray:
    """``v`` replaced by straight lines in time between the samples ``knots``."""
    return np.interp(t, t[knots], v[knots])


def edit_positions(t: np.ndarray, lat: np.ndarray, lon: np.ndarray, alt: np.ndarray,
                   variant: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positions of a fabricated variant (``lat``/``lon`` in any unit of degrees)."""
    if variant in ("straight_line", "resampled"):
        k = math.cos(math.radians(float(np.median(lat)) / (1e7 if abs(lat[0]) > 1000 else 1)))
        far = int(np.argmax(np.hypot(lat - lat[0], (lon - lon[0]) * k)))
        extent = float(np.hypot(lat[far] - lat[0], (lon[far] - lon[0]) * k))
        extent_m = extent * (1e-7 if abs(lat[0]) > 1000 else 1) * 111_195
        if extent_m < 100:
            raise NotApplicable(f"the vehicle moves {extent_m:.0f} m")
        if variant == "straight_line":  # first fix to the farthest one, over the whole span
            knots = np.array([0, t.size - 1])
            ends = {"lat": lat[[0, far]], "lon": lon[[0, far]], "alt": alt[[0, far]]}
            return tuple(np.interp(t, t[knots], ends[c]) for c in ("lat", "lon", "alt"))
        knots = np.arange(0, t.size, 10)
        if knots[-1] != t.size - 1:
            knots = np.append(knots, t.size - 1)
        return _line(t, lat, knots), _line(t, lon, knots), _line(t, alt, knots)
    if variant == "altitude_edited":
        a = alt.copy()
        n = a.size
        a[n // 3: 2 * n // 3] += 120.0
        return lat, lon, a
    raise ValueError(variant)


# --------------------------------------------------------------------------------------------
# DataFlash: fields packed in place at the reader's own offsets
# --------------------------------------------------------------------------------------------


def _df_field(idx: Any, name: str, column: str) -> tuple[int, str, float | None]:
    from pymavlink.DFReader import FORMAT_TO_STRUCT

    fmt = idx.formats[idx.by_name[name]]
    pos = 3
    for col, ch in zip(fmt.columns, fmt.format, strict=False):
        code, mult, _ = FORMAT_TO_STRUCT[ch]
        if col == column:
            return pos, "<" + code, mult
        pos += struct.calcsize("<" + code)
    raise KeyError(column)


def _df_put(buf: bytearray, idx: Any, name: str, column: str, offs: np.ndarray,
            values: np.ndarray) -> None:
    pos, code, mult = _df_field(idx, name, column)
    scale = (1 / mult) if mult else 1.0
    integer = code[-1] not in "fde"
    for o, v in zip(offs.tolist(), values.tolist(), strict=True):
        struct.pack_into(code, buf, o + pos, round(v * scale) if integer else v * scale)


def fabricate_dataflash(data: bytes, variant: str) -> bytes:
    from provenancekit.forensics.tracks.mavlink import DataFlashIndex

    idx = DataFlashIndex(data)
    offs = idx.offsets("GPS")
    g = idx.columns("GPS", ("TimeUS", "Lat", "Lng", "Alt", "GMS", "Status"))
    fixed = g["Status"] >= 2
    offs, t = offs[fixed], g["TimeUS"][fixed] / 1e6
    span = float(t[-1] - t[0]) if t.size else 0.0
    if t.size < 10:
        raise NotApplicable("fewer than 10 fixes")
    buf = bytearray(data)
    if variant in ("straight_line", "resampled", "altitude_edited"):
        lat, lon, alt = edit_positions(t, g["Lat"][fixed], g["Lng"][fixed], g["Alt"][fixed],
                                       variant)
        _df_put(buf, idx, "GPS", "Lat", offs, lat)
        _df_put(buf, idx, "GPS", "Lng", offs, lon)
        _df_put(buf, idx, "GPS", "Alt", offs, alt)
        if variant == "altitude_edited" and not idx.count("BARO"):
            raise NotApplicable("no barometer")
        return bytes(buf)
    if variant == "quality_constant":
        if span < 60:
            raise NotApplicable(f"{span:.0f} s of fixes")
        _df_put(buf, idx, "GPS", "NSats", offs, np.full(offs.size, 12.0))
        _df_put(buf, idx, "GPS", "HDop", offs, np.full(offs.size, 0.9))
        return bytes(buf)
    if variant == "clock_edited":
        half = offs[t >= t[0] + span / 2]
        _df_put(buf, idx, "GPS", "GMS", half, g["GMS"][fixed][t >= t[0] + span / 2] + 5000)
        return bytes(buf)
    if variant == "segment_deleted":
        cut = 30.0 if span > 90 else span / 3
        if cut < 2.0:
            raise NotApplicable(f"{span:.1f} s of log")
        dense = idx.densest()
        times = idx.columns(dense, ("TimeUS",))["TimeUS"] / 1e6
        o = idx.offsets(dense)
        a0 = t[0] + span / 3
        inside = o[(times >= a0) & (times < a0 + cut)]
        after = o[times >= a0 + cut]
        return data[:int(inside[0])] + data[int(after[0]):]
    raise NotApplicable("no CRC in DataFlash")


# --------------------------------------------------------------------------------------------
# MAVLink tlog: records walked, frames re-encoded with pymavlink
# --------------------------------------------------------------------------------------------


def tlog_records(data: bytes) -> list[tuple[int, bytes]]:
    """``(UNIX µs, frame)`` of every record (framing per the MAVLink 1/2 headers)."""
    out, i = [], 0
    while i + 10 <= len(data):
        stamp = int.from_bytes(data[i:i + 8], "big")
        magic, plen = data[i + 8], data[i + 9]
        n = plen + (8 if magic == 0xFE else 12)
        if magic == 0xFD and data[i + 10] & 1:
            n += 13
        out.append((stamp, data[i + 8:i + 8 + n]))
        i += 8 + n
    return out


def _join(records: list[tuple[int, bytes]]) -> bytes:
    return b"".join(struct.pack(">Q", s) + f for s, f in records)


def fabricate_tlog(data: bytes, variant: str) -> bytes:
    from pymavlink.dialects.v20 import ardupilotmega as mavlink

    recs = tlog_records(data)
    parser = mavlink.MAVLink(None)
    parser.robust_parsing = True
    decoded: list[Any] = []
    for _, frame in recs:
        try:
            decoded.append(parser.decode(bytearray(frame)))
        except Exception:  # noqa: BLE001 - a frame pymavlink refuses is left as it is
            decoded.append(None)
    gps = [i for i, m in enumerate(decoded) if m is not None and m.get_type() == "GPS_RAW_INT"
           and m.fix_type >= 2]
    if len(gps) < 10:
        raise NotApplicable("fewer than 10 fixes")
    t = np.array([recs[i][0] / 1e6 for i in gps])  # the station's clock
    own = np.array([decoded[i].time_usec / 1e6 for i in gps])  # the fixes' own
    span = float(t[-1] - t[0])

    def repack(i: int, msg: Any) -> None:
        link = mavlink.MAVLink(None, srcSystem=msg.get_srcSystem(),
                               srcComponent=msg.get_srcComponent())
        link.seq = msg.get_seq()
        recs[i] = (recs[i][0], bytes(msg.pack(link, force_mavlink1=recs[i][1][0] == 0xFE)))

    if variant in ("straight_line", "resampled", "altitude_edited"):
        lat, lon, alt = edit_positions(
            own if np.all(np.diff(own) > 0) else t,
            np.array([decoded[i].lat for i in gps], float),
            np.array([decoded[i].lon for i in gps], float),
            np.array([decoded[i].alt for i in gps], float), variant)
        if variant == "altitude_edited":
            alt = np.array([decoded[i].alt for i in gps], float)
            alt[len(gps) // 3: 2 * len(gps) // 3] += 120_000.0  # mm
        for k, i in enumerate(gps):
            m = decoded[i]
            m.lat, m.lon, m.alt = round(lat[k]), round(lon[k]), round(alt[k])
            repack(i, m)
        return _join(recs)
    if variant == "quality_constant":
        if span < 60:
            raise NotApplicable(f"{span:.0f} s of fixes")
        for i in gps:
            m = decoded[i]
            m.satellites_visible, m.eph = 12, 90
            repack(i, m)
        return _join(recs)
    if variant == "clock_edited":
        st = [i for i, m in enumerate(decoded) if m is not None
              and m.get_type() == "SYSTEM_TIME" and m.time_unix_usec]
        if len(st) < 10:
            raise NotApplicable("no SYSTEM_TIME")
        for i in st[len(st) // 2:]:
            m = decoded[i]
            m.time_unix_usec += 5_000_000
            repack(i, m)
        return _join(recs)
    if variant == "segment_deleted":
        cut = 30.0 if span > 90 else span / 3
        a0 = t[0] + span / 3
        return _join([r for r in recs if not a0 * 1e6 <= r[0] < (a0 + cut) * 1e6])
    if variant == "bad_crc":
        for i in gps[len(gps) // 2: len(gps) // 2 + 10]:
            m = decoded[i]
            frame = bytearray(recs[i][1])
            start = 6 if frame[0] == 0xFE else 10
            # lat is the payload's int32 after time_usec (8 bytes): moved ~1 km north
            (lat,) = struct.unpack_from("<i", frame, start + 8)
            struct.pack_into("<i", frame, start + 8, lat + 90_000)
            recs[i] = (recs[i][0], bytes(frame))
        return _join(recs)
    raise ValueError(variant)


# --------------------------------------------------------------------------------------------
# PX4 ULog: rewritten with pyulog
# --------------------------------------------------------------------------------------------


def fabricate_ulog(data: bytes, variant: str) -> bytes:
    from pyulog import ULog

    log = ULog(io.BytesIO(data))
    gps = next((d for name in ("vehicle_gps_position", "sensor_gps") for d in log.data_list
                if d.name == name and d.multi_id == 0), None)
    if gps is None or len(gps.data["timestamp"]) < 10:
        raise NotApplicable("fewer than 10 fixes")
    d = gps.data
    t = d["timestamp"] / 1e6
    span = float(t[-1] - t[0])
    latk, lonk, altk = (("lat", "lon", "alt") if "lat" in d else
                        ("latitude_deg", "longitude_deg", "altitude_msl_m"))
    if variant in ("straight_line", "resampled", "altitude_edited"):
        scale = 1000.0 if altk == "alt" else 1.0
        lat, lon, alt = edit_positions(t, d[latk].astype(float), d[lonk].astype(float),
                                       d[altk].astype(float) / scale, variant)
        if variant == "altitude_edited" and not any(x.name == "vehicle_air_data"
                                                    for x in log.data_list):
            raise NotApplicable("no barometer")
        d[latk] = lat.astype(d[latk].dtype)
        d[lonk] = lon.astype(d[lonk].dtype)
        d[altk] = (alt * scale).astype(d[altk].dtype)
    elif variant == "quality_constant":
        if span < 60:
            raise NotApplicable(f"{span:.0f} s of fixes")
        d["satellites_used"][:] = 12
        d["hdop"][:] = 0.9
    elif variant == "clock_edited":
        d["time_utc_usec"][t >= t[0] + span / 2] += 5_000_000
    elif variant == "segment_deleted":  # inside the span of the fixes, as for the others
        cut = 30.0 if span > 90 else span / 3
        if cut < 2.0:
            raise NotApplicable(f"{span:.1f} s of fixes")
        a0 = t[0] + span / 3
        for x in log.data_list:
            keep = ~((x.data["timestamp"] / 1e6 >= a0) & (x.data["timestamp"] / 1e6 < a0 + cut))
            x.data = {k: v[keep] for k, v in x.data.items()}
    else:
        raise NotApplicable("no CRC in ULog")
    out = io.BytesIO()
    log.write_ulog(out)
    return out.getvalue()


# --------------------------------------------------------------------------------------------
# NMEA: sentences edited as text (checksums recomputed unless the variant is about them)
# --------------------------------------------------------------------------------------------


def fabricate_nmea(data: bytes, variant: str) -> bytes:
    if variant != "bad_crc":
        raise NotApplicable("only the checksum variant is written for NMEA")
    text = data.decode("ascii", errors="replace")
    fixes = list(re.finditer(r"\$GPGGA,[^,]*,(\d{4})\.\d+,[NS],[^*]*\*[0-9A-F]{2}", text))
    if len(fixes) < 10:
        raise NotApplicable("fewer than 10 fixes")
    out, last = [], 0
    for m in fixes[len(fixes) // 2: len(fixes) // 2 + 10]:
        s = m.group(0)
        edited = s[:m.start(1) - m.start()] + f"{int(m.group(1)) + 1:04d}" + \
            s[m.end(1) - m.start():]
        out += [text[last:m.start()], edited]
        last = m.end()
    return ("".join(out) + text[last:]).encode("ascii")


FABRICATORS: dict[str, Callable[[bytes, str], bytes]] = {
    "dataflash": fabricate_dataflash, "tlog": fabricate_tlog, "ulog": fabricate_ulog,
    "nmea": fabricate_nmea}


# --------------------------------------------------------------------------------------------
# The measurement
# --------------------------------------------------------------------------------------------


def findings(name: str, data: bytes) -> dict[str, dict[str, Any]]:
    """The track check's findings on one log's bytes, by code."""
    import tempfile

    from provenancekit.forensics.checks import get_checks
    from provenancekit.forensics.scan import scan_file

    with tempfile.TemporaryDirectory(prefix="navlog-fab-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        item = scan_file(str(path), checks=get_checks(["track"])).to_dict()
    if item["status"] != "ok":
        return {"error": {"message": (item.get("error") or {}).get("message", "")}}
    return {f["code"]: f for f in item["findings"]}


def bases(generated: bool, seed: int) -> list[tuple[str, str, bytes, bool]]:
    """``(label, file name, bytes, real)`` of every base log."""
    from provenancekit.forensics.tracks.parse import sniff_track_format

    out = []
    for rel in REAL:
        p = NAVLOG / rel
        if p.is_file():
            out.append((rel, p.name, p.read_bytes(), True))
    if generated:
        from provenancekit.samples.case import CLAIMED_TARGET, MILITARY_SITE
        from provenancekit.samples.navunit import dataflash_log, navunit_tlog

        out.append(("generated navunit.tlog", "navunit.tlog",
                    navunit_tlog(CLAIMED_TARGET, MILITARY_SITE, seed=seed), False))
        out.append(("generated arduplane.bin", "arduplane.bin",
                    dataflash_log(seconds=900, seed=seed), False))
    return [(label, name, data, real) for label, name, data, real in out
            if sniff_track_format(name, data) is not None]


def run(generated: bool = True, seed: int = 0, out: Any = sys.stdout) -> dict[str, Any]:
    from provenancekit.forensics.tracks.parse import sniff_track_format

    rows = bases(generated, seed)
    alarms: dict[str, list[str]] = {s: [] for s in SIGNS}
    detect: dict[str, dict[str, list[str]]] = {v: {"hit": [], "any": [], "miss": [], "na": []}
                                              for v in MEANT}
    print("base logs (false alarms):", file=out)
    for label, name, data, real in rows:
        f = findings(name, data)
        fired = sorted(set(f) & set(SIGNS))
        sim = " (simulator)" if "track.simulator" in f else ""
        print(f"  {'real' if real else 'gen '} {label:<34} {', '.join(fired) or '-'}{sim}",
              file=out)
        for s in fired:
            alarms[s].append(label + sim)
    print("\nfabricated variants:", file=out)
    for label, name, data, _real in rows:
        fab = FABRICATORS.get(sniff_track_format(name, data) or "")
        if fab is None:
            continue
        base_fired = set(findings(name, data)) & set(SIGNS)
        for variant, sign in MEANT.items():
            try:
                fake = fab(data, variant)
            except NotApplicable as why:
                detect[variant]["na"].append(f"{label} ({why})")
                continue
            f = findings(name, fake)
            new = sorted((set(f) & set(SIGNS)) - base_fired) if "error" not in f else ["error"]
            key = "hit" if sign in f else ("any" if new else "miss")
            detect[variant][key].append(label)
            ev = f.get(sign, {}).get("message", "")[:110]
            print(f"  {variant:<17} {label:<34} {key:<4} {', '.join(new) or '-'}  {ev}",
                  file=out)
    print("\ndetection per variant (its sign / any new sign / applicable):", file=out)
    for variant, d in detect.items():
        n = len(d["hit"]) + len(d["any"]) + len(d["miss"])
        print(f"  {variant:<17} {MEANT[variant]:<30} {len(d['hit'])}/{n}  "
              f"(any sign {len(d['hit']) + len(d['any'])}/{n}; not applicable: "
              f"{len(d['na'])})", file=out)
    real_n = sum(1 for r in rows if r[3])
    gen_n = len(rows) - real_n
    print(f"\nfalse alarms per sign on the {real_n} real and {gen_n} generated base logs:",
          file=out)
    for s in SIGNS:
        real_hits = [x for x in alarms[s] if not x.startswith("generated")]
        gen_hits = [x for x in alarms[s] if x.startswith("generated")]
        print(f"  {s:<30} real {len(real_hits)}/{real_n}  generated {len(gen_hits)}/{gen_n}"
              + (f"  on: {'; '.join(alarms[s])}" if alarms[s] else ""), file=out)
    return {"detect": detect, "alarms": alarms, "bases": [r[0] for r in rows]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-generated", action="store_true",
                    help="only the corpus's real logs as bases")
    args = ap.parse_args(argv)
    run(generated=not args.no_generated, seed=args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
