#!/usr/bin/env python3
"""Flattens a Wycheproof EdDSA verify file (eddsa_verify_schema_v1.json) into the line format read by
test_vectors: `wycheproof-<tcId> <valid|invalid|acceptable> <pub> <msg|-> <sig|-> <flags>`, all hex,
'-' for an empty field. Reads the JSON in place; writes to stdout."""
import json
import sys


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: wycheproof2lines.py ed25519_test.json")
    with open(sys.argv[1], encoding="utf-8") as f:
        data = json.load(f)
    if data.get("schema") != "eddsa_verify_schema_v1.json":
        sys.exit(f"unexpected schema {data.get('schema')!r}")
    count = 0
    for group in data["testGroups"]:
        key = group["publicKey"]
        if key.get("curve") != "edwards25519":
            sys.exit(f"unexpected curve {key.get('curve')!r}")
        pub = key["pk"]
        for t in group["tests"]:
            flags = ",".join(t["flags"]) or "-"
            print(f"wycheproof-{t['tcId']} {t['result']} {pub} {t['msg'] or '-'} "
                  f"{t['sig'] or '-'} {flags}")
            count += 1
    if count != data["numberOfTests"]:
        sys.exit(f"numberOfTests says {data['numberOfTests']}, found {count}")


if __name__ == "__main__":
    main()
