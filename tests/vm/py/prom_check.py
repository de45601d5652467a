#!/usr/bin/python3
"""Parse a Prometheus text-format file the way a scraper would.

    prom_check.py FILE [SAMPLE_NAME...]

Parses FILE with prometheus_client's own text parser (Debian's
python3-prometheus-client); exits 1 with the reason when it does not
parse or when a SAMPLE_NAME (e.g. modguard_lost_events_total) has no
sample; prints each sample as "name{labels} value" on success.
"""
import sys

from prometheus_client.parser import text_string_to_metric_families


def main():
    with open(sys.argv[1]) as f:
        text = f.read()
    seen = set()
    try:
        for fam in text_string_to_metric_families(text):
            for s in fam.samples:
                seen.add(s.name)
                labels = ",".join('%s="%s"' % kv for kv in sorted(s.labels.items()))
                print("%s{%s} %s" % (s.name, labels, s.value))
    except Exception as e:  # the parser raises ValueError and others
        print("does not parse: %r" % e, file=sys.stderr)
        return 1
    missing = [n for n in sys.argv[2:] if n not in seen]
    if missing:
        print("no sample of: " + " ".join(missing), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
