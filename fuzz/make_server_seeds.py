#!/usr/bin/env python3
"""Writes the seed inputs of the `server_step` fuzz target (corpus/server_step/).

Each seed is `[form, step, flags, body...]` (see src/server.rs): for every bundled form
(in the order of src/forms.rs) and every step, the answers of the form's complete scenario
that belong to that step, form-urlencoded, posted onto a draft that holds the whole
scenario (flags bit 0); plus a few seeds with the other actions, multipart and English.
Run from fuzz/: python3 make_server_seeds.py (needs PyYAML).
"""
import os
import urllib.parse

import yaml

FORMS = ["hundesteuer", "gewerbeanmeldung", "kita-anmeldung", "sondernutzung", "bewohnerparkausweis"]
OUT = "corpus/server_step"


def scalar(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def pairs_for(field_ids, answers, prefix=""):
    """The posted (name, value) pairs of the answers whose top-level key is one of field_ids."""
    out = []
    for key, v in answers.items():
        if prefix == "" and key not in field_ids:
            continue
        path = prefix + key
        if isinstance(v, list) and v and isinstance(v[0], dict):
            for i, entry in enumerate(v):
                out += pairs_for(None, entry, f"{path}.{i}.")
        elif isinstance(v, dict) and "type" in v and "size" in v:
            continue  # a file: only multipart posts carry files
        elif isinstance(v, dict):
            out += pairs_for(None, v, f"{path}.")
        elif isinstance(v, list):
            out += [(path, scalar(x)) for x in v]
        elif v is not None:
            out.append((path, scalar(v)))
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    for fi, name in enumerate(FORMS):
        form = yaml.safe_load(open(f"../form-definitions/{name}.yaml", encoding="utf-8"))
        tests = yaml.safe_load(open(f"../form-definitions/{name}.test.yaml", encoding="utf-8"))
        plain = [s for s in tests["scenarios"] if "language" not in s]
        scenario = next((s for s in plain if "vollständig" in s["name"]), plain[0])
        answers = scenario.get("answers") or {}
        for si, step in enumerate(form["steps"]):
            ids = {f["id"] for f in step.get("fields", [])}
            pairs = pairs_for(ids, answers) + [("_action", "continue")]
            body = urllib.parse.urlencode(pairs).encode()
            with open(f"{OUT}/{name}-{step['id']}", "wb") as f:
                f.write(bytes([fi, si, 1]) + body)
            groups = [f["id"] for f in step.get("fields", []) if f.get("repeat") is not None]
            for g in groups:
                with open(f"{OUT}/{name}-{step['id']}-add", "wb") as f:
                    f.write(bytes([fi, si, 1]) + f"_action=add%3A{g}".encode())
                with open(f"{OUT}/{name}-{step['id']}-remove", "wb") as f:
                    f.write(bytes([fi, si, 1]) + f"_action=remove%3A{g}.0".encode())
        first = form["steps"][0]
        ids = {f["id"] for f in first.get("fields", [])}
        pairs = pairs_for(ids, answers)
        with open(f"{OUT}/{name}-first-empty-draft-english-save", "wb") as f:
            f.write(bytes([fi, 0, 4]) + urllib.parse.urlencode(pairs + [("_action", "save")]).encode())
        mp = "".join(f'--wwfuzz\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n' for k, v in pairs)
        mp += '--wwfuzz\r\nContent-Disposition: form-data; name="nachweis"; filename="a.pdf"\r\n'
        mp += "Content-Type: application/pdf\r\n\r\n%PDF-1.4\n\r\n--wwfuzz--\r\n"
        with open(f"{OUT}/{name}-first-multipart", "wb") as f:
            f.write(bytes([fi, 0, 3]) + mp.encode())


main()
