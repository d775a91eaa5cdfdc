#!/usr/bin/env python3
"""Rebuilds marketplace/districts.tsv: every UK postcode district (outward
code) with its centroid, a place name, its nation and its region.

Sources, all under the Open Government Licence v3.0:

  POSTCODES  a directory of CSV files "Postcode,lat,long", one per postcode
             area, as republished from the ONS National Statistics Postcode
             Lookup by the odileeds/Postcodes2LatLon repository (postcodes/).
             Its Northern Ireland file (BT.csv) is not read: the lookup's
             BT positions are Land & Property Services data that the ONS
             licenses for internal business use only, not under the OGL.
  NI         Northern Ireland postcodes "postcode,lat,lon": the postcodes and
             positions of the food businesses in the Food Standards Agency's
             Food Hygiene Rating Scheme open data, as republished by the
             osm-uk/NI-Postcodes repository (data/NI-postcodes.csv).
  EER        ONS European Electoral Regions (2013) of Great Britain as
             TopoJSON: the nine English regions, Wales and Scotland
             (martinjc/UK-GeoJSON json/electoral/gb/topo_eer.json).
  LAD        ONS Local Authority Districts (2013) of Great Britain as TopoJSON
             (martinjc/UK-GeoJSON json/administrative/gb/topo_lad.json).
  LGD        Northern Ireland Local Government Districts as TopoJSON
             (martinjc/UK-GeoJSON json/administrative/ni/topo_lgd.json).

A district's centroid is the mean of its postcodes' positions. In Northern
Ireland those are the postcodes that food businesses are registered at (about
10,000 of some 49,000, in 80 of the 81 districts; BT99 has none and is left
out), a postcode seen more than once placed at the mean of its positions, and
positions outside Northern Ireland's boundaries (mistyped postcodes or
geocodes) dropped. Checked against the full postcode lookup, those centroids
lie a median 0.4 km and at most 2.7 km from the ones all postcodes give. Its nation,
region and name are those of the boundaries its centroid falls in; a centroid
off the generalised coastline takes those of the nearest district of its
postcode area that falls inside. Post towns are Royal Mail's and not open
data, so a district is named after its local authority district.

Usage: build-districts.py POSTCODES NI EER LAD LGD DATE NIDATE > marketplace/districts.tsv

where POSTCODES is the postcodes/ folder of a clone of
https://github.com/odileeds/Postcodes2LatLon, NI the file named above from a
clone of https://github.com/osm-uk/NI-Postcodes, EER, LAD and LGD the files
named above from a clone of https://github.com/martinjc/UK-GeoJSON, DATE the
date of the postcode release and NIDATE that of the NI-Postcodes commit
(both written into the header).
Only the Python standard library is needed.
"""

import csv
import glob
import json
import math
import os
import re
import sys

# An outward code as the marketplace parses one; the lookup also holds a few
# codes of no district ("NPT"), left out.
OUTWARD = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]?$")

REGIONS = {
    "North East": ("england", "north-east"),
    "North West": ("england", "north-west"),
    "Yorkshire and The Humber": ("england", "yorkshire-humber"),
    "East Midlands": ("england", "east-midlands"),
    "West Midlands": ("england", "west-midlands"),
    "Eastern": ("england", "east"),
    "London": ("england", "london"),
    "South East": ("england", "south-east"),
    "South West": ("england", "south-west"),
    "Wales": ("wales", "wales"),
    "Scotland": ("scotland", "scotland"),
}

# Crown dependencies share the postcode system but are not in the UK.
CROWN = {"GY": "channel-islands", "JE": "channel-islands", "IM": "isle-of-man"}
CROWN_NAMES = {"GY": "Guernsey", "JE": "Jersey", "IM": "Isle of Man"}


def topo_shapes(path):
    """Decodes a quantised TopoJSON file into (properties, polygons), each
    polygon a list of rings of (lon, lat), with a bounding box."""
    with open(path) as f:
        topo = json.load(f)
    sx, sy = topo["transform"]["scale"]
    tx, ty = topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)

    def ring(indexes):
        points = []
        for i in indexes:
            a = arcs[i] if i >= 0 else arcs[~i][::-1]
            points.extend(a if not points else a[1:])
        return points

    shapes = []
    for layer in topo["objects"].values():
        for g in layer["geometries"]:
            if g["type"] == "Polygon":
                polygons = [[ring(r) for r in g["arcs"]]]
            elif g["type"] == "MultiPolygon":
                polygons = [[ring(r) for r in p] for p in g["arcs"]]
            else:
                continue
            xs = [p[0] for poly in polygons for r in poly for p in r]
            ys = [p[1] for poly in polygons for r in poly for p in r]
            shapes.append((g["properties"], polygons, (min(xs), min(ys), max(xs), max(ys))))
    return shapes


