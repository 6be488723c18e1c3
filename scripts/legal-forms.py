#!/usr/bin/env python3
"""Regenerates crates/core/data/legal_forms.tsv from the legal-form catalogue of OpenSanctions' `rigour`
library (resources/names/org_types.yml, MIT licence, see crates/core/data/LICENSE-rigour).

    python3 scripts/legal-forms.py path/to/rigour/resources/names/org_types.yml [commit]

Each line of the TSV: the form's class (rigour's `generic`: LLC, JSC, LP, SOE, NGO, ...; empty when the
catalogue gives none), its display form, and one way of writing it. Needs PyYAML (only to refresh the file;
the build reads the TSV)."""

import sys

import yaml


def main() -> None:
    source, commit = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else "unknown")
    with open(source, encoding="utf-8") as f:
        types = yaml.safe_load(f)["types"]
    out = [f"# From opensanctions/rigour resources/names/org_types.yml at {commit} (MIT licence).",
           "# class\tdisplay\talias; regenerate with scripts/legal-forms.py"]
    seen = set()
    for t in types:
        generic = (t.get("generic") or "").strip()
        display = (t.get("display") or t.get("compare") or "").strip()
        aliases = list(t.get("aliases") or [])
        if display:
            aliases.append(display)
        if t.get("compare"):
            aliases.append(t["compare"])
        for alias in aliases:
            alias = str(alias).strip()
            if not alias or "\t" in alias or "\n" in alias:
                continue
            key = (generic, alias.casefold())
            if key in seen:
                continue
            seen.add(key)
            out.append(f"{generic}\t{display or alias}\t{alias}")
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
