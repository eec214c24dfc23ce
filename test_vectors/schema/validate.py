#!/usr/bin/env python3
"""Validates cliquet's vector files against their JSON Schemas.

usage: validate.py [--schemas DIR] FILE...

Each file names its category; test_vectors/schema/<category>.schema.json
(JSON Schema 2020-12, which extends common.schema.json) must accept it.
Prints one line per problem and ends with "N files valid, M invalid"; exits
non-zero if any file is invalid. Needs python3-jsonschema (Debian 12's 4.10
or later).
"""
import json
import os
import sys
import warnings

# Newer jsonschema releases deprecate RefResolver, which Debian 12's 4.10 needs.
warnings.filterwarnings('ignore', category=DeprecationWarning)

try:
    import jsonschema
    from jsonschema.validators import Draft202012Validator
except ImportError:
    sys.exit('validate.py: python3-jsonschema is missing (apt-get install python3-jsonschema)')


def load(path):
    with open(path, encoding='utf-8') as f:
        return json.load(f)


def main(argv):
    schemas = os.path.dirname(os.path.abspath(__file__))
    if len(argv) >= 2 and argv[0] == '--schemas':
        schemas, argv = argv[1], argv[2:]
    if not argv:
        sys.exit(__doc__)
    common = load(os.path.join(schemas, 'common.schema.json'))
    # Resolves the categories' "$ref": "common.schema.json#/$defs/..." offline.
    store = {common['$id']: common, 'common.schema.json': common}
    valid = invalid = 0
    for path in argv:
        problems = []
        try:
            document = load(path)
            category = document.get('category') if isinstance(document, dict) else None
            schema_path = os.path.join(schemas, f'{category}.schema.json')
            if not isinstance(category, str) or not os.path.exists(schema_path):
                problems.append(f'no schema for category {category!r}')
            else:
                schema = load(schema_path)
                resolver = jsonschema.RefResolver(base_uri=schema['$id'], referrer=schema, store=store)
                validator = Draft202012Validator(schema, resolver=resolver)
                for error in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path)):
                    where = '/'.join(str(p) for p in error.absolute_path)
                    problems.append(f'at /{where}: {error.message[:300]}')
        except (OSError, ValueError) as e:
            problems.append(str(e))
        for problem in problems[:20]:
            print(f'{path}: {problem}')
        if len(problems) > 20:
            print(f'{path}: ... and {len(problems) - 20} more')
        if problems:
            invalid += 1
        else:
            valid += 1
    print(f'{valid} files valid, {invalid} invalid')
    return 0 if invalid == 0 else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
