#!/bin/bash
# conntrack-tools testsuite (shared/corpus/conntrack-tools/testsuite) through nfsh's
# conntrack command: "ARGS ; OK|BAD" by exit status, each file in a fresh network
# namespace. "ARGS ;" lines are collected and fed on stdin to the next command run;
# "ARGS ; |SED" pipes that command's stdout through sed into the next one.
# Env: NFSH_CT (command, default $TOOLSDIR/ct_cli), SRCDIR.
. "$(dirname "$0")/../lib/netns.sh"
netns_enter "$@"

CT=${NFSH_CT:-$TOOLSDIR/ct_cli}
CORPUS=${CT_CORPUS:-$SRCDIR/../shared/corpus/conntrack-tools/testsuite}
[ -d "$CORPUS" ] || CORPUS=/work/shared/corpus/conntrack-tools/testsuite
VERBOSE=${VERBOSE:-0}

# run_file FILE: prints "ok"/"not ok" lines and a final "COUNTS pass fail".
run_file() {
	local file=$1 line args res stdin_f out_f p=0 f=0 st want
	stdin_f=$(mktemp) out_f=$(mktemp)
	: >"$stdin_f"
	local have_pipe=0
	while IFS= read -r line || [ -n "$line" ]; do
		case "$line" in '#'* | ' '*) continue ;; esac
		case "$line" in *';'*) ;; *) continue ;; esac
		args=${line%%;*}
		res=${line#*;}
		res=${res#"${res%%[![:space:]]*}"}
		res=${res%"${res##*[![:space:]]}"}
		args=${args#conntrack }
		if [ -z "$res" ]; then
			printf '%s\n' "$args" >>"$stdin_f"
			continue
		fi
		# shellcheck disable=SC2086
		set -f
		if [ "${res:0:1}" = "|" ]; then
			$CT $args <"$stdin_f" >"$out_f" 2>/dev/null
			sed "${res:1}" "$out_f" >"$stdin_f"
			set +f
			continue
		fi
		$CT $args <"$stdin_f" >/dev/null 2>"$out_f"
		st=$?
		set +f
		: >"$stdin_f"
		want=$res
		if { [ "$want" = OK ] && [ $st = 0 ]; } || { [ "$want" = BAD ] && [ $st != 0 ]; }; then
			p=$((p + 1))
			[ "$VERBOSE" = 1 ] && echo "ok - $(basename "$file"): $args ; $want"
		else
			f=$((f + 1))
			echo "not ok - $(basename "$file"): $args ; want $want, exit $st"
			sed 's/^/    /' "$out_f" | head -3
		fi
	done <"$file"
	rm -f "$stdin_f" "$out_f"
	echo "COUNTS $p $f"
}

if [ "${1:-}" = "--one" ]; then
	run_file "$2"
	exit 0
fi

modprobe nf_conntrack 2>/dev/null
total_p=0 total_f=0
for file in "$CORPUS"/*; do
	[ -f "$file" ] || continue
	if [ "$(id -u)" = 0 ]; then
		out=$(NFSH_IN_NETNS=1 unshare -n bash "$0" --one "$file")
	else
		out=$(NFSH_IN_NETNS=1 unshare -Urn bash "$0" --one "$file")
	fi
	echo "$out" | grep -v '^COUNTS'
	read -r _ p f <<<"$(echo "$out" | grep '^COUNTS')"
	printf '%-10s %3d passed, %3d failed\n' "$(basename "$file")" "${p:-0}" "${f:-0}"
	total_p=$((total_p + ${p:-0}))
	total_f=$((total_f + ${f:-0}))
done
T_PASS=$total_p
T_FAIL=$total_f
finish
