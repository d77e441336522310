#!/usr/bin/env python3
"""Validate JSON documents against a JSON Schema (draft 2020-12), for the subset
nfsh's schemas use: $ref to #/$defs, type, enum, const, required, properties,
additionalProperties, items, oneOf, minLength, maxLength, minimum. Any other
keyword is an error, so the schema cannot silently outgrow this checker.
Usage: jsonschema_mini.py SCHEMA DOC...  (exit 0 when every DOC is valid)."""
import json
import sys

KNOWN = {"$schema", "$id", "$defs", "$ref", "title", "description", "type", "enum", "const",
         "required", "properties", "additionalProperties", "items", "oneOf", "minLength",
         "maxLength", "minimum"}


def is_type(v, t):
    if t == "integer":
        return isinstance(v, int) and not isinstance(v, bool)
    if t == "number":
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    return {"object": dict, "array": list, "string": str, "boolean": bool}[t] == type(v) \
        if t != "null" else v is None


def same(a, b):
    return type(a) == type(b) and a == b


def check(root, s, v, ptr, errs):
    unknown = set(s) - KNOWN
    if unknown:
        raise SystemExit(f"schema uses unsupported keywords {sorted(unknown)}")
    if "$ref" in s:
        node = root
        for part in s["$ref"].lstrip("#/").split("/"):
            node = node[part]
        check(root, node, v, ptr, errs)
    if "type" in s and not is_type(v, s["type"]):
        errs.append(f"{ptr or '/'}: not of type {s['type']}")
        return
    if "enum" in s and not any(same(v, e) for e in s["enum"]):
        errs.append(f"{ptr or '/'}: {v!r} not in {s['enum']}")
    if "const" in s and not same(v, s["const"]):
        errs.append(f"{ptr or '/'}: {v!r} is not {s['const']!r}")
    if isinstance(v, str):
        if len(v) < s.get("minLength", 0) or len(v) > s.get("maxLength", 1 << 30):
            errs.append(f"{ptr or '/'}: length out of bounds")
    if is_type(v, "number") and "minimum" in s and v < s["minimum"]:
        errs.append(f"{ptr or '/'}: below minimum")
    if isinstance(v, dict):
        for k in s.get("required", []):
            if k not in v:
                errs.append(f"{ptr or '/'}: missing {k}")
        props = s.get("properties", {})
        for k, x in v.items():
            if k in props:
                check(root, props[k], x, f"{ptr}/{k}", errs)
            elif s.get("additionalProperties") is False:
                errs.append(f"{ptr}/{k}: unknown field")
            elif isinstance(s.get("additionalProperties"), dict):
                check(root, s["additionalProperties"], x, f"{ptr}/{k}", errs)
    if isinstance(v, list) and "items" in s:
        for i, x in enumerate(v):
            check(root, s["items"], x, f"{ptr}/{i}", errs)
    if "oneOf" in s:
        ok = 0
        for sub in s["oneOf"]:
            e = []
            check(root, sub, v, ptr, e)
            ok += not e
        if ok != 1:
            errs.append(f"{ptr or '/'}: matches {ok} of the oneOf alternatives, not 1")


def main():
    schema = json.load(open(sys.argv[1]))
    rc = 0
    for path in sys.argv[2:]:
        errs = []
        check(schema, schema, json.load(open(path)), "", errs)
        for e in errs:
            print(f"{path}: {e}")
        if errs:
            rc = 1
    return rc


if __name__ == "__main__":
    sys.exit(main())
