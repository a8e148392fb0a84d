"""The case report as one self-contained HTML file (rendered from the report JSON).

Everything is inline: the CSS (allowed by its SHA-256 in the Content-Security-Policy),
images as ``data:`` URIs, the map as SVG. The policy allows nothing else: no script, no
network, no frames, no forms. Jinja2 autoescaping is on for every value, so a ``<script>``
in an EXIF field is shown as text; SVG is built here with :func:`markupsafe.escape` on every
string taken from the report.
"""

from __future__ import annotations

import base64
import hashlib
import math
from importlib import resources
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from .text import reveal

MAX_FIELDS = 600
MAX_VALUE = 300
EARTH_KM_PER_DEG = 111.195


def _templates_dir() -> str:
    return str(resources.files(__package__) / "templates")


def _env() -> Environment:
    return Environment(loader=FileSystemLoader(_templates_dir()),
                       autoescape=select_autoescape(("html", "j2"), default=True,
                                                    default_for_string=True),
                       trim_blocks=False, lstrip_blocks=False, finalize=reveal)


def css_text() -> str:
    return (resources.files(__package__) / "templates" / "report.css").read_text(encoding="utf-8")


def content_security_policy(css: str) -> str:
    """The page's policy: nothing but its own inline CSS (by hash) and ``data:`` images."""
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
    return ("default-src 'none'; img-src data:; style-src 'sha256-" + digest + "'; "
            "script-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'; "
            "connect-src 'none'; font-src 'none'; media-src 'none'; frame-src 'none'")


def _flatten(value: Any, prefix: str, out: list[tuple[str, str]]) -> None:
    if len(out) >= MAX_FIELDS:
        return
    if isinstance(value, dict):
        for k, v in value.items():
            _flatten(v, f"{prefix}.{k}" if prefix else str(k), out)
    elif isinstance(value, list) and value and (any(isinstance(v, (dict, list)) for v in value)
                                                or all(isinstance(v, str) for v in value)):
        for i, v in enumerate(value[:100]):
            _flatten(v, f"{prefix}[{i}]", out)
    elif value not in (None, "", [], {}):
        text = str(value)
        out.append((prefix[:200], text if len(text) <= MAX_VALUE else text[:MAX_VALUE] + "…"))


def metadata_fields(item: dict[str, Any] | None) -> list[tuple[str, str]]:
    """Every metadata field of a scan item as (group.path, value) pairs, capped."""
    if not item:
        return []
    md = dict(item.get("metadata") or {})
    md.pop("summary", None)
    jpeg = md.get("JPEG")
    if isinstance(jpeg, dict):  # segment lists and tables are long and not read by people
        md["JPEG"] = {k: v for k, v in jpeg.items() if k not in ("segments",)}
    out: list[tuple[str, str]] = []
    _flatten(md, "", out)
    return out


# --------------------------------------------------------------------------------------------
# SVG map
# --------------------------------------------------------------------------------------------


class _Projection:
    def __init__(self, lats: list[float], lons: list[float], width: int, height: int,
                 pad: int = 40):
        lat0 = (min(lats) + max(lats)) / 2
        self.k = math.cos(math.radians(lat0))
        xs = [lo * self.k for lo in lons]
        x0, x1, y0, y1 = min(xs), max(xs), min(lats), max(lats)
        span = max(x1 - x0, y1 - y0, 0.01)
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        self.scale = min((width - 2 * pad) / max(x1 - x0, span * 0.2),
                         (height - 2 * pad) / max(y1 - y0, span * 0.2))
        self.cx, self.cy, self.w, self.h = cx, cy, width, height

    def xy(self, lat: float, lon: float) -> tuple[float, float]:
        return (self.w / 2 + (lon * self.k - self.cx) * self.scale,
                self.h / 2 - (lat - self.cy) * self.scale)

    def km_to_px(self, km: float) -> float:
        return km / EARTH_KM_PER_DEG * self.scale

    def inside(self, x: float, y: float, margin: float = 8) -> bool:
        return margin <= x <= self.w - margin and margin <= y <= self.h - margin


