#!/usr/bin/env python3
"""Checks a hand-labelled guard evaluation file (holdout_v2.jsonl): every entity's byte
offsets select exactly its `text`, spans do not overlap, types are known, and the values
of the validated types pass their check digits (so a typo in a label is caught, not
scored). Usage: check_labels.py FILE.jsonl"""
import json
import sys

TYPES = {"EMAIL", "PHONE", "IBAN", "CARD", "NIR", "SIREN", "SIRET", "VAT", "IP",
         "DATE_OF_BIRTH", "ADDRESS", "PERSON"}


def compact(s):
    return "".join(c for c in s if c.isalnum()).upper()


def luhn(d):
    total = 0
    for i, ch in enumerate(reversed(d)):
        v = int(ch) * (2 if i % 2 else 1)
        total += v - 9 if v > 9 else v
    return total % 10 == 0


def iban_ok(s):
    s = compact(s)
    r = s[4:] + s[:4]
    return int("".join(str(int(c, 36)) for c in r)) % 97 == 1


def nir_ok(s):
    s = compact(s)
    body = s[:13].replace("2A", "19", 1) if s[5:7] == "2A" else s[:13]
    body = body.replace("2B", "18", 1) if s[5:7] == "2B" else body
    return len(s) == 15 and 97 - int(body) % 97 == int(s[13:])


CHECKS = {
    "IBAN": iban_ok,
    "CARD": lambda s: compact(s).isdigit() and luhn(compact(s)),
    "SIRET": lambda s: len(compact(s)) == 14 and luhn(compact(s)),
    "SIREN": lambda s: len(compact(s)) == 9 and luhn(compact(s)),
    "NIR": nir_ok,
}


def main(path):
    errors = 0
    ids = set()
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            row = json.loads(line)
            raw = row["text"].encode("utf-8")
            if row["id"] in ids:
                print(f"{path}:{n}: duplicate id {row['id']}")
                errors += 1
            ids.add(row["id"])
            last_end = 0
            for e in sorted(row["entities"], key=lambda e: e["start"]):
                where = f"{path}:{n} ({row['id']}) {e['type']} [{e['text']}]"
                if e["type"] not in TYPES:
                    print(f"{where}: unknown type")
                    errors += 1
                if raw[e["start"]:e["end"]].decode("utf-8") != e["text"]:
                    print(f"{where}: offsets {e['start']}-{e['end']} select "
                          f"[{raw[e['start']:e['end']].decode('utf-8', 'replace')}]")
                    errors += 1
                if e["start"] < last_end:
                    print(f"{where}: overlaps the previous entity")
                    errors += 1
                last_end = e["end"]
                check = CHECKS.get(e["type"])
                if check and not check(e["text"]):
                    print(f"{where}: fails its check digits")
                    errors += 1
    print(f"{path}: {len(ids)} snippets, {errors} errors")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
