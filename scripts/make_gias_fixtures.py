#!/usr/bin/env python3
"""Generate GIAS establishment-extract fixtures in the shape of DfE's edubasealldataYYYYMMDD.csv.

Stdlib only, deterministic (fixed seeds: re-running gives identical bytes); run as
`python3 scripts/make_gias_fixtures.py` from anywhere. Output: Windows-1252, CRLF, the 140-column 2024 header,
text quoted, empty cells bare, dates dd-mm-yyyy. Names and values are invented but shaped like the real file
(ward, constituency, MSOA/LSOA, UKPRN and UPRN values are well-formed, not real).

crates/ingest/test_data/gias/basic.csv (stands for edubasealldata20250303.csv): 16 Kent (886) rows + 2 Medway
  (887: URNs 134562, 141005). 118540's name has cp1252 byte 0x92 (St Mary’s); 118690's name has a comma.
crates/ingest/test_data/gias/newer.csv (stands for edubasealldata20250403.csv), against basic.csv:
  (a) 118201 Great Chart Primary School: NumberOfPupils 412 -> 418, NumberOfBoys 203 -> 209,
      OfstedRating (name) "Requires improvement" -> "Good", OfstedLastInsp 14-03-2023 -> 05-03-2025
  (b) 118312 Bearsted Green Primary School: ResourcedProvisionCapacity 15 -> 18
  (c) 118140 Dartford Heath Nursery School: absent
  (d) 149921 Hollow Lane School (Other independent special school, Canterbury, opened 17-03-2025): added
  Rows (a) and (b) also get LastChangedDate 20-03-2025. Every other row is byte-identical.
crates/ingest/test_data/gias/recoverable-errors.csv (file lines, header = line 1): line 3 URN "12A45";
  line 5 OpenDate "31-02-2019"; line 6 NumberOfPupils "lots"; lines 2, 4 and 7 are valid.
data/sample/gias_kent_sample.csv: 120 Kent + 10 Medway rows of demo data.
"""
import os
import random

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADER = """URN|LA (code)|LA (name)|EstablishmentNumber|EstablishmentName|TypeOfEstablishment (code)|
TypeOfEstablishment (name)|EstablishmentTypeGroup (code)|EstablishmentTypeGroup (name)|EstablishmentStatus (code)|
EstablishmentStatus (name)|ReasonEstablishmentOpened (code)|ReasonEstablishmentOpened (name)|OpenDate|
ReasonEstablishmentClosed (code)|ReasonEstablishmentClosed (name)|CloseDate|PhaseOfEducation (code)|
PhaseOfEducation (name)|StatutoryLowAge|StatutoryHighAge|Boarders (code)|Boarders (name)|NurseryProvision (name)|
OfficialSixthForm (code)|OfficialSixthForm (name)|Gender (code)|Gender (name)|ReligiousCharacter (code)|
ReligiousCharacter (name)|ReligiousEthos (name)|Diocese (code)|Diocese (name)|AdmissionsPolicy (code)|
AdmissionsPolicy (name)|SchoolCapacity|SpecialClasses (code)|SpecialClasses (name)|CensusDate|NumberOfPupils|
NumberOfBoys|NumberOfGirls|PercentageFSM|TrustSchoolFlag (code)|TrustSchoolFlag (name)|Trusts (code)|Trusts (name)|
SchoolSponsorFlag (name)|SchoolSponsors (name)|FederationFlag (name)|Federations (code)|Federations (name)|UKPRN|
FEHEIdentifier|FurtherEducationType (name)|OfstedLastInsp|OfstedSpecialMeasures (code)|OfstedSpecialMeasures (name)|
LastChangedDate|Street|Locality|Address3|Town|County (name)|Postcode|SchoolWebsite|TelephoneNum|HeadTitle (name)|
HeadFirstName|HeadLastName|HeadPreferredJobTitle|BSOInspectorateName (name)|InspectorateReport|
DateOfLastInspectionVisit|NextInspectionVisit|TeenMoth (name)|TeenMothPlaces|CCF (name)|SENPRU (name)|EBD (name)|
PlacesPRU|FTProv (name)|EdByOther (name)|Section41Approved (name)|SEN1 (name)|SEN2 (name)|SEN3 (name)|SEN4 (name)|
SEN5 (name)|SEN6 (name)|SEN7 (name)|SEN8 (name)|SEN9 (name)|SEN10 (name)|SEN11 (name)|SEN12 (name)|SEN13 (name)|
TypeOfResourcedProvision (name)|ResourcedProvisionOnRoll|ResourcedProvisionCapacity|SenUnitOnRoll|SenUnitCapacity|
GOR (code)|GOR (name)|DistrictAdministrative (code)|DistrictAdministrative (name)|AdministrativeWard (code)|
AdministrativeWard (name)|ParliamentaryConstituency (code)|ParliamentaryConstituency (name)|UrbanRural (code)|
UrbanRural (name)|GSSLACode (name)|Easting|Northing|MSOA (name)|LSOA (name)|InspectorateName (name)|SENStat|
SENNoStat|BoardingEstablishment (name)|PropsName|PreviousLA (code)|PreviousLA (name)|PreviousEstablishmentNumber|
OfstedRating (name)|RSCRegion (name)|Country (name)|UPRN|SiteName|QABName (code)|QABName (name)|
EstablishmentAccredited (code)|EstablishmentAccredited (name)|QABReport|CHNumber|MSOA (code)|LSOA (code)|FSM|
AccreditationExpiryDate""".replace("\n", "").split("|")
assert len(HEADER) == 140
# Columns the real download writes as bare numbers; every other non-empty cell is quoted.
BARE = {"URN", "StatutoryLowAge", "StatutoryHighAge", "SchoolCapacity", "UKPRN", "Easting", "Northing",
        "SENStat", "SENNoStat"}