def _nice_km(km: float) -> float:
    for step in (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000):
        if step >= km:
            return step
    return 5000


def map_svg(report: dict[str, Any], width: int = 860, height: int = 520) -> Markup:
    """Claimed place, target, named sites, photo GPS positions and tracks, as inline SVG."""
    asserts = (report.get("case") or {}).get("asserts") or {}
    place, target = asserts.get("place"), asserts.get("target")
    sites = (report.get("case") or {}).get("sites") or []
    photos = []
    tracks = []
    missions: list[tuple[str, dict[str, Any]]] = []
    for e in report.get("evidence") or []:
        gps = (e.get("summary") or {}).get("gps") if e.get("summary") else None
        if gps and gps.get("lat") is not None and gps.get("lon") is not None:
            photos.append((e["id"], float(gps["lat"]), float(gps["lon"])))
        if e.get("track") and e["track"].get("polyline"):
            tracks.append((e["id"], e["track"]["polyline"]))
        if e.get("track") and (e["track"].get("mission") or {}).get("waypoints"):
            missions.append((e["id"], e["track"]["mission"]))
    core: list[tuple[float, float]] = []
    for p in [place, target, *sites]:
        if p:
            core.append((float(p["lat"]), float(p["lon"])))
    for _, line in tracks:
        core.extend((float(a), float(b)) for a, b in line)
    for _, m in missions:
        core.extend(_mission_path(m))
    extent = report.get("map")  # what to show is measured by the library, not here
    if not extent or not (core or photos):
        return Markup('<p class="meta">No coordinates to draw: the case names no place and no '
                      "item records a position.</p>")
    reach = float(extent["reach_km"])
    shown = set(extent.get("photos_shown") or [])
    near_photos = [p for p in photos if p[0] in shown]
    pts = core + [(lat, lon) for _, lat, lon in near_photos]
    if place and place.get("radius_km"):
        r_deg = float(place["radius_km"]) / EARTH_KM_PER_DEG
        pts += [(place["lat"] + r_deg, place["lon"]), (place["lat"] - r_deg, place["lon"])]
    proj = _Projection([p[0] for p in pts], [p[1] for p in pts], width, height)
    parts: list[str] = [
        f'<svg class="map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="Map of the case">',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#fbfcfe"/>',
    ]
    # graticule-free: a scale bar instead
    bar_km = _nice_km(reach / 3)
    bar_px = proj.km_to_px(bar_km)
    parts.append(f'<g><line x1="20" y1="{height - 20}" x2="{20 + bar_px:.1f}" y2="{height - 20}" '
                 'stroke="#333" stroke-width="3"/>'
                 f'<text x="20" y="{height - 28}" font-size="12" fill="#333">'
                 f'{bar_km:g} km</text></g>')
    if place:
        x, y = proj.xy(place["lat"], place["lon"])
        rad = proj.km_to_px(float(place.get("radius_km") or 1.0))
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{max(rad, 4):.1f}" fill="#2f6fdb" '
                     'fill-opacity="0.15" stroke="#2f6fdb" stroke-width="1.5"/>')
        parts.append(_label(x + max(rad, 4) + 4, y + 16, f"claimed place: {place['name']}",
                            "#1f4fa8"))
    for mid, m in missions:  # planned: dashed, numbered waypoints, home
        xy = [proj.xy(a, b) for a, b in _mission_path(m)]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#0a7d5a" '
                     'stroke-width="1.8" stroke-dasharray="7 5" stroke-linejoin="round"/>')
        if m.get("home"):
            hx, hy = proj.xy(float(m["home"][0]), float(m["home"][1]))
            parts.append(f'<rect x="{hx - 5:.1f}" y="{hy - 5:.1f}" width="10" height="10" '
                         'fill="#0a7d5a"/>')
            parts.append(_label(hx + 8, hy - 6, f"{mid} home / launch", "#075e44"))
        for w in m["waypoints"][:60]:
            wx, wy = proj.xy(float(w["lat"]), float(w["lon"]))
            parts.append(f'<circle cx="{wx:.1f}" cy="{wy:.1f}" r="7" fill="#fff" '
                         'stroke="#0a7d5a" stroke-width="1.5"/>')
            parts.append(f'<text x="{wx:.1f}" y="{wy + 3.5:.1f}" font-size="9" '
                         f'text-anchor="middle" fill="#075e44">{int(w["seq"])}</text>')
        dest = m.get("destination")
        if dest and dest.get("lat") is not None:
            dx, dy = proj.xy(float(dest["lat"]), float(dest["lon"]))
            parts.append(_label(dx + 10, dy + 16, f"{mid} mission destination", "#075e44"))
    for tid, line in tracks:  # flown: solid, light (start) to dark (end)
        xy = [proj.xy(a, b) for a, b in line]
        chunks = max(1, min(12, len(xy) - 1))
        step = (len(xy) - 1) / chunks if len(xy) > 1 else 1
        for c in range(chunks):
            seg = xy[round(c * step): round((c + 1) * step) + 1]
            if len(seg) < 2:
                continue
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in seg)
            parts.append(f'<polyline points="{path}" fill="none" '
                         f'stroke="{_time_colour(c / max(1, chunks - 1))}" '
                         'stroke-width="2.4" stroke-linejoin="round"/>')
        (sx, sy), (ex, ey) = xy[0], xy[-1]
        parts.append(f'<circle cx="{sx:.1f}" cy="{sy:.1f}" r="5" fill="#fff" stroke="#7b2cbf" '
                     'stroke-width="2"/>')
        parts.append(f'<circle cx="{ex:.1f}" cy="{ey:.1f}" r="5" fill="#7b2cbf"/>')
        parts.append(_label(sx + 8, sy + 4, f"{tid} track start", "#5a189a"))
        parts.append(_label(ex + 8, ey + 18, f"{tid} track end", "#5a189a"))
    for s in sites:
        x, y = proj.xy(s["lat"], s["lon"])
        parts.append(f'<polygon points="{x:.1f},{y - 8:.1f} {x - 7:.1f},{y + 6:.1f} '
                     f'{x + 7:.1f},{y + 6:.1f}" fill="#222"/>')
        parts.append(_label(x + 10, y - 6, s["name"], "#222"))
    if target:
        x, y = proj.xy(target["lat"], target["lon"])
        parts.append(f'<g stroke="#c1121f" stroke-width="3"><line x1="{x - 8:.1f}" '
                     f'y1="{y - 8:.1f}" x2="{x + 8:.1f}" y2="{y + 8:.1f}"/><line '
                     f'x1="{x - 8:.1f}" y1="{y + 8:.1f}" x2="{x + 8:.1f}" y2="{y - 8:.1f}"/></g>')
        parts.append(_label(x + 10, y - 8, f"claimed target: {target['name']}", "#a4161a"))
    for i, (pid, lat, lon) in enumerate(photos):
        x, y = proj.xy(lat, lon)
        if proj.inside(x, y):
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="#f77f00" '
                         'stroke="#fff" stroke-width="1"/>')
            parts.append(_label(x - 6, y - 8 - 12 * (i % 2), pid, "#b35c00", anchor="end"))
        else:  # far away: an arrow on the edge towards it, with the distance
            cxm, cym = width / 2, height / 2
            dx, dy = x - cxm, y - cym
            t = min((width / 2 - 14) / abs(dx) if dx else math.inf,
                    (height / 2 - 14) / abs(dy) if dy else math.inf)
            ex, ey = cxm + dx * t, cym + dy * t
            ang = math.degrees(math.atan2(dy, dx))
            km = float((extent.get("photo_km") or {}).get(pid, 0.0))
            parts.append(f'<g transform="translate({ex:.1f},{ey:.1f}) rotate({ang:.1f})">'
                         '<polygon points="6,0 -8,-6 -8,6" fill="#f77f00"/></g>')
            lx = min(max(ex - 10, 10), width - 10)
            ly = min(max(ey + 18, 16), height - 8)
            parts.append(_label(lx, ly, f"{pid}: {km:.0f} km away", "#b35c00",
                                anchor="end" if ex > width / 2 else "start"))
    parts.append("</svg>")
    return Markup("".join(parts))


