#!/usr/bin/env python3
"""Writes docs/dashboard-queries.md: each dashboard query with its output on the demo's sample data.

Run `inclusion demo --bind 127.0.0.1:18080` in an empty directory first, then
`scripts/dashboard_queries.py TOKEN > docs/dashboard-queries.md` (TOKEN: the analyst token demo prints).
"""
import json
import sys
import urllib.request

URL = "http://127.0.0.1:18080/graphql"
TOKEN = sys.argv[1]


def ask(query):
    req = urllib.request.Request(URL, data=json.dumps({"query": query}).encode(),
                                 headers={"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"})
    body = json.load(urllib.request.urlopen(req))
    if "errors" in body:
        raise SystemExit(f"query failed: {body['errors']}\n{query}")
    return body["data"]


def fmt(v):
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.2f}".rstrip("0").rstrip(".") if v != int(v) else str(int(v))
    return str(v)


def indicator_table(rows, cols=("group", "measure", "period", "cohort", "value", "status", "source", "extra")):
    out = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in rows:
        extra = []
        if r.get("schoolsContributing") is not None:
            extra.append(f"{r['schoolsContributing']} schools, {r['schoolsWithoutValue']} without a number")
        if r.get("neighboursWithValue") is not None:
            extra.append(f"{r['neighboursWithValue']} neighbours with a number")
        if r.get("rank") is not None:
            extra.append(f"rank {r['rank']} of {r['rankOf']}, quartile {r['quartile']}")
        if r.get("note"):
            extra.append(r["note"])
        cells = [f"{r['group']['level']} {r['group']['name']}", r["measure"]["code"], r["period"], r["cohort"],
                 fmt(r["value"]), r["status"] or "", r["source"], "; ".join(extra)]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


FIELDS = """group { level code name } measure { code } period cohort value status
      schoolsContributing schoolsWithoutValue neighboursWithValue rank rankOf quartile source note"""

SECTIONS = []

kpi = f"""{{
  indicators(
    measures: ["excl_permanent_rate", "excl_suspension_rate", "absence_persistent_pct",
               "ks2_reading_expected_pct", "ks2_writing_expected_pct", "ks2_maths_expected_pct",
               "ks2_reading_progress", "ks4_attainment8", "ks4_progress8"]
    cohorts: ["all", "sen_support", "ehcp"]
    groupBy: [LA, REGION, STATISTICAL_NEIGHBOURS, NATIONAL]
    filter: {{ laCode: "886" }}
  ) {{
      {FIELDS}
  }}
}}"""
SECTIONS.append(("The KPI table: Kent beside the South East, its neighbours and England, by cohort", """
One query gives the authority's KPI table. Rows `COMPUTED` come from the school figures of the
schools in that place (on the sample, six Kent schools); rows `PUBLISHED` are DfE's own figure for
the LA, region or England, with the LA's rank among LAs where the measure declares which way is
better. Where DfE publishes no figure (KS2 progress from 2023/24; Progress 8 for 2024/25 and
2025/26) the row says so. Statistical-neighbour rows appear once `inclusion import
statistical-neighbours` has run and the neighbours' LA figures are imported (not in the sample).

Rows no shipped data set can fill yet: Attainment 8 for selective and non-selective schools apart
(`filter: { admissionsPolicy: "Selective" }` narrows the schools by GIAS's admissions policy, but
DfE's KS4 school-level file is not mapped and the LA file has no admissions-policy split), and
suspensions and persistent absence of children in care (DfE publishes them in the children-in-need
outcomes files, not mapped). The share of EHCP pupils placed in mainstream is its own query,
`ehcpPlacements` (below), from the school-level SEN file and GIAS.
""", kpi))