TYPES = {  # name: (type code, group code)
    "Community school": ("01", 4), "Voluntary aided school": ("02", 4), "Voluntary controlled school": ("03", 4),
    "Foundation school": ("05", 4), "Community special school": ("07", 5), "Non-maintained special school": ("08", 5),
    "Other independent special school": ("10", 5), "Other independent school": ("11", 3),
    "Foundation special school": ("12", 5), "Pupil referral unit": ("14", 4),
    "Local authority nursery school": ("15", 4), "Academy sponsor led": ("28", 10), "Academy converter": ("34", 10),
    "Free schools": ("35", 11), "Academy alternative provision converter": ("42", 10),
    "Academy special converter": ("44", 10)}
GROUPS = {3: "Independent schools", 4: "Local authority maintained schools", 5: "Special schools",
          9: "Other types", 10: "Academies", 11: "Free Schools"}
STATUS = {"Open": 1, "Closed": 2, "Open, but proposed to close": 3, "Proposed to open": 4}
PHASE = {"Not applicable": 0, "Nursery": 1, "Primary": 2, "Middle deemed primary": 3, "Secondary": 4,
         "16 plus": 6, "All-through": 7}
SEN = {label.split(" - ")[0]: label for label in (
    "ASD - Autistic Spectrum Disorder|SLCN - Speech, language and Communication|SEMH - Social, Emotional and Mental "
    "Health|MLD - Moderate Learning Difficulty|SLD - Severe Learning Difficulty|PMLD - Profound and Multiple Learning "
    "Difficulty|PD - Physical Disability|HI - Hearing Impairment|VI - Visual Impairment|MSI - Multi-Sensory Impairment|"
    "SpLD - Specific Learning Difficulty|OTH - Other Difficulty/Disability").split("|")}
SEN["NA"] = "Not Applicable"
KENT, MEDWAY = ("886", "Kent", "E10000016"), ("887", "Medway", "E06000035")
# code|name|easting|northing|dialling code|constituency|post town:outward|place:outward ("*" = own post town)
DISTRICT_TEXT = """\
E07000105|Ashford|601500|142500|01233|Ashford|Ashford:TN23|Kennington:TN24|Willesborough:TN24|Charing:TN27|
 Wye:TN25|*Tenterden:TN30|Hamstreet:TN26|Bethersden:TN26|Great Chart:TN23|Aldington:TN25|Kingsnorth:TN23
E07000106|Canterbury|615000|157500|01227|Canterbury|Canterbury:CT1|*Whitstable:CT5|*Herne Bay:CT6|Sturry:CT2|
 Bridge:CT4|Chartham:CT4|Littlebourne:CT3|Blean:CT2|Hersden:CT3|Barham:CT4|Herne:CT6
E07000107|Dartford|555500|173500|01322|Dartford|Dartford:DA1|Wilmington:DA2|Sutton-at-Hone:DA4|Stone:DA9|
 *Swanscombe:DA10|*Greenhithe:DA9|Darenth:DA2|Joydens Wood:DA5|Bean:DA2|Ebbsfleet:DA10|Temple Hill:DA1
E07000108|Dover|631500|143000|01304|Dover|Dover:CT16|*Deal:CT14|*Sandwich:CT13|Aylesham:CT3|Eastry:CT13|
 River:CT17|Whitfield:CT16|Shepherdswell:CT15|Kingsdown:CT14|St Margaret's-at-Cliffe:CT15|Walmer:CT14
E07000112|Folkestone and Hythe|620500|136500|01303|Folkestone and Hythe|Folkestone:CT20|*Hythe:CT21|
 *New Romney:TN28|Lydd:TN29|Lyminge:CT18|Hawkinge:CT18|Dymchurch:TN29|Sandgate:CT20|Old Romney:TN29|Cheriton:CT19
E07000109|Gravesham|565500|172500|01474|Gravesham|Gravesend:DA12|Northfleet:DA11|Istead Rise:DA13|
 Meopham:DA13|Higham:ME3|Cobham:DA12|Shorne:DA12|Riverview Park:DA12|Painters Ash:DA11|Singlewell:DA12|Vigo:DA13
E07000110|Maidstone|576000|155500|01622|Maidstone and The Weald|Maidstone:ME14|Bearsted:ME14|Headcorn:TN27|
 Marden:TN12|Staplehurst:TN12|Harrietsham:ME17|Lenham:ME17|Coxheath:ME17|Loose:ME15|Allington:ME16
E07000111|Sevenoaks|552500|155000|01732|Sevenoaks|Sevenoaks:TN13|*Swanley:BR8|*Edenbridge:TN8|Otford:TN14|
 Kemsing:TN15|*Westerham:TN16|Hextable:BR8|Leigh:TN11|Seal:TN15|Halstead:TN14|Dunton Green:TN13
E07000113|Swale|590500|163500|01795|Sittingbourne and Sheppey|Sittingbourne:ME10|*Faversham:ME13|
 *Sheerness:ME12|Minster-on-Sea:ME12|Eastchurch:ME12|Iwade:ME9|Teynham:ME9|Milton Regis:ME10|Kemsley:ME10
E07000114|Thanet|636500|168000|01843|North Thanet|Margate:CT9|*Ramsgate:CT11|*Broadstairs:CT10|
 *Westgate-on-Sea:CT8|*Birchington:CT7|Minster:CT12|Cliftonville:CT9|Garlinge:CT9|St Peter's:CT10|Monkton:CT12
E07000115|Tonbridge and Malling|563000|150500|01732|Tonbridge and Malling|Tonbridge:TN9|*West Malling:ME19|
 *Snodland:ME6|*Aylesford:ME20|Hildenborough:TN11|Borough Green:TN15|Kings Hill:ME19|East Peckham:TN12|Hadlow:TN11
E07000116|Tunbridge Wells|558500|139500|01892|Tunbridge Wells|Tunbridge Wells:TN1|Southborough:TN4|Pembury:TN2|
 *Paddock Wood:TN12|*Cranbrook:TN17|*Hawkhurst:TN18|Goudhurst:TN17|Rusthall:TN4|Speldhurst:TN3|Benenden:TN17
E06000035|Medway|576500|167500|01634|Rochester and Strood|Chatham:ME4|*Rochester:ME1|Strood:ME2|
 *Gillingham:ME7|Rainham:ME8|Walderslade:ME5|Hoo St Werburgh:ME3|Lordswood:ME5|Wigmore:ME8|Cuxton:ME2"""