def _mission_path(m: dict[str, Any]) -> list[tuple[float, float]]:
    """Home (when stated) then the navigation points, as the library listed them."""
    out = [(float(m["home"][0]), float(m["home"][1]))] if m.get("home") else []
    return out + [(float(w["lat"]), float(w["lon"])) for w in m.get("waypoints") or []]


def _time_colour(f: float) -> str:
    """Lavender at the start of a track to deep purple at its end (0 <= f <= 1)."""
    a, b = (0xc8, 0xb6, 0xff), (0x3c, 0x09, 0x6c)
    return "#" + "".join(f"{round(x + (y - x) * f):02x}" for x, y in zip(a, b, strict=True))


def profile_svg(track: dict[str, Any], width: int = 520, height: int = 150) -> Markup:
    """Altitude (filled) and ground speed (line) over time, with the log's timed events
    marked, from the library's ``profile`` rows; nothing when there is no profile."""
    prof = track.get("profile") or {}
    rows = prof.get("rows") or []
    if len(rows) < 2:
        return Markup("")
    pad_l, pad_r, pad_t, pad_b = 44, 44, 12, 24
    t_end = max(float(r[0]) for r in rows) or 1.0
    alts = [float(r[1]) for r in rows if r[1] is not None]
    kmhs = [float(r[2]) for r in rows if r[2] is not None]

    def x(s: float) -> float:
        return pad_l + (width - pad_l - pad_r) * s / t_end

    def scale(v: float, lo: float, hi: float) -> float:
        return height - pad_b - (height - pad_t - pad_b) * ((v - lo) / ((hi - lo) or 1.0))

    parts = [f'<svg class="profile" xmlns="http://www.w3.org/2000/svg" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
             'aria-label="altitude and speed over time">',
             f'<rect width="{width}" height="{height}" fill="#fbfcfe" stroke="#d5d5d9"/>']
    if alts:
        lo, hi = min(alts), max(alts)
        pts = [(x(float(r[0])), scale(float(r[1]), lo, hi)) for r in rows if r[1] is not None]
        area = (f"{pts[0][0]:.1f},{height - pad_b} " + " ".join(f"{a:.1f},{b:.1f}"
                for a, b in pts) + f" {pts[-1][0]:.1f},{height - pad_b}")
        parts.append(f'<polygon points="{area}" fill="#2f6fdb" fill-opacity="0.18" '
                     'stroke="#2f6fdb" stroke-width="1.2"/>')
        parts.append(f'<text x="4" y="{pad_t + 8}" font-size="10" fill="#1f4fa8">'
                     f'{hi:.0f} m</text><text x="4" y="{height - pad_b}" font-size="10" '
                     f'fill="#1f4fa8">{lo:.0f} m</text>')
    if kmhs:
        hi = max(kmhs)
        pts = [(x(float(r[0])), scale(float(r[2]), 0.0, hi)) for r in rows if r[2] is not None]
        parts.append('<polyline points="' + " ".join(f"{a:.1f},{b:.1f}" for a, b in pts)
                     + '" fill="none" stroke="#c1121f" stroke-width="1.2"/>')
        parts.append(f'<text x="{width - 4}" y="{pad_t + 8}" font-size="10" fill="#a4161a" '
                     f'text-anchor="end">{hi:.0f} km/h</text>')
    for ev in (prof.get("events") or [])[:40]:
        s = float(ev["s"])
        if 0 <= s <= t_end:
            parts.append(f'<line x1="{x(s):.1f}" y1="{pad_t}" x2="{x(s):.1f}" '
                         f'y2="{height - pad_b}" stroke="#555" stroke-dasharray="2 3">'
                         f'<title>{escape(str(ev.get("kind")))}: {escape(str(ev.get("text")))}'
                         '</title></line>')
    parts.append(f'<text x="{pad_l}" y="{height - 6}" font-size="10" fill="#333">0 s</text>'
                 f'<text x="{width - pad_r}" y="{height - 6}" font-size="10" fill="#333" '
                 f'text-anchor="end">{t_end:,.0f} s (from {escape(str(prof.get("start")))})'
                 '</text></svg>')
    return Markup("".join(parts))


