#!/usr/bin/env bash
# Install what nfsh needs to build and test on Debian 12, and nothing when it is
# all there already: dpkg-query decides, apt-get runs at most once.
set -euo pipefail

pkgs=(
	# build
	build-essential cmake pkg-config libnftables-dev libnftnl-dev libmnl-dev
	libreadline-dev libjansson-dev libcmocka-dev
	# test oracles and tools
	nftables iptables conntrack iproute2 tmux clang libclang-rt-14-dev valgrind time procps python3
)

missing=()
for p in "${pkgs[@]}"; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$st" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ]; then
	sudo=()
elif command -v sudo >/dev/null 2>&1; then
	sudo=(sudo)
else
	echo "deps.sh: missing packages (${missing[*]}) and not root; no sudo to install them" >&2
	exit 1
fi

echo "deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
