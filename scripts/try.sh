#!/usr/bin/env bash
# README command 1: install what is missing, build nfsh (Release), and start it
# in a throwaway network namespace, so nothing touches the host's firewall.
#
# When this build has the interactive sandbox (`nfsh --sandbox`), that is what
# starts. Otherwise the seed firewall of issue 2 is applied with one-shot
# commands inside a private namespace, listed back with `nfsh -S` and
# `nft list table ip nfsh-filter`, and, when stdin is a terminal, you get a bash
# in that namespace with nfsh on PATH. Leaving that bash throws the namespace away.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build-release

if [ "${NFSH_TRY_INNER:-}" != 1 ]; then
	"$root/scripts/deps.sh"
	mkdir -p "$build"
	if ! { cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DNFSH_WERROR=OFF &&
		cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)"; } >"$build/try-build.log" 2>&1; then
		tail -40 "$build/try-build.log" >&2
		echo "try.sh: the build failed (full log: $build/try-build.log)" >&2
		exit 1
	fi
	nfsh=$build/nfsh

	if [ -t 0 ] && timeout 10 "$nfsh" --sandbox -c true </dev/null >/dev/null 2>&1; then
		exec "$nfsh" --sandbox "$@"
	fi

	export NFSH_TRY_INNER=1 NFSH_TRY_BUILD=$build
	if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
		exec unshare -n bash "$0" "$@"
	fi
	if unshare -Urn true 2>/dev/null; then
		exec unshare -Urn bash "$0" "$@"
	fi
	echo "try.sh: cannot create a throwaway network namespace:" >&2
	echo "  'unshare -n' needs root, and 'unshare -Urn' (user namespaces) was refused." >&2
	echo "  Run as root, or enable unprivileged user namespaces" >&2
	echo "  (sysctl kernel.unprivileged_userns_clone=1)." >&2
	exit 1
fi

# Inside the private network namespace from here on.
build=$NFSH_TRY_BUILD
export PATH="$build:$PATH"
ip link set lo up 2>/dev/null || true

seed=(
	"-F"
	"-X"
	"-P INPUT DROP"
	"-P FORWARD DROP"
	"-P OUTPUT ACCEPT"
	"-A INPUT -i lo -j ACCEPT"
	"-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT"
	"-A INPUT -p icmp -m conntrack --ctstate NEW -j ACCEPT"
	"-A INPUT -p tcp --dport 22 -m conntrack --ctstate NEW -j ACCEPT"
	"-A INPUT -p tcp --dport 80 -m conntrack --ctstate NEW -m limit --limit 60/minute --limit-burst 20 -j ACCEPT"
)

echo "# seed firewall, one command at a time, in a private network namespace:"
failed=0
for line in "${seed[@]}"; do
	read -r -a words <<<"$line"
	echo "\$ nfsh $line"
	nfsh "${words[@]}" || failed=$((failed + 1))
done
echo "\$ nfsh -A INPUT -j LOG --log-prefix \"iptables-dropped: \""
nfsh -A INPUT -j LOG --log-prefix "iptables-dropped: " || failed=$((failed + 1))
[ "$failed" = 0 ] || echo "# $failed command(s) refused by this build (see the messages above)"

echo
echo "\$ nfsh -S"
nfsh -S
echo
echo "\$ nft list table ip nfsh-filter"
nft list table ip nfsh-filter

if [ -t 0 ]; then
	echo
	echo "# You are in a bash inside the throwaway namespace; nfsh is on PATH."
	echo "# Try: nfsh -A INPUT -p tcp --dport 443 -j ACCEPT; nfsh -L -v -n; nfsh translate -A INPUT -j DROP"
	echo "# Leave with 'exit': the namespace and its ruleset go away."
	PS1='(nfsh netns) \w# ' exec bash --norc -i
fi
exit 0
