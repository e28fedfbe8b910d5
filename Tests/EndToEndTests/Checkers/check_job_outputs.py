#!/usr/bin/env python3
"""Checks what `--summary-json` and `--metrics-file` wrote, with real parsers: the summary
against deploy/summary.schema.json (jsonschema, formats checked), the metrics with
prometheus_client's text parser. Prints one JSON line of facts for the test to compare.

usage: check_job_outputs.py SCHEMA SUMMARY [METRICS]

Exits 77, printing "missing: ...", when jsonschema or prometheus_client is not installed.
"""
import json
import sys

try:
    import jsonschema
    from prometheus_client.parser import text_string_to_metric_families
except ImportError as error:
    print(f"missing: Python's {error.name} (make test installs it from PyPI, "
          f"or Debian's python3-{error.name.replace('_', '-')})")
    sys.exit(77)

schema_path, summary_path = sys.argv[1], sys.argv[2]
metrics_path = sys.argv[3] if len(sys.argv) > 3 else None
with open(schema_path) as file:
    schema = json.load(file)
with open(summary_path) as file:
    summary = json.load(file)
jsonschema.validate(summary, schema, format_checker=jsonschema.FormatChecker())
assert summary["rows"] == sum(summary["counts"].values()), "rows is not the sum of counts"
facts = {"exit_code": summary["exit_code"], "counts": summary["counts"], "error": summary["error"]}
if metrics_path:
    with open(metrics_path) as file:
        text = file.read()
    metrics = {}
    for family in text_string_to_metric_families(text):
        assert family.documentation, f"{family.name} has no HELP"
        for sample in family.samples:
            status = sample.labels.get("status")
            key = sample.name + (f"[{status}]" if status else "")
            metrics[key] = sample.value
            assert "job" in sample.labels, f"{sample.name} has no job label"
    facts["metrics"] = metrics
print(json.dumps(facts, sort_keys=True))
