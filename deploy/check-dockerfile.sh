#!/usr/bin/env bash
# Checks that the container image is built the way CI builds (CTest
# dockerfile_check, label integration). Usage: check-dockerfile.sh [REPO_ROOT]
#
#  1. The Dockerfile's build stage (the stage named `build`) runs ONLY
#     deploy/install-deps.sh and deploy/build.sh: every RUN instruction of
#     that stage must be one of them (optionally `bash`, leading VAR=value
#     assignments and arguments), with no `&&`, `;`, `|` or other command.
#     Any other RUN fails the check, naming it. Both scripts must appear.
#  2. CI runs the same scripts: .ci/run calls deploy/test.sh, which calls
#     deploy/install-deps.sh and deploy/build.sh.
#  3. Every package in deploy/docker/runtime-packages.txt (the run stage's
#     libraries) is a real Debian package (`apt-cache show`), when apt-cache
#     exists; the Dockerfile must use that file.
set -euo pipefail
root="${1:-$(cd "$(dirname "$0")/.." && pwd)}"
cd "$root"
dockerfile=Dockerfile
packages=deploy/docker/runtime-packages.txt
errors=0
fail() { echo "check-dockerfile: FAIL: $*" >&2; errors=$((errors + 1)); }
ok() { echo "check-dockerfile: ok: $*"; }

[ -f "$dockerfile" ] || { echo "check-dockerfile: FAIL: no $dockerfile in $root" >&2; exit 1; }

# Logical instructions: join `\`-continued lines, drop comments and blanks.
mapfile -t instructions < <(awk '
  /^[[:space:]]*#/ && cont == "" { next }
  {
    line = $0
    if (line ~ /\\[[:space:]]*$/) { sub(/\\[[:space:]]*$/, "", line); cont = cont line " "; next }
    line = cont line; cont = ""
    if (line ~ /^[[:space:]]*$/) next
    print line
  }
  END { if (cont != "") print cont }' "$dockerfile")

stage="" saw_deps=0 saw_build=0 build_stage_found=0
for ins in "${instructions[@]}"; do
  keyword=$(awk '{print toupper($1)}' <<<"$ins")
  rest=$(sed -E 's/^[[:space:]]*[A-Za-z]+[[:space:]]+//' <<<"$ins")
  if [ "$keyword" = FROM ]; then
    stage=$(sed -nE 's/.*[[:space:]][Aa][Ss][[:space:]]+([^[:space:]]+)[[:space:]]*$/\1/p' <<<"$ins")
    [ "$stage" = build ] && build_stage_found=1
    continue
  fi
  [ "$stage" = build ] && [ "$keyword" = RUN ] || continue
  cmd="$rest"
  if grep -qE '&&|\|\||;|\||`|\$\(' <<<"$cmd"; then
    fail "build stage RUN chains commands (only deploy/install-deps.sh and deploy/build.sh may run): RUN $cmd"
    continue
  fi
  # Drop leading VAR=value assignments and an optional `bash`/`sh`.
  stripped=$(sed -E 's/^([A-Za-z_][A-Za-z0-9_]*=[^[:space:]]*[[:space:]]+)*//; s/^(bash|sh)[[:space:]]+//' <<<"$cmd")
  script=$(awk '{print $1}' <<<"$stripped")
  script=${script#./}
  script=${script#/src/}
  case "$script" in
    deploy/install-deps.sh) saw_deps=1; ok "build stage RUN: $cmd" ;;
    deploy/build.sh) saw_build=1; ok "build stage RUN: $cmd" ;;
    *) fail "build stage runs something other than deploy/install-deps.sh or deploy/build.sh: RUN $cmd" ;;
  esac
done
[ "$build_stage_found" = 1 ] || fail "no build stage (FROM ... AS build) in $dockerfile"
[ "$saw_deps" = 1 ] || fail "build stage never runs deploy/install-deps.sh"
[ "$saw_build" = 1 ] || fail "build stage never runs deploy/build.sh"

# CI: .ci/run -> deploy/test.sh -> install-deps.sh + build.sh
calls() { grep -vE '^[[:space:]]*#' "$1" | grep -qE "(^|[[:space:]/])$2([[:space:]]|\$)"; }
if [ -f .ci/run ] && calls .ci/run 'deploy/test\.sh'; then ok ".ci/run calls deploy/test.sh"
else fail ".ci/run does not call deploy/test.sh"; fi
for s in install-deps build; do
  if [ -f deploy/test.sh ] && calls deploy/test.sh "deploy/$s\\.sh"; then ok "deploy/test.sh calls deploy/$s.sh"
  else fail "deploy/test.sh does not call deploy/$s.sh (the image would build differently from CI)"; fi
done

# Runtime packages.
if [ ! -f "$packages" ]; then
  fail "missing $packages"
else
  grep -q "$packages" "$dockerfile" || fail "$dockerfile does not use $packages"
  mapfile -t pkgs < <(sed -e 's/#.*//' "$packages" | tr -s ' \t' '\n' | sed '/^$/d')
  [ "${#pkgs[@]}" -gt 0 ] || fail "$packages lists no package"
  if command -v apt-cache >/dev/null 2>&1; then
    # One call for all (a missing name does not change its exit status when
    # others exist): every requested name must come back as a Package.
    found=$(apt-cache show "${pkgs[@]}" 2>/dev/null | sed -n 's/^Package: //p' | sort -u)
    for p in "${pkgs[@]}"; do
      if grep -qxF -- "$p" <<<"$found"; then ok "runtime package $p exists"
      else fail "runtime package '$p' ($packages) is not a known Debian package (apt-cache show)"; fi
    done
  else
    echo "check-dockerfile: apt-cache not found: runtime package names not checked"
  fi
fi

if [ "$errors" -gt 0 ]; then
  echo "check-dockerfile: $errors problem(s)" >&2
  exit 1
fi
echo "check-dockerfile: OK"