DISTRICTS = {}  # code: (name, easting, northing, dialling code, constituency, [(place, outward, own post town)])
for _line in DISTRICT_TEXT.replace("|\n ", "|").splitlines():
    _code, _name, _e, _n, _tel, _const, *_places = _line.split("|")
    DISTRICTS[_code] = (_name, int(_e), int(_n), _tel, _const,
                        [(p.split(":")[0].lstrip("*"), p.split(":")[1], p.startswith("*")) for p in _places])
DIST_IDX = {code: i for i, code in enumerate(DISTRICTS)}
BY_NAME = {v[0]: code for code, v in DISTRICTS.items()}
WOMEN = "Sarah Claire Helen Emma Rachel Joanne Nicola Kate Louise Priya Fiona".split()
MEN = "James David Mark Paul Simon Richard Andrew Matthew Gareth Tunde Ian".split()
LAST = ("Harris Clarke Whitfield Okafor Bennett Patel Hughes O'Connor Marsh Taylor Goodwin Fairbrother Singh Pearce "
        "Lambert Ashdown Kemp Doyle Thornton Mills").split()
STREETS = ("School Lane|Church Road|Station Road|The Street|Mill Lane|High Street|London Road|Canterbury Road|"
           "Park Avenue|Oak Tree Road|Beech Drive|Queens Road|St John's Road|Hill View|Nursery Road|Sandy Lane|"
           "Forge Lane|Chapel Street|Manor Way").split("|")
WORDS = ("Oakfield|Riverview|Brookside|Hillside|Greenfields|Westlands|Downsview|Castle Hill|Priory Fields|Orchard|"
         "Beechwood|Meadow Vale|Harbour|Elm Court|Willow Bank|Holywell|Chestnut|Foxgrove|Kingsmead|Hazelwood|"
         "Marlowe|Swallowfield|Ridgeview|Bramble").split("|")
SAINTS = ("Mary Peter John Nicholas Michael Augustine Margaret Stephen Thomas Joseph Anselm Edmund Lawrence Martin "
          "Andrew Mildred Ethelbert Dunstan Alphege Anne").split()
PATRONS = ["Sir Roger Manley", "Dame Alice Fenner", "Sir John Lambarde", "Dame Ellen Hawkins", "Sir Henry Cobb"]
TRUSTS = [("2381", "EAST KENT LEARNING TRUST"), ("2497", "WEALD ACADEMIES TRUST"), ("3012", "COASTLINE LEARNING TRUST"),
          ("2655", "MEDWAY VALLEY EDUCATION TRUST"), ("3340", "THE DOWNS LEARNING PARTNERSHIP"),
          ("2718", "STOUR AND SWALE ACADEMY TRUST"), ("3155", "NORTH DOWNS SCHOOLS TRUST")]
RATINGS = ["Outstanding"] * 3 + ["Good"] * 12 + ["Requires improvement"] * 4 + ["Inadequate"]