def _label(x: float, y: float, text: str, color: str, anchor: str = "start",
           width: int = 860) -> str:
    if anchor == "start" and x + 7.2 * len(text) > width - 6:  # would run off the right edge
        x, anchor = x - 24, "end"
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="12.5" fill="{color}" '
            f'text-anchor="{anchor}" stroke="#fbfcfe" stroke-width="3" paint-order="stroke">'
            f"{escape(text)}</text>")


def track_svg(track: dict[str, Any], size: int = 240) -> Markup:
    """A small drawing of one track (north up), for the evidence card: the flown track solid,
    the programmed mission dashed."""
    line = [(float(a), float(b)) for a, b in track.get("polyline") or []]
    plan = _mission_path(track.get("mission") or {})
    if not line and not plan:
        return Markup("")
    every = line + plan
    proj = _Projection([p[0] for p in every], [p[1] for p in every], size, size, pad=16)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
             f'viewBox="0 0 {size} {size}" role="img" aria-label="track">'
             f'<rect width="{size}" height="{size}" fill="#fbfcfe" stroke="#d5d5d9"/>']
    if len(plan) > 1:
        pts = " ".join("{:.1f},{:.1f}".format(*proj.xy(a, b)) for a, b in plan)
        parts.append(f'<polyline points="{pts}" fill="none" stroke="#0a7d5a" '
                     'stroke-width="1.5" stroke-dasharray="5 4"/>')
    if line:
        pts = " ".join("{:.1f},{:.1f}".format(*proj.xy(a, b)) for a, b in line)
        sx, sy = proj.xy(*line[0])
        ex, ey = proj.xy(*line[-1])
        parts.append(f'<polyline points="{pts}" fill="none" stroke="#7b2cbf" stroke-width="2"/>'
                     f'<circle cx="{sx:.1f}" cy="{sy:.1f}" r="4" fill="#fff" stroke="#7b2cbf"/>'
                     f'<circle cx="{ex:.1f}" cy="{ey:.1f}" r="4" fill="#7b2cbf"/>')
    parts.append(f'<text x="{size - 14}" y="18" font-size="12" fill="#333">N</text></svg>')
    return Markup("".join(parts))


