#!/usr/bin/env python3
"""Validates JSON on stdin against one of the schemas here (tests use it).

usage: validate.py kas-lookup-1|kas-resolve-1 < output.json
"""
import json
import pathlib
import sys

import jsonschema
from jsonschema.validators import validator_for

here = pathlib.Path(__file__).resolve().parent
schemas = {p.name: json.loads(p.read_text()) for p in here.glob("*.schema.json")}
main = schemas[sys.argv[1] + ".schema.json"]
try:
    from referencing import Registry, Resource  # jsonschema >= 4.18
    registry = Registry().with_resources(
        (name, Resource.from_contents(s)) for name, s in schemas.items())
    validator = validator_for(main)(main, registry=registry)
except ImportError:  # Debian 12's jsonschema 4.10
    resolver = jsonschema.RefResolver(base_uri="", referrer=main, store=schemas)
    validator = validator_for(main)(main, resolver=resolver)
errors = sorted(validator.iter_errors(json.load(sys.stdin)), key=str)
for e in errors:
    print(f"{'/'.join(map(str, e.absolute_path))}: {e.message}", file=sys.stderr)
sys.exit(1 if errors else 0)