profile = f"""{{
  school: indicators(measures: ["excl_suspension_rate", "absence_persistent_pct", "ks2_rwm_expected_pct"],
                     periods: ["2022/23", "2023/24"], cohorts: ["all"], groupBy: [SCHOOL],
                     filter: {{ urns: [119204] }}) {{ {FIELDS} }}
  district: indicators(measures: ["excl_suspension_rate", "absence_persistent_pct", "ks2_rwm_expected_pct"],
                       periods: ["2022/23", "2023/24"], cohorts: ["all"], groupBy: [DISTRICT],
                       filter: {{ districtCode: "E07000112" }}) {{ {FIELDS} }}
  places: indicators(measures: ["excl_suspension_rate", "absence_persistent_pct", "ks2_rwm_expected_pct"],
                     periods: ["2022/23", "2023/24"], cohorts: ["all"],
                     groupBy: [LA, REGION, STATISTICAL_NEIGHBOURS, NATIONAL], filter: {{ laCode: "886" }}) {{ {FIELDS} }}
}}"""
SECTIONS.append(("A school's profile against its district, LA, region, neighbours and England", """
Aliases put the school, its district and the places above in one request (Cheriton Primary,
Folkestone and Hythe).
""", profile))

district = f"""{{
  indicators(measures: ["excl_suspensions", "excl_suspension_rate", "absence_persistent_pct", "sen_school_ehcp"],
             cohorts: ["all"], groupBy: [DISTRICT], filter: {{ laCode: "886" }}) {{ {FIELDS} }}
}}"""
SECTIONS.append(("District comparison", """
Every district of the LA with schools that have figures. A rate is recomputed from the summed
counts; a school whose count DfE suppressed (`c`) is counted as without a number.
""", district))

highneeds = """{
  indicators(
    measures: ["s251_hn_place_funding", "s251_hn_topup_maintained", "s251_hn_topup_academies",
               "s251_hn_topup_independent", "s251_hn_sen_support", "s251_hn_inclusion", "s251_hn_ap",
               "s251_hn_hospital", "s251_hn_therapies"]
    periods: ["2022-23"]
    groupBy: [LA, REGION, STATISTICAL_NEIGHBOURS, NATIONAL]
    filter: { laCode: "886" }
    perPopulation: { ages: "2-18" }
  ) {
    group { level name } measure { code } period value valuePerPopulation
    population { year persons areas } neighboursWithValue note
  }
}"""


