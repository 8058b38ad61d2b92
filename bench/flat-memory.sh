#!/usr/bin/env bash
# Executor memory stays flat however many rows a partition holds: embeds ROWS paragraphs in ONE
# partition (one task, local[1]) under a small heap, logging the GC, and prints the heap in use
# after each collection over the run, by tenth of the run. A flat line is the claim; an out of
# memory error, or a line that climbs with the rows, would refute it.
#
# Spark's Parquet writer holds a task's current row group in memory until it reaches
# parquet.block.size (128 MB by default): that buffer grows with the rows until the first row
# group is flushed, then stays bounded. ROW_GROUP (default 16m) makes that happen within the run.
#
# usage: bench/flat-memory.sh [ROWS (default 60000)] [HEAP (default 512m; Spark needs 450 MB+)]
#        ROW_GROUP=128m bench/flat-memory.sh   # Parquet's default row group
# Needs ../shared/data/unarxive/paragraphs.jsonl (texts are cycled, each row gets its own key).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rows=${1:-60000}
heap=${2:-512m}
row_group=${ROW_GROUP:-16m}
case $row_group in
  *m) row_group_bytes=$((${row_group%m} * 1024 * 1024)) ;;
  *) row_group_bytes=$row_group ;;
esac
work=$(mktemp -d "${TMPDIR:-/tmp}/sparkembed-flat-memory.XXXX")
corpus=$root/../shared/data/unarxive/paragraphs.jsonl
[[ -f $corpus ]] || { echo "flat-memory: $corpus is absent" >&2; exit 1; }

# Short paragraphs (the first sentence of each unarXive paragraph) keep the run to minutes.
python3 - "$corpus" "$rows" > "$work/corpus.jsonl" <<'PY'
import json, sys
texts = [json.loads(l)["text"].split(". ")[0][:200] for l in open(sys.argv[1], encoding="utf-8")]
for i in range(int(sys.argv[2])):
    print(json.dumps({"paper_id": f"mem-{i // 1000}", "paragraph_index": i % 1000,
                      "text": texts[i % len(texts)]}))
PY

start=$(date +%s)
SPARKEMBED_DRIVER_MEMORY=$heap SPARKEMBED_MASTER='local[1]' \
  SPARKEMBED_JAVA_OPTS="-Xlog:gc:file=$work/gc.log:uptime -Dspark.hadoop.parquet.block.size=$row_group_bytes" \
  "$root/deploy/local/sparkembed" embed --input "$work/corpus.jsonl" --output "$work/out" \
  --models all-minilm-l6-v2-q --partitions 1 --slice-rows "$rows" > "$work/summary.txt"
end=$(date +%s)
cat "$work/summary.txt"

# GC lines: "[12.345s] GC(7) Pause Young (Normal) (G1 Evacuation Pause) 150M->42M(512M) 3.2ms"
python3 - "$work/gc.log" "$rows" "$heap" "$((end - start))" "$row_group" <<'PY'
import re, sys
log, rows, heap, seconds, row_group = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
points = [(float(m.group(1)), int(m.group(2)))
          for m in re.finditer(r"\[(\d+\.\d+)s\].*Pause.*?\d+M->(\d+)M\(\d+M\)", open(log).read())]
if not points:
    sys.exit("no GC lines in " + log)
t0, t1 = points[0][0], points[-1][0]
print(f"flat-memory: {rows:,} rows in one partition, -Xmx{heap}, Parquet row groups of {row_group},"
      f" {seconds} s, {len(points)} collections")
print("tenth of run   heap after GC (MB): min  max")
for k in range(10):
    lo, hi = t0 + (t1 - t0) * k / 10, t0 + (t1 - t0) * (k + 1) / 10
    after = [mb for t, mb in points if lo <= t <= hi]
    if after:
        print(f"  {k + 1:2d}/10        {min(after):5d} {max(after):5d}")
print(f"max heap after GC over the run: {max(mb for _, mb in points)} MB")
PY
echo "flat-memory: work folder $work"