STATIC = dict(kv.split("=") for kv in """Boarders (code)=1|Boarders (name)=No boarders|TrustSchoolFlag (code)=0|
TrustSchoolFlag (name)=Not applicable|SchoolSponsorFlag (name)=Not applicable|OfstedSpecialMeasures (code)=0|
OfstedSpecialMeasures (name)=Not applicable|FurtherEducationType (name)=Not applicable|TeenMoth (name)=Not applicable|
BSOInspectorateName (name)=Not applicable|CCF (name)=Not applicable|SENPRU (name)=Not applicable|GOR (code)=J|
EBD (name)=Not applicable|EdByOther (name)=Not applicable|GOR (name)=South East|PreviousLA (code)=999|
RSCRegion (name)=South-East England and South London|QABName (code)=0|QABName (name)=Not applicable|
EstablishmentAccredited (code)=0|EstablishmentAccredited (name)=Not applicable|ReasonEstablishmentClosed (code)=00|
ReasonEstablishmentClosed (name)=Not applicable""".replace("\n", "").split("|"))


def dt(y, m, d):
    return f"{d:02d}-{m:02d}-{y}"


def rdate(rng, y0, y1):
    return dt(rng.randint(y0, y1), rng.randint(1, 12), rng.randint(1, 28))


def pair(r, field, code, name):
    r[f"{field} (code)"], r[f"{field} (name)"] = code, name


