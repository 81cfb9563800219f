#!/usr/bin/env bash
# The source gate, run by `mvn verify` (root pom, validate phase) before anything compiles:
#  - no Java file over 500 lines, but those listed with a reason in scripts/line-limit-exceptions.txt
#    (an entry that no longer needs its exception is an error too, so the list only shrinks);
#  - Java lines at most 140 columns; no tabs, trailing blanks or CRLF in Java, CUDA, shell or
#    Python sources; every such file ends with a newline.
# Kernels (.cu) and generated sources (never committed) are exempt from the line count.
set -euo pipefail
cd "$(dirname "$0")/.."
MAX_LINES=500
MAX_COLUMNS=140
EXCEPTIONS=scripts/line-limit-exceptions.txt

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    list() { git ls-files -- "$@"; }
else
    list() { local args=(); for p in "$@"; do args+=(-o -name "${p#\*}"); done
             find . -path ./.git -prune -o -path '*/target' -prune "${args[@]:1}" -print | sed 's|^\./||'; }
fi

problems=()
declare -A excepted
while IFS=$'\t' read -r path reason; do
    [[ -z "$path" || "$path" == \#* ]] && continue
    [[ -z "${reason:-}" ]] && problems+=("$EXCEPTIONS: $path has no reason")
    excepted[$path]=1
done < "$EXCEPTIONS"

while read -r f; do
    [[ -f "$f" ]] || continue
    n=$(wc -l < "$f")
    if (( n > MAX_LINES )) && [[ -z "${excepted[$f]:-}" ]]; then
        problems+=("$f: $n lines (limit $MAX_LINES): split it by job")
    elif (( n <= MAX_LINES )) && [[ -n "${excepted[$f]:-}" ]]; then
        problems+=("$f: $n lines, under the limit now: remove it from $EXCEPTIONS")
    fi
    while read -r at; do
        problems+=("$f:$at: longer than $MAX_COLUMNS columns")
    done < <(awk -v max="$MAX_COLUMNS" 'length > max { print FNR }' "$f")
done < <(list '*.java' '*.java.template')

for f in "${!excepted[@]}"; do
    [[ -f "$f" ]] || problems+=("$EXCEPTIONS: $f does not exist")
done

while read -r f; do
    [[ -f "$f" ]] || continue
    if grep -qP '\t' "$f"; then problems+=("$f: contains tabs"); fi
    if grep -qP '[ \t]+\r?$' "$f"; then problems+=("$f:$(grep -nP '[ \t]+\r?$' "$f" | head -1 | cut -d: -f1): trailing blanks"); fi
    if grep -q $'\r' "$f"; then problems+=("$f: CRLF line endings"); fi
    if [[ -s "$f" && -n "$(tail -c1 "$f")" ]]; then problems+=("$f: no newline at the end"); fi
done < <(list '*.java' '*.java.template' '*.cu' '*.cuh' '*.cpp' '*.h' '*.sh' '*.py')

if (( ${#problems[@]} > 0 )); then
    printf 'source gate (scripts/check-sources.sh):\n' >&2
    printf '  %s\n' "${problems[@]}" >&2
    exit 1
fi
