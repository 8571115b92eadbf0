#!/usr/bin/env bash
# yamllint_check (CTest, label integration): every YAML file under deploy/
# and in the repository root passes yamllint, strictly (warnings fail too),
# with the repository's .yamllint. Usage: yamllint_check.sh [REPO_ROOT]
set -euo pipefail
root="${1:-$(cd "$(dirname "$0")/../../.." && pwd)}"
cd "$root"
if ! command -v yamllint >/dev/null 2>&1; then
  echo "yamllint_check: yamllint is not installed (Debian package yamllint;" \
       "deploy/install-deps.sh installs it)" >&2
  exit 1
fi
mapfile -t files < <(
  {
    find deploy -type d -name node_modules -prune -o -type f \
      \( -name '*.yaml' -o -name '*.yml' \) -print
    find . -maxdepth 1 -type f \( -name '*.yaml' -o -name '*.yml' \) -print
    echo .yamllint
  } | sed 's|^\./||' | sort -u)
if [ "${#files[@]}" -lt 2 ]; then
  echo "yamllint_check: expected YAML files under deploy/, found: ${files[*]:-none}" >&2
  exit 1
fi
echo "yamllint_check: ${#files[@]} files: ${files[*]}"
yamllint -c .yamllint --strict -f parsable "${files[@]}"
echo "yamllint_check: OK"