def per_head_table(rows):
    out = ["| group | line | period | £ | £ per head 2-18 | population | note |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        p = r.get("population") or {}
        pop = f"{fmt(p.get('persons'))} (mid-{p.get('year')}, {p.get('areas')} areas)" if p else ""
        cells = [f"{r['group']['level']} {r['group']['name']}", r["measure"]["code"], r["period"], fmt(r["value"]),
                 fmt(r["valuePerPopulation"]), pop, r.get("note") or ""]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


srp = """{
  srps(filter: { laCode: "886" }, first: 200) {
    nodes { name needType places onRoll occupancy host { urn district { code name } } }
  }
}"""

ehcp_placed = """{
  ehcpPlacements(groupBy: DISTRICT, laCode: "886") {
    group { name } period mainstream special alternativeProvision mainstreamShare schools schoolsWithoutValue
  }
}"""

special_places = """{
  specialSchoolPlaces(groupBy: DISTRICT, laCode: "886", perPopulation: { ages: "2-18", per: 1000 }) {
    group { code name } specialSchools places pupils placesPerThousandPupils
    population { year persons } placesPerPopulation note
  }
}"""

engagement = """{
  trainingEngagement(groupBy: DISTRICT, laCode: "886") {
    code group schools inNone { schools share status } inThreeOrMore { schools share status }
  }
}"""


def main():
    print("# Dashboard queries\n")
    print("Each query a dashboard needs, with its output on the demo's sample data (`inclusion demo`:")
    print("the Kent GIAS sample, the LA's sample registers and the synthetic school-level statistics in")
    print("`data/sample/statistics/`, so the figures are not DfE's). Regenerate with")
    print("`scripts/dashboard_queries.py` (its header says how). Read as an analyst; other roles see")
    print("restricted figures as the access rules say (README, Access).\n")
    for title, text, q in SECTIONS:
        print(f"## {title}\n{text}\n```graphql\n{q}\n```\n")
        data = ask(q)
        for key, rows in data.items():
            if len(data) > 1:
                print(f"`{key}`:\n")
            print(indicator_table(rows) + "\n")
    print("## SRP occupancy by need and district\n")
    print("SRP places and pupils on roll come from the LA's register (restricted); the dashboard groups the")
    print("list by need type and host district.\n")
    print(f"```graphql\n{srp}\n```\n")
    nodes = ask(srp)["srps"]["nodes"]
    groups = {}
    for n in nodes:
        d = (n["host"] or {}).get("district") or {}
        key = (n["needType"] or "(not given)", d.get("name") or "(no district)")
        g = groups.setdefault(key, [0, 0, 0])
        g[0] += 1
        g[1] += n["places"] or 0
        g[2] += n["onRoll"] or 0
    print("| need | district | SRPs | places | on roll | occupancy |\n|---|---|---|---|---|---|")
    for (need, dist), (k, places, roll) in sorted(groups.items()):
        occ = f"{100 * roll / places:.0f}%" if places else ""
        print(f"| {need} | {dist} | {k} | {places} | {roll} | {occ} |")
    print()
    print("## High-needs spending per head of the 2-18 population\n")
    print("Section 251 planned high-needs expenditure by line, Kent beside the South East, its")
    print("statistical neighbours (each against its own population, then the mean) and England. The")
    print("sample's section 251 and population files are synthetic; Kent's population is the sum of its")
    print("twelve districts (mid-2021, the latest estimate at or before the financial year's start).")
    print("Neighbour rows appear once `inclusion import statistical-neighbours` has run (not in the demo).\n")
    print(f"```graphql\n{highneeds}\n```\n")
    print(per_head_table(ask(highneeds)["indicators"]) + "\n")
    print("## Special-school places per 1,000 pupils by district\n")
    print("Open state-funded special schools' GIAS capacity over the pupils on roll in every open")
    print("state-funded school of the district (independent schools left out on both sides), and over")
    print("the district's ONS 2-18 population where it is imported (the demo's district estimates are")
    print("synthetic).\n")
    print(f"```graphql\n{special_places}\n```\n")
    print("| district | special schools | places | pupils on roll | places per 1,000 pupils | population 2-18 | places per 1,000 aged 2-18 |")
    print("|---|---|---|---|---|---|---|")
    for r in ask(special_places)["specialSchoolPlaces"]:
        p = r["population"] or {}
        pop = f"{fmt(p.get('persons'))} (mid-{p['year']})" if p else ""
        print(f"| {r['group']['name']} | {r['specialSchools']} | {fmt(r['places'])} | {fmt(r['pupils'])} | "
              f"{fmt(r['placesPerThousandPupils'])} | {pop} | {fmt(r['placesPerPopulation'])} |")
    print()
    print("## EHCP pupils placed in mainstream, by district\n")
    print("DfE's school-level SEN counts of pupils with an EHC plan, summed by GIAS's establishment type")
    print("(state-funded mainstream, special, alternative provision; independent schools left out). A")
    print("school DfE suppressed (`c`) counts as without a value. On the sample every SEN row is a")
    print("mainstream school, so every share is 100%.\n")
    print(f"```graphql\n{ehcp_placed}\n```\n")
    print("| district | period | mainstream | special | AP | share in mainstream | schools (without a value) |")
    print("|---|---|---|---|---|---|---|")
    for r in ask(ehcp_placed)["ehcpPlacements"]:
        share = f"{100 * r['mainstreamShare']:.0f}%" if r["mainstreamShare"] is not None else ""
        print(f"| {r['group']['name']} | {r['period']} | {fmt(r['mainstream'])} | {fmt(r['special'])} | "
              f"{fmt(r['alternativeProvision'])} | {share} | {r['schools']} ({r['schoolsWithoutValue']}) |")
    print()
    print("## Training engagement by district\n")
    print(f"```graphql\n{engagement}\n```\n")
    rows = ask(engagement)["trainingEngagement"]
    print("| district | schools | in no programme | in three or more |\n|---|---|---|---|")
    for r in rows:
        n, t = r["inNone"], r["inThreeOrMore"]
        cell = lambda c: c["status"] or f"{c['schools']} ({100 * c['share']:.0f}%)"
        print(f"| {r['group']} | {r['schools']} | {cell(n)} | {cell(t)} |")


main()