def school(rng, urn, estno, name, etype, phase, dist, place=None, la=KENT, status="Open", sen=(), rp=None,
           pupils=None, rating=None, gender="Mixed", selective=False, sixth=None, religion=None, trust=None,
           opened="", closed=None, ages=None, over=None):
    """One row as {column: text}. rp = (type, rp_on_roll, rp_capacity, unit_on_roll, unit_capacity)."""
    dist = BY_NAME.get(dist, dist)
    (tcode, gcode), (dname, e0, n0, tel, const, places), di = TYPES[etype], DISTRICTS[dist], DIST_IDX[dist]
    names = [p[0] for p in places]
    pi = names.index(place) if place in names else 0
    place, outward, urban = places[pi][0], places[pi][1], places[pi][2] or pi == 0
    town = place if urban else names[0]
    academy, indep = gcode in (10, 11), gcode == 3 or tcode == "10"
    special, pru = gcode == 5 or tcode == "44", tcode in ("14", "42")
    is_open, secondary = status in ("Open", "Open, but proposed to close"), phase in ("Secondary", "All-through")
    sixth = (secondary and rng.random() < 0.7) if sixth is None else sixth
    nursery = phase == "Primary" and rng.random() < 0.35
    lo, hi = ages or {"Nursery": (2, 5), "Primary": (3 if nursery else 4, 11), "All-through": (4, 18),
                      "Secondary": (11, 18 if sixth else 16)}.get(phase) or (
        (11, 16) if pru else (rng.choice([2, 4, 5, 7, 11]), 19) if special and not indep else
        (rng.choice([7, 8, 11]), 18) if special else (3, rng.choice([11, 13, 18])))
    if pupils is None:
        pupils = rng.randint(*{"Primary": (96, 630), "Secondary": (620, 1750), "All-through": (900, 1500),
                               "Nursery": (60, 120)}.get(phase, (30, 110) if pru else (20, 95) if indep and special
                                                         else (90, 280) if special else (120, 560)))
    r = {h: STATIC.get(h, "") for h in HEADER}
    r.update({"URN": str(urn), "LA (code)": la[0], "LA (name)": la[1], "EstablishmentNumber": str(estno),
              "EstablishmentName": name, "CloseDate": closed[0] if closed else "",
              "OpenDate": opened or ("01-01-1900" if not indep and rng.random() < 0.3 else ""),
              "StatutoryLowAge": str(lo), "StatutoryHighAge": str(hi), "NurseryProvision (name)":
              "Has Nursery Classes" if nursery else "Not applicable" if phase == "Nursery" else "No Nursery Classes",
              "ReligiousEthos (name)": "Christian" if indep and religion else "None" if indep else "Does not apply",
              "PreviousEstablishmentNumber": str(estno) if "converter" in etype else ""})
    pair(r, "TypeOfEstablishment", tcode, etype)
    pair(r, "EstablishmentTypeGroup", str(gcode), GROUPS[gcode])
    pair(r, "EstablishmentStatus", str(STATUS[status]), status)
    pair(r, "PhaseOfEducation", str(PHASE[phase]), phase)
    pair(r, "ReasonEstablishmentOpened", *(("10", "Academy Converter") if "converter" in etype else ("11",
         "Academy Sponsor Led") if "sponsor" in etype else ("08", "New Provision") if etype == "Free schools"
                                           else ("00", "Not applicable")))
    if closed:
        pair(r, "ReasonEstablishmentClosed", *closed[1])
    pair(r, "OfficialSixthForm", *(("1", "Has a sixth form") if sixth else ("2", "Does not have a sixth form")
                                   if secondary else ("0", "Not applicable")))
    pair(r, "Gender", {"Boys": "1", "Girls": "2", "Mixed": "3"}[gender], gender)
    pair(r, "ReligiousCharacter", *{"CE": ("02", "Church of England"), "RC": ("03", "Roman Catholic")}.get(
        religion, ("06", "None") if indep else ("00", "Does not apply")))
    pair(r, "Diocese", *{"CE": ("CE31", "Diocese of Rochester") if di in (2, 5, 7, 10, 12) else
                         ("CE08", "Diocese of Canterbury"), "RC": ("RC21", "Archdiocese of Southwark")}.get(
        religion, ("0000", "Not applicable")))
    pair(r, "AdmissionsPolicy", *(("2", "Selective") if selective else ("1", "Non-selective")
                                  if secondary and not indep else ("0", "Not applicable")))
    pair(r, "SpecialClasses", *(("1", "Has Special Classes") if special or rp else ("2", "No Special Classes")))
    if not pru and (is_open or closed) and pupils:
        step = 30 if phase == "Primary" else 10
        r["SchoolCapacity"] = str(-(-int(pupils * 1.06) // step) * step)
    if is_open and pupils:
        share = {"Boys": 1.0, "Girls": 0.0}.get(gender, rng.uniform(0.62, 0.75) if special else rng.uniform(.46, .54))
        boys = round(pupils * share)
        pct = 0.0 if indep else round(rng.uniform(30, 60) if special or pru else rng.uniform(3, 42), 1)
        r.update({"CensusDate": "18-01-2024", "NumberOfPupils": str(pupils), "NumberOfBoys": str(boys),
                  "NumberOfGirls": str(pupils - boys), "PercentageFSM": f"{pct:.1f}",
                  "FSM": str(round(pupils * pct / 100))})
    if academy:
        code, tname = trust or rng.choice(TRUSTS)
        sat = tname == name.upper()
        r.update({"Trusts (code)": code, "Trusts (name)": tname})
        pair(r, "TrustSchoolFlag", "5" if sat else "3",
             f"Supported by a {'single' if sat else 'multi'}-academy trust")
        if not sat and (etype == "Academy sponsor led" or rng.random() < 0.5):
            r["SchoolSponsorFlag (name)"] = "Linked to a sponsor"
            r["SchoolSponsors (name)"] = tname.title().replace(" And ", " and ")
    if (not indep or tcode == "10") and status != "Proposed to open":
        r["OfstedLastInsp"] = rdate(rng, 2018, 2024)
        r["OfstedRating (name)"] = (rating if rating is not None else rng.choice(RATINGS)) if is_open else ""
    street, woman, letters = rng.choice(STREETS), rng.random() < 0.65, "ABDEFGHJLNPQRSTUWXYZ"
    slug = "".join(c for c in name.lower().split(",")[0] if c.isalnum())[:28]
    r.update({"FederationFlag (name)": "Not applicable" if academy or indep else "Not under a federation",
              "UKPRN": str(rng.randint(10012000, 10089999)), "LastChangedDate": rdate(rng, 2024, 2024),
              "Street": street if rng.random() < 0.7 else f"{rng.randint(1, 120)} {street}",
              "Locality": place if place != town else "", "Town": town,
              "County (name)": "Kent" if la == KENT or rng.random() < 0.6 else "",
              "Postcode": f"{outward} {rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}",
              "SchoolWebsite": f"http://www.{slug}.kent.sch.uk" if la == KENT and not indep and rng.random() < 0.5
              else f"https://www.{slug}.org.uk", "TelephoneNum": tel + str(rng.randint(200000, 899999)),
              "HeadTitle (name)": rng.choice(["Mrs", "Ms", "Miss", "Dr"] if woman else ["Mr", "Mr", "Dr"]),
              "HeadFirstName": rng.choice(WOMEN if woman else MEN), "HeadLastName": rng.choice(LAST),
              "HeadPreferredJobTitle": rng.choice(["Headteacher"] * 4 + ["Head of School", "Executive Headteacher"]),
              "Section41Approved (name)": ("Approved" if special else "Not approved") if indep else "Not applicable"})
    if pru:
        r["PlacesPRU"] = str(-(-pupils // 10) * 10)
    r.update({f"SEN{i + 1} (name)": SEN[need] for i, need in enumerate(sen)})
    if rp:
        r.update(zip(["TypeOfResourcedProvision (name)", "ResourcedProvisionOnRoll", "ResourcedProvisionCapacity",
                      "SenUnitOnRoll", "SenUnitCapacity"], map(str, rp)))
    elif not indep and rng.random() < 0.85:
        r["TypeOfResourcedProvision (name)"] = "Not applicable"
    pair(r, "UrbanRural", *(("C1", "(England/Wales) Urban city and town") if urban else rng.choice(
        [("D1", "(England/Wales) Rural town and fringe"), ("E1", "(England/Wales) Rural village")])))
    pair(r, "DistrictAdministrative", dist, dname)
    pair(r, "AdministrativeWard", f"E05{4950 + di * 60 + pi:06d}", place if place != town else f"{town} Central")
    pair(r, "ParliamentaryConstituency", f"E14000{540 + di * 19:03d}", const)
    msoa = 2 + pi * 2 + di % 3
    r.update({"GSSLACode (name)": la[2], "Easting": str(e0 + rng.randint(-6000, 6000) + (pi - 5) * 400),
              "Northing": str(n0 + rng.randint(-4500, 4500)), "MSOA (name)": f"{dname} {msoa:03d}",
              "LSOA (name)": f"{dname} {msoa:03d}{rng.choice('ABCDEF')}",
              "MSOA (code)": f"E02{5000 + di * 45 + msoa:06d}",
              "LSOA (code)": f"E01{24000 + di * 260 + pi * 9 + rng.randint(0, 8):06d}",
              "UPRN": str(rng.choice([100060000000, 200000000000]) + rng.randint(1000000, 99999999))})
    if indep:
        sen_stat = rng.randint(pupils // 2, pupils) if special else rng.randint(0, 6)
        r.update({"InspectorateName (name)": "Ofsted" if special else "ISI", "SENStat": str(sen_stat),
                  "SENNoStat": str(rng.randint(0, max(0, pupils - sen_stat))),
                  "BoardingEstablishment (name)": "Does not have boarders",
                  "PropsName": "Oakleaf Care and Education Ltd" if special else f"The Governors of {name}"})
    r.update(over or {})
    return r


def basic_rows():
    rng, P, S, NA, AC = random.Random(886_2025_03), "Primary", "Secondary", "Not applicable", "Academy converter"
    CS, SL = "Community school", "Academy sponsor led"
    rows = [
        school(rng, 118201, 2101, "Great Chart Primary School", CS, P, "Ashford", "Great Chart", pupils=412,
               rating="Requires improvement",
               over={"NumberOfBoys": "203", "NumberOfGirls": "209", "OfstedLastInsp": "14-03-2023"}),
        school(rng, 118540, 3302, "St Mary\u2019s Church of England Primary School", "Voluntary aided school", P,
               "Canterbury", "Herne", religion="CE"),
        school(rng, 136412, 5401, "Sir Thomas Wyatt Grammar School", AC, S, "Tunbridge Wells", gender="Boys",
               selective=True, sixth=True, opened="01-08-2011", trust=("7731", "SIR THOMAS WYATT GRAMMAR SCHOOL")),
        school(rng, 138975, 4115, "Margate Coastal Academy", SL, S, "Thanet", sixth=False, opened="01-01-2013",
               trust=TRUSTS[2]),
        school(rng, 118870, 7012, "Kemsley Brook School", "Community special school", NA, "Swale", "Kemsley",
               sen=("ASD", "SLCN", "MLD"), ages=(4, 19)),
        school(rng, 142731, 7043, "Whitfield Downs School", "Academy special converter", NA, "Dover", "Whitfield",
               sen=("NA", "SEMH", "ASD"), ages=(7, 16), opened="01-04-2016", trust=TRUSTS[0]),
        school(rng, 119402, 1109, "North West Kent Alternative Provision Service", "Pupil referral unit", NA,
               "Gravesham", "Northfleet", pupils=54),
        school(rng, 118993, 6021, "Kemsing Preparatory School", "Other independent school", NA, "Sevenoaks",
               "Kemsing", opened="01-09-1948", ages=(3, 13)),
        school(rng, 119617, 6058, "Oakwood House School", "Other independent special school", NA,
               "Tonbridge and Malling", "Borough Green", sen=("SEMH", "ASD"), opened="04-09-2017", ages=(8, 18)),
        school(rng, 118377, 2377, "Old Romney Primary School", CS, P, "Folkestone and Hythe", "Old Romney",
               status="Closed", closed=("31-08-2023", ("02", "Closure"))),
        school(rng, 118312, 2312, "Bearsted Green Primary School", CS, P, "Maidstone", "Bearsted", sen=("ASD",),
               rp=("Resourced provision", 12, 15)),
        school(rng, 118456, 5406, "The Milton Creek School", "Foundation school", S, "Swale", "Milton Regis",
               sen=("HI",), rp=("SEN unit", "", "", 8, 10)),
        school(rng, 140210, 2254, "Westgate Bay Primary Academy", AC, P, "Thanet", "Westgate-on-Sea",
               sen=("SLCN", "ASD"), opened="01-12-2013", trust=TRUSTS[0],
               rp=("Resourced provision and SEN unit", 11, 14, 6, 8)),
        school(rng, 118265, 2265, "Snodland Valley Primary School", CS, P, "Tonbridge and Malling", "Snodland",
               sen=("PD",), rp=("Resourced provision", "", "", "", "")),
        school(rng, 118690, 3690, "Holy Trinity and St John's Church of England Primary School, Margate",
               "Voluntary controlled school", P, "Thanet", "Cliftonville", religion="CE"),
        school(rng, 118140, 1040, "Dartford Heath Nursery School", "Local authority nursery school", "Nursery",
               "Dartford", pupils=96),
        school(rng, 134562, 2045, "Strood Riverside Primary School", CS, P, "Medway", "Strood", la=MEDWAY,
               opened="01-09-2003", over={"ReasonEstablishmentOpened (code)": "01",
                                          "ReasonEstablishmentOpened (name)": "Result of Amalgamation/Merger"}),
        school(rng, 141005, 4011, "Chatham Dockside Academy", SL, S, "Medway", la=MEDWAY, opened="01-09-2014",
               trust=TRUSTS[3])]
    return sorted(rows, key=lambda r: int(r["URN"]))


def newer_rows(basic):
    rows = [dict(r) for r in basic if r["URN"] != "118140"]                              # (c)
    for r in rows:
        if r["URN"] == "118201":                                                         # (a)
            r.update({"NumberOfPupils": "418", "NumberOfBoys": "209", "OfstedRating (name)": "Good",
                      "OfstedLastInsp": "05-03-2025", "LastChangedDate": "20-03-2025"})
        if r["URN"] == "118312":                                                         # (b)
            r.update({"ResourcedProvisionCapacity": "18", "LastChangedDate": "20-03-2025"})
    rows.append(school(random.Random(886_2025_04), 149921, 6103, "Hollow Lane School",  # (d)
                       "Other independent special school", "Not applicable", "Canterbury", "Hersden",
                       sen=("SEMH", "ASD", "SLCN"), opened="17-03-2025", ages=(7, 16), pupils=0,
                       over={"LastChangedDate": "24-03-2025", "SchoolCapacity": "40", "SENStat": "",
                             "SENNoStat": "", "OfstedLastInsp": "", "OfstedRating (name)": ""}))
    return sorted(rows, key=lambda r: int(r["URN"]))


def error_rows(basic):
    rows = [dict(r) for u in ("118201", "118540", "118312", "136412", "118690", "142731")
            for r in basic if r["URN"] == u]
    rows[1]["URN"] = "12A45"               # file line 3
    rows[3]["OpenDate"] = "31-02-2019"     # file line 5
    rows[4]["NumberOfPupils"] = "lots"     # file line 6
    return rows


# Demo data. kind: (phase, type choices, establishment-number range, name patterns); {p} place, {t} post town,
# {s} saint, {w} invented word, {x} a patron. Slots 12 and 58 of the plan become independent schools ("J").
KINDS = {
    "P": ("Primary", ["Community school"] * 6 + ["Voluntary controlled school"] * 2 + [
        "Foundation school", "Academy sponsor led"] + ["Academy converter"] * 6, (2000, 3999), [
        "{p} Primary School"] * 4 + ["{p} Community Primary School", "{p} Church of England Primary School",
                                     "{p} CofE Primary School", "St {s}'s Catholic Primary School", "{p} Infant School",
                                     "St {s}'s Church of England Primary School", "{p} Junior School",
                                     "{p} Primary Academy", "{w} Primary School", "{w} Academy"]),
    "S": ("Secondary", ["Academy converter"] * 5 + ["Academy sponsor led"] * 2 + [
        "Foundation school", "Community school"], (4000, 5999), [
        "{t} Grammar School", "{t} Girls' Grammar School", "{t} Grammar School for Boys", "The {t} Academy",
        "{t} School", "{w} Academy", "St {s}'s Catholic School", "{w} College", "The {w} School", "{x} School"]),
    "A": ("All-through", ["Academy sponsor led"], (4000, 5999), ["{w} All-Through Academy"]),
    "X": ("Not applicable", ["Community special school"] * 3 + ["Foundation special school",
          "Academy special converter"], (7000, 7099), ["{w} School", "The {w} School", "{p} Park School"]),
    "N": ("Nursery", ["Local authority nursery school"], (1000, 1099), ["{p} Nursery School"]),
    "U": ("Not applicable", ["Pupil referral unit"], (1100, 1199), ["{t} Pupil Referral Unit",
                                                                   "{t} Learning Centre"]),
    "V": ("Not applicable", ["Academy alternative provision converter"], (1100, 1199),
          ["{t} Alternative Learning Academy"]),
    "I": ("Not applicable", ["Other independent special school"], (6000, 6199),
          ["{w} Hall School", "{w} Lodge School"]),
    "J": ("Not applicable", ["Other independent school"], (6000, 6199),
          ["{p} Preparatory School", "{w} House School", "St {s}'s School, {t}"])}
SPECIAL_SETS = [("ASD", "SLD", "PMLD", "SLCN"), ("SEMH", "ASD", "SLCN", "MLD"), ("PD", "PMLD", "MSI", "SLD"),
                ("MLD", "ASD", "SLCN", "SpLD"), ("HI", "VI", "MSI", "SLCN"), ("SLD", "ASD", "PMLD", "PD")]


def sample_rows():
    """Kent: 80 primary, 21 secondary, 1 all-through, 1 nursery, 10 special, 2 PRU, 1 AP academy, 2 independent
    and 2 independent special schools (120); then Medway: 7 primary, 2 secondary, 1 special."""
    rng, AC, VA = random.Random(20250303), "Academy converter", "Voluntary aided school"
    kent, used_urn, used_est, used_name, rows = [d for d in DISTRICTS if d != "E06000035"], set(), set(), set(), []
    plan = ([("P", d) for d in kent * 7][:82] + [("S", d) for d in kent * 2][:21] + [("X", d) for d in kent[:10]]
            + [("A", kent[4]), ("N", kent[2]), ("V", kent[0]), ("U", kent[6]), ("U", kent[9]), ("I", kent[11]),
               ("I", kent[10])] + [("P", "E06000035")] * 7 + [("S", "E06000035")] * 2 + [("X", "E06000035")])
    closed_at, proposed, dying, indep_at = {5, 33, 61}, 47, 70, (12, 58)
    rp_slots = set(rng.sample([i for i in range(103) if i not in closed_at | {proposed, dying, *indep_at}], 20))
    rp_kinds = ["Resourced provision"] * 12 + ["SEN unit"] * 5 + ["Resourced provision and SEN unit"] * 3

    def unique(pool, lo, hi):
        n = rng.randint(lo, hi)
        while n in pool:
            n = rng.randint(lo, hi)
        pool.add(n)
        return n

    for i, (kind, d) in enumerate(plan):
        kind, places, name = "J" if i in indep_at else kind, [p[0] for p in DISTRICTS[d][5]], None
        phase, types, est, patterns = KINDS[kind]
        kw = {"la": MEDWAY if d == "E06000035" else KENT}
        while name is None or name in used_name:
            kw["place"] = rng.choice(places + [places[0]] * 2)
            name = rng.choice(patterns).format(p=kw["place"], t=places[0], s=rng.choice(SAINTS),
                                               w=rng.choice(WORDS), x=rng.choice(PATRONS))
        used_name.add(name)
        etype = rng.choice(types)
        if "Catholic" in name:
            etype, kw["religion"] = rng.choice([VA, AC]), "RC"
        elif "Church of England" in name or "CofE" in name:
            etype, kw["religion"] = rng.choice([VA, "Voluntary controlled school", AC]), "CE"
        elif kind == "P" and ("Community" in name or etype.startswith("Voluntary")):
            etype = "Community school"
        if "Academy" in name and TYPES[etype][1] not in (10, 11):
            etype = rng.choice([AC, AC, "Academy sponsor led"])
        if "Grammar" in name:
            etype = AC if rng.random() < 0.8 else "Foundation school"
            kw.update(selective=True, sixth=True, gender="Girls" if "Girls" in name else "Boys" if "Boys" in name
                      else "Mixed")
        if "Infant" in name or "Junior" in name:
            kw["ages"], kw["pupils"] = (4, 7) if "Infant" in name else (7, 11), rng.randint(60, 360)
        if kind in "XI":
            kw["sen"] = rng.choice(SPECIAL_SETS[:4] if kind == "I" else SPECIAL_SETS)
        if kind in "IJ":
            kw["opened"] = rdate(rng, 1950, 2020) if rng.random() < 0.7 else ""
        if i == proposed:
            etype, kw["status"], kw["opened"], kw["pupils"] = "Free schools", "Proposed to open", "01-09-2025", 0
        academy = TYPES[etype][1] in (10, 11)
        if academy and "opened" not in kw:
            kw["opened"] = dt(rng.randint(2011, 2024), rng.choice([1, 4, 8, 9, 12]), 1)
        if i in closed_at:
            kw.update(status="Closed", closed=(dt(rng.choice([2019, 2021, 2023]), 8, 31), rng.choice(
                [("02", "Closure"), ("01", "Result of Amalgamation/Merger")])))
        if i == dying:
            kw.update(status="Open, but proposed to close", closed=("31-08-2025", ("02", "Closure")))
        if i in rp_slots:
            rk, cap, cap2 = rp_kinds.pop(), rng.randint(8, 20), rng.randint(8, 16)
            on, on2 = rng.randint(max(1, cap - 7), cap), rng.randint(max(1, cap2 - 6), cap2)
            on = cap + 2 if len(rp_kinds) == 7 else on  # GIAS does show provision over capacity
            kw["rp"] = {"Resourced provision": (rk, on, cap), "SEN unit": (rk, "", "", on, cap),
                        "Resourced provision and SEN unit": (rk, on, cap, on2, cap2)}[rk]
            kw["sen"] = tuple(rng.sample(["ASD", "SLCN", "HI", "VI", "PD", "SEMH", "SpLD"], rng.randint(1, 2)))
        urn = unique(used_urn, *((136000, 149999) if academy else (118000, 119999)))
        rows.append(school(rng, urn, unique(used_est, *est), name, etype, phase, d, **kw))
    return sorted(rows, key=lambda r: int(r["URN"]))


def write(path, rows):
    def cell(col, value):  # the real download leaves some numeric columns bare and quotes all text
        return value if value == "" or (col in BARE and value.isdigit()) else '"' + value.replace('"', '""') + '"'
    lines = [",".join(cell("", h) for h in HEADER)] + [",".join(cell(h, r[h]) for h in HEADER) for r in rows]
    full = os.path.join(ROOT, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "wb") as f:
        f.write(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    print(f"wrote {path}: {len(rows)} rows")


if __name__ == "__main__":
    base = basic_rows()
    write("crates/ingest/test_data/gias/basic.csv", base)
    write("crates/ingest/test_data/gias/newer.csv", newer_rows(base))
    write("crates/ingest/test_data/gias/recoverable-errors.csv", error_rows(base))
    write("data/sample/gias_kent_sample.csv", sample_rows())
