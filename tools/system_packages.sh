#!/usr/bin/env bash
# The Debian packages the test suite needs besides Python's: Chromium for the browser tests
# and a CJK font so that Chinese renders in it. `make test` and .ci/run both call this script.
# It does nothing when they are present, installs them with apt-get when it can (root), and
# otherwise stops with the exact command to run: the browser tests are never skipped silently.
set -euo pipefail
packages=(chromium fonts-wqy-microhei)
need=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
[ ${#need[@]} -eq 0 ] && exit 0
command="apt-get update && apt-get install -y --no-install-recommends ${need[*]}"
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "居选测试需要系统软件包 / the tests need system packages: ${need[*]}" >&2
  echo "请以 root 运行 / run as root:  $command" >&2
  exit 1
fi
echo "安装系统软件包 / installing system packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; }; then
  echo "无法安装 / could not install: ${need[*]}. 请手动运行 / run by hand:  $command" >&2
  exit 1
fi