# --------------------------------------------------------------------------------------------
# Page
# --------------------------------------------------------------------------------------------


def _merged_timeline(report: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for t in report.get("timeline") or []:
        if t["field"] in ("event window start", "event window end"):
            rows.append({**t, "window_marker": True, "item": "claim"})
        else:
            rows.append({**t, "window_marker": False, "item": "claim"})
    for e in report.get("evidence") or []:
        for t in e.get("timeline") or []:
            rows.append({**t, "window_marker": False, "item": f"{e['id']} {e['file']}"})
    rows.sort(key=lambda r: (r.get("sort_utc") or "", 0 if r["window_marker"] else 1))
    return rows


def render_html(report: dict[str, Any]) -> str:
    """The whole report page as one string."""
    css = css_text()
    if "</style" in css.lower():
        raise ValueError("report.css must not contain a closing style tag")
    evidence = report.get("evidence") or []
    return _env().get_template("case_report.html.j2").render(
        r=report, css=Markup(css), csp=content_security_policy(css),
        map_svg=map_svg(report), timeline=_merged_timeline(report),
        fields={e["id"]: metadata_fields(e.get("scan")) for e in evidence},
        track_svgs={e["id"]: track_svg(e["track"]) for e in evidence if e.get("track")},
        profile_svgs={e["id"]: profile_svg(e["track"]) for e in evidence if e.get("track")},
    )