def inside_ring(x, y, ring):
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i]
        xj, yj = ring[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def find(shapes, lon, lat):
    for props, polygons, (x0, y0, x1, y1) in shapes:
        if not (x0 <= lon <= x1 and y0 <= lat <= y1):
            continue
        for poly in polygons:
            if inside_ring(lon, lat, poly[0]) and not any(inside_ring(lon, lat, h) for h in poly[1:]):
                return props
    return None


def distance_km(lat1, lon1, lat2, lon2):
    r = math.pi / 180
    h = (math.sin((lat2 - lat1) * r / 2) ** 2
         + math.cos(lat1 * r) * math.cos(lat2 * r) * math.sin((lon2 - lon1) * r / 2) ** 2)
    return 2 * 6371.0088 * math.asin(min(1, math.sqrt(h)))


def outward(postcode):
    compact = postcode.replace(" ", "").upper()
    return compact[:-3] if len(compact) > 3 else ""


def area_of(district):
    letters = ""
    for c in district:
        if not c.isalpha():
            break
        letters += c
    return letters


def add(sums, d, lat, lon):
    s = sums.setdefault(d, [0.0, 0.0, 0])
    s[0] += lat
    s[1] += lon
    s[2] += 1


def ni_postcodes(path, lgd):
    """Sums the Northern Ireland postcodes' positions by district: each
    postcode once, at the mean of its positions, if that lies in NI."""
    by_postcode = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            try:
                lat, lon = float(row["lat"]), float(row["lon"])
            except (KeyError, ValueError):
                continue
            compact = row["postcode"].replace(" ", "").upper()
            d = outward(compact)
            if not d.startswith("BT") or not OUTWARD.match(d):
                continue
            add(by_postcode, compact, lat, lon)
    sums = {}
    for compact, (slat, slon, n) in sorted(by_postcode.items()):
        lat, lon = slat / n, slon / n
        if find(lgd, lon, lat) is None:
            continue
        add(sums, outward(compact), lat, lon)
    return sums


def main():
    if len(sys.argv) != 8:
        sys.exit(__doc__)
    postcodes, ni_path, eer_path, lad_path, lgd_path, date, ni_date = sys.argv[1:]
    eer = topo_shapes(eer_path)
    lad = topo_shapes(lad_path)
    lgd = topo_shapes(lgd_path)

    sums = ni_postcodes(ni_path, lgd)
    for path in sorted(glob.glob(os.path.join(postcodes, "*.csv"))):
        if os.path.basename(path) == "BT.csv":
            continue
        with open(path, newline="") as f:
            for row in csv.DictReader(f):
                try:
                    lat, lon = float(row["lat"]), float(row["long"])
                except (KeyError, ValueError):
                    continue
                if lat == 0 or lat > 90:  # no grid reference
                    continue
                d = outward(row["Postcode"])
                if not OUTWARD.match(d) or d.startswith("BT"):
                    continue
                add(sums, d, lat, lon)

    rows = {}
    for d, (slat, slon, n) in sums.items():
        lat, lon = slat / n, slon / n
        area = area_of(d)
        row = {"district": d, "area": area, "lat": lat, "lon": lon,
               "name": "", "name_cy": "", "nation": "", "region": ""}
        if area in CROWN:
            row.update(nation="crown-dependencies", region=CROWN[area], name=CROWN_NAMES[area])
        elif area == "BT":
            row.update(nation="northern-ireland", region="northern-ireland")
            p = find(lgd, lon, lat)
            if p:
                row["name"] = p["LGDNAME"]
        else:
            p = find(eer, lon, lat)
            if p:
                row["nation"], row["region"] = REGIONS[p["EER13NM"]]
            p = find(lad, lon, lat)
            if p:
                row["name"] = p["LAD13NM"]
                row["name_cy"] = p.get("LAD13NMW") or ""
        rows[d] = row

    # Centroids off the generalised coastline borrow from the nearest
    # district of the same area that was placed.
    for key, fields in (("region", ("nation", "region")), ("name", ("name", "name_cy"))):
        for row in rows.values():
            if row[key]:
                continue
            best = None
            for other in rows.values():
                if other["area"] != row["area"] or not other[key]:
                    continue
                km = distance_km(row["lat"], row["lon"], other["lat"], other["lon"])
                if best is None or km < best[0]:
                    best = (km, other)
            if best:
                for f in fields:
                    row[f] = best[1][f]

    out = sys.stdout
    out.write("# UK postcode districts: outward code, postcode area, centroid (WGS84), local authority\n")
    out.write("# district name (English, Welsh), nation, region. Built by scripts/build-districts.py.\n")
    out.write("# Sources, all under the Open Government Licence v3.0:\n")
    out.write("# - England, Scotland, Wales: ONS National Statistics Postcode Lookup (May 2025, as of %s)\n" % date)
    out.write("#   positions, as republished by odileeds/Postcodes2LatLon; its Northern Ireland part is not used.\n")
    out.write("# - Northern Ireland (BT): the postcodes and positions of food businesses in the Food Standards\n")
    out.write("#   Agency's Food Hygiene Rating Scheme open data (as of %s), as republished by\n" % ni_date)
    out.write("#   osm-uk/NI-Postcodes. About 10,000 of NI's postcodes, so a BT centroid is the mean of those\n")
    out.write("#   (a median 0.4 km, at most 2.7 km, from that of every postcode); BT99 has none and is absent.\n")
    out.write("# - ONS European Electoral Regions (2013) and Local Authority Districts (2013) boundaries, and\n")
    out.write("#   OSNI Local Government Districts boundaries, as republished by martinjc/UK-GeoJSON.\n")
    out.write("# Attribution: Contains OS data (c) Crown copyright and database right 2025. Contains Royal Mail\n")
    out.write("# data (c) Royal Mail copyright and database right 2025. Contains National Statistics data\n")
    out.write("# (c) Crown copyright and database right 2025. Contains LPS Intellectual Property (c) Crown\n")
    out.write("# copyright and database right 2016. Contains public sector information from the Food Standards\n")
    out.write("# Agency licensed under the Open Government Licence v3.0.\n")
    out.write("district\tarea\tlat\tlon\tname\tname_cy\tnation\tregion\n")
    for d in sorted(rows, key=lambda k: (rows[k]["area"], len(k), k)):
        r = rows[d]
        if not r["region"]:
            print("no region for", d, file=sys.stderr)
            continue
        out.write("%s\t%s\t%.4f\t%.4f\t%s\t%s\t%s\t%s\n" % (
            d, r["area"], r["lat"], r["lon"], r["name"], r["name_cy"], r["nation"], r["region"]))


if __name__ == "__main__":
    main()
